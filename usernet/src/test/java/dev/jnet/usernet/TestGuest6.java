package dev.jnet.usernet;

import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv6Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * An IPv6 guest that builds frames as the guest's kernel would (link-local fe80::64, SLAAC
 * address fd00::64), and parses what the stack sends back.
 */
public final class TestGuest6 {
    public static final long MAC = TestGuest.MAC;
    public static final long PREFIX = Ipv6Config.DEFAULT_PREFIX_HIGH;
    public static final long LL_HIGH = 0xfe80_0000_0000_0000L;
    public static final long LL_LOW = 0x64;
    public static final long GLOBAL_LOW = 0x64;
    public final UsernetConfig config;

    public TestGuest6(UsernetConfig config) {
        this.config = config;
    }

    /** An IPv6 packet in a frame to {@code dstMac}; {@code transport} is copied as is. */
    public ByteBuf ipv6(long dstMac, long srcHigh, long srcLow, long dstHigh, long dstLow, int nextHeader,
            int hopLimit, byte[] transport) {
        int len = EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH + transport.length;
        ByteBuf f = PooledByteBufAllocator.DEFAULT.directBuffer(len);
        f.setZero(0, len);
        EthernetFrame.emitHeader(f, 0, dstMac, MAC, EthernetFrame.ETHERTYPE_IPV6);
        new Ipv6Packet().wrap(f, EthernetFrame.HEADER_LENGTH, Ipv6Packet.HEADER_LENGTH)
                .setVersionTrafficClassFlowLabel(0, 0).setPayloadLength(transport.length)
                .setNextHeader(nextHeader).setHopLimit(hopLimit).setSrc(srcHigh, srcLow).setDst(dstHigh, dstLow);
        f.setBytes(EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH, transport);
        f.writerIndex(len);
        return f;
    }

    /** An ICMPv6 message with its checksum over the given addresses. */
    public static byte[] icmp(long srcHigh, long srcLow, long dstHigh, long dstLow, int type, int code, int word,
            byte[] body) {
        ByteBuf b = Unpooled.buffer(8 + body.length);
        b.writeByte(type).writeByte(code).writeShort(0).writeInt(word).writeBytes(body);
        new Icmpv6Packet().wrap(b, 0, b.capacity()).fillChecksum(InternetChecksum.pseudoHeaderV6(
                srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_ICMPV6, b.capacity()));
        return TestGuest.bytes(b, 0, b.capacity());
    }

    /** ICMPv6 from the guest's global address to the gateway MAC, hop limit 64. */
    public ByteBuf icmpFromGlobal(long dstHigh, long dstLow, int type, int code, int word, byte[] body) {
        return ipv6(config.gatewayMac(), PREFIX, GLOBAL_LOW, dstHigh, dstLow, Ipv6Packet.NH_ICMPV6, 64,
                icmp(PREFIX, GLOBAL_LOW, dstHigh, dstLow, type, code, word, body));
    }

    public ByteBuf ping(long dstHigh, long dstLow, int id, int seq, byte[] data) {
        return icmpFromGlobal(dstHigh, dstLow, Icmpv6Packet.TYPE_ECHO_REQUEST, 0, (id << 16) | seq, data);
    }

    /** A neighbour solicitation for {@code target}, from {@code srcHigh:srcLow} to its solicited-node group. */
    public ByteBuf neighborSolicitation(long srcHigh, long srcLow, long targetHigh, long targetLow, int hopLimit) {
        ByteBuf body = Unpooled.buffer(16 + 8);
        body.writeLong(targetHigh).writeLong(targetLow);
        boolean dad = srcHigh == 0 && srcLow == 0;
        if (!dad) { // source link-layer option: not allowed in DAD probes
            body.writeByte(1).writeByte(1).writeShort((int) (MAC >>> 32)).writeInt((int) MAC);
        }
        byte[] b = TestGuest.bytes(body, 0, body.writerIndex());
        long group = 0x0000_0001_ff00_0000L | (targetLow & 0xff_ffffL);
        long groupMac = 0x3333_0000_0000L | (group & 0xffff_ffffL);
        return ipv6(groupMac, srcHigh, srcLow, 0xff02_0000_0000_0000L, group, Ipv6Packet.NH_ICMPV6, hopLimit,
                icmp(srcHigh, srcLow, 0xff02_0000_0000_0000L, group, Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION, 0, 0, b));
    }

