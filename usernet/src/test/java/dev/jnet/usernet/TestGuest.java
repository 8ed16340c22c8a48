package dev.jnet.usernet;

import dev.jnet.usernet.wire.ArpPacket;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * A guest that builds frames with the wire layer (as the guest's kernel would), and reads the
 * stack's frames back through the same views.
 */
public final class TestGuest {
    public static final long MAC = 0x02_00_00_00_00_64L;
    public final UsernetConfig config;
    public final int addr;

    public TestGuest(UsernetConfig config) {
        this.config = config;
        this.addr = config.guestAddress();
    }

    /** An ARP request "who has {@code target}". */
    public ByteBuf arpRequest(int target) {
        ByteBuf f = frame(EthernetFrame.BROADCAST, EthernetFrame.ETHERTYPE_ARP, ArpPacket.LENGTH);
        ArpPacket.emit(f, EthernetFrame.HEADER_LENGTH, ArpPacket.OP_REQUEST, MAC, addr, 0, target);
        return f;
    }

    /** An IPv4 packet to the gateway's MAC, header checksum filled. */
    public ByteBuf ipv4(int src, int dst, int protocol, byte[] transport) {
        ByteBuf f = frame(config.gatewayMac(), EthernetFrame.ETHERTYPE_IPV4,
                Ipv4Packet.MIN_HEADER_LENGTH + transport.length);
        Ipv4Packet.emitHeader(f, EthernetFrame.HEADER_LENGTH, src, dst, protocol, 64, 0x1234, transport.length);
        f.setBytes(EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH, transport);
        return f;
    }

    /** A UDP datagram from the guest, checksum filled. */
    public ByteBuf udp(int srcPort, int dst, int dstPort, byte[] payload) {
        return ipv4(addr, dst, Ipv4Packet.PROTO_UDP, udpBytes(addr, srcPort, dst, dstPort, payload));
    }

    /** UDP header and payload with a checksum over the given addresses. */
    public static byte[] udpBytes(int src, int srcPort, int dst, int dstPort, byte[] payload) {
        ByteBuf b = Unpooled.buffer(UdpDatagram.HEADER_LENGTH + payload.length);
        UdpDatagram.emitHeader(b, 0, srcPort, dstPort, payload.length);
        b.setBytes(UdpDatagram.HEADER_LENGTH, payload);
        new UdpDatagram().wrap(b, 0, b.capacity()).fillChecksumIpv4(src, dst);
        return bytes(b, 0, b.capacity());
    }

    /** An ICMP echo request message (type 8), checksum filled. */
    public static byte[] echoRequest(int id, int seq, byte[] data) {
        ByteBuf b = Unpooled.buffer(8 + data.length);
        b.writeByte(IcmpV4Packet.TYPE_ECHO_REQUEST).writeByte(0).writeShort(0).writeShort(id).writeShort(seq);
        b.writeBytes(data);
        new IcmpV4Packet().wrap(b, 0, b.capacity()).fillChecksum();
        return bytes(b, 0, b.capacity());
    }

    public ByteBuf ping(int dst, int id, int seq, byte[] data) {
        return ipv4(addr, dst, Ipv4Packet.PROTO_ICMP, echoRequest(id, seq, data));
    }

    private ByteBuf frame(long dstMac, int etherType, int payloadLength) {
        int len = EthernetFrame.HEADER_LENGTH + payloadLength;
        ByteBuf f = PooledByteBufAllocator.DEFAULT.directBuffer(len);
        f.setZero(0, len);
        EthernetFrame.emitHeader(f, 0, dstMac, MAC, etherType);
        f.writerIndex(len);
        return f;
    }

    static byte[] bytes(ByteBuf b, int index, int length) {
        byte[] out = new byte[length];
        b.getBytes(index, out);
        return out;
    }

    /** A frame the stack sent, parsed: Ethernet, and IPv4 if it is one. */
    public static final class Received {
        public final ByteBuf buf;
        public final EthernetFrame eth = new EthernetFrame();
        public final Ipv4Packet ip = new Ipv4Packet();

        public Received(byte[] frame) {
            buf = Unpooled.wrappedBuffer(frame);
            eth.wrap(buf);
            if (!eth.check()) {
                throw new AssertionError("runt frame of " + frame.length + " bytes");
            }
            if (eth.etherType() == EthernetFrame.ETHERTYPE_IPV4) {
                ip.wrap(buf, eth.payloadOffset(), eth.payloadLength());
                if (!ip.check() || !ip.verifyChecksum()) {
                    throw new AssertionError("bad IPv4 from the stack: " + ip);
                }
            }
        }

        /** The IPv4 payload (transport bytes). */
        public byte[] transport() {
            return bytes(buf, ip.payloadOffset(), ip.payloadLength());
        }

        public UdpDatagram udp() {
            UdpDatagram u = new UdpDatagram().wrap(buf, ip.payloadOffset(), ip.payloadLength());
            if (!u.check() || !u.verifyChecksumIpv4(ip.src(), ip.dst())) {
                throw new AssertionError("bad UDP from the stack: " + u);
            }
            return u;
        }

        public byte[] udpPayload() {
            UdpDatagram u = udp();
            return bytes(buf, u.payloadOffset(), u.payloadLength());
        }

        public IcmpV4Packet icmp() {
            IcmpV4Packet i = new IcmpV4Packet().wrap(buf, ip.payloadOffset(), ip.payloadLength());
            if (!i.check() || !i.verifyChecksum()) {
                throw new AssertionError("bad ICMP from the stack: " + i);
            }
            return i;
        }
    }
}
