package dev.jnet.usernet.ip;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * Sends IPv6 packets to the guest, the IPv6 twin of {@link Ipv4Output}: {@link #allocate}
 * reserves Ethernet + IPv6 headroom, {@link #send} fills both headers and sends. Shares the
 * guest MAC that {@link Ipv4Output} learned (one guest, one MAC). Transport checksums use
 * {@code InternetChecksum.pseudoHeaderV6} with the addresses given to {@code send}.
 */
public final class Ipv6Output {
    /** Bytes reserved in front of the transport header: Ethernet + fixed IPv6 header. */
    public static final int HEADROOM = EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH;
    private static final int HOP_LIMIT = 64;

    private final UsernetConfig config;
    private final Ipv4Output v4;
    private final Ipv6Packet ip = new Ipv6Packet();

    public Ipv6Output(UsernetConfig config, Ipv4Output v4) {
        this.config = config;
        this.v4 = v4;
    }

    public UsernetConfig config() {
        return config;
    }

    public FrameSink sink() {
        return v4.sink();
    }

    public long guestMac() {
        return v4.guestMac();
    }

    /** Largest transport segment (header + payload) one packet to the guest can carry. */
    public int maxTransportLength() {
        return config.mtu() - Ipv6Packet.HEADER_LENGTH;
    }

    /** Like {@link Ipv4Output#allocate}, with IPv6 headroom. */
    public ByteBuf allocate(int transportCapacity) {
        ByteBuf buf = v4.sink().alloc().directBuffer(HEADROOM + transportCapacity);
        buf.writerIndex(HEADROOM);
        buf.readerIndex(HEADROOM);
        return buf;
    }

    /** Sends to the guest's learned MAC; see {@link #send(ByteBuf, long, long, long, long, int, int, long)}. */
    public void send(ByteBuf buf, long srcHigh, long srcLow, long dstHigh, long dstLow, int nextHeader) {
        send(buf, srcHigh, srcLow, dstHigh, dstLow, nextHeader, HOP_LIMIT, v4.guestMac());
    }

    /**
     * Fills the IPv6 and Ethernet headers in front of the transport bytes {@code [HEADROOM,
     * writerIndex)} and sends the frame to {@code dstMac} (neighbour discovery sends with hop
     * limit 255, to multicast MACs). Takes ownership of {@code buf}.
     */
    public void send(ByteBuf buf, long srcHigh, long srcLow, long dstHigh, long dstLow, int nextHeader,
            int hopLimit, long dstMac) {
        int transportLength = buf.writerIndex() - HEADROOM;
        EthernetFrame.emitHeader(buf, 0, dstMac, config.gatewayMac(), EthernetFrame.ETHERTYPE_IPV6);
        ip.wrap(buf, EthernetFrame.HEADER_LENGTH, Ipv6Packet.HEADER_LENGTH)
                .setVersionTrafficClassFlowLabel(0, 0)
                .setPayloadLength(transportLength)
                .setNextHeader(nextHeader)
                .setHopLimit(hopLimit)
                .setSrc(srcHigh, srcLow)
                .setDst(dstHigh, dstLow);
        ip.clear();
        buf.readerIndex(0);
        v4.sink().sendFrame(buf);
    }
}