    /** A router solicitation from the guest's link-local address to ff02::2. */
    public ByteBuf routerSolicitation(int hopLimit) {
        byte[] opt = {1, 1, 0x02, 0, 0, 0, 0, 0x64};
        return ipv6(0x3333_0000_0002L, LL_HIGH, LL_LOW, 0xff02_0000_0000_0000L, 2, Ipv6Packet.NH_ICMPV6, hopLimit,
                icmp(LL_HIGH, LL_LOW, 0xff02_0000_0000_0000L, 2, Icmpv6Packet.TYPE_ROUTER_SOLICITATION, 0, 0, opt));
    }

    /** UDP from the guest's global address. */
    public ByteBuf udp(int srcPort, long dstHigh, long dstLow, int dstPort, byte[] payload) {
        return ipv6(config.gatewayMac(), PREFIX, GLOBAL_LOW, dstHigh, dstLow, Ipv6Packet.NH_UDP, 64,
                udpBytes(PREFIX, GLOBAL_LOW, srcPort, dstHigh, dstLow, dstPort, payload));
    }

    public static byte[] udpBytes(long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort,
            byte[] payload) {
        ByteBuf b = Unpooled.buffer(UdpDatagram.HEADER_LENGTH + payload.length);
        UdpDatagram.emitHeader(b, 0, srcPort, dstPort, payload.length);
        b.setBytes(UdpDatagram.HEADER_LENGTH, payload);
        new UdpDatagram().wrap(b, 0, b.capacity()).fillChecksum(InternetChecksum.pseudoHeaderV6(
                srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_UDP, b.capacity()));
        return TestGuest.bytes(b, 0, b.capacity());
    }

    /** A frame the stack sent: Ethernet + IPv6 (checked), transport bytes. */
    public static final class Received {
        public final ByteBuf buf;
        public final EthernetFrame eth = new EthernetFrame();
        public final Ipv6Packet ip = new Ipv6Packet();

        public Received(byte[] frame) {
            buf = Unpooled.wrappedBuffer(frame);
            eth.wrap(buf);
            if (!eth.check() || eth.etherType() != EthernetFrame.ETHERTYPE_IPV6) {
                throw new AssertionError("not an IPv6 frame: " + eth);
            }
            ip.wrap(buf, eth.payloadOffset(), eth.payloadLength());
            if (!ip.check() || Ipv6Packet.HEADER_LENGTH + ip.payloadLength() != eth.payloadLength()) {
                throw new AssertionError("bad IPv6 from the stack: " + ip);
            }
        }

        public byte[] transport() {
            return TestGuest.bytes(buf, ip.payloadOffset(), ip.payloadLength());
        }

        /** The ICMPv6 message, its checksum verified. */
        public Icmpv6Packet icmp() {
            if (ip.nextHeader() != Ipv6Packet.NH_ICMPV6) {
                throw new AssertionError("not ICMPv6: " + ip);
            }
            Icmpv6Packet i = new Icmpv6Packet().wrap(buf, ip.payloadOffset(), ip.payloadLength());
            if (!i.check() || !i.verifyChecksum(ip)) {
                throw new AssertionError("bad ICMPv6 from the stack: " + i);
            }
            return i;
        }

        public UdpDatagram udp() {
            UdpDatagram u = new UdpDatagram().wrap(buf, ip.payloadOffset(), ip.payloadLength());
            if (ip.nextHeader() != Ipv6Packet.NH_UDP || !u.check() || !u.verifyChecksumIpv6(ip)) {
                throw new AssertionError("bad UDP from the stack: " + u);
            }
            return u;
        }

        public byte[] udpPayload() {
            UdpDatagram u = udp();
            return TestGuest.bytes(buf, u.payloadOffset(), u.payloadLength());
        }
    }
}
