package dev.jnet.usernet.ip;

import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * Sends IPv6 packets to the guest, the IPv6 twin of {@link Ipv4Output}: {@link #allocate}
 * reserves Ethernet + IPv6 headroom, {@link #send} fills both headers and sends. Shares the
 * guest MAC that {@link Ipv4Output} learned (one guest, one MAC). Transport checksums use
 * {@code InternetChecksum.pseudoHeaderV6} with the addresses given to {@code send}.
 */
public final class Ipv6Output implements IpOutput {
    /** Bytes reserved in front of the transport header: Ethernet + fixed IPv6 header. */
    public static final int HEADROOM = EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH;
    private static final int HOP_LIMIT = 64;

    private final UsernetConfig config;
    private final Ipv4Output v4;
    private final Ipv6Packet ip = new Ipv6Packet();
    private boolean guestAddressKnown;
    private long guestHigh;
    private long guestLow;
    /** Fragment header identification (RFC 8200 4.5: unique per recent packet; RFC 7739 allows a counter per destination). */
    private int fragmentId;
    private long fragmentsSent;

    public Ipv6Output(UsernetConfig config, Ipv4Output v4) {
        this.config = config;
        this.v4 = v4;
        Ipv6Config v6 = config.ipv6();
        if (v6 != null && v6.isPasta()) { // pasta configures it: known before the guest says a word
            guestAddressKnown = true;
            guestHigh = v6.prefixHigh();
            guestLow = v6.guestLow();
        }
    }

    @Override
    public UsernetConfig config() {
        return config;
    }

    @Override
    public int headroom() {
        return HEADROOM;
    }

    public FrameSink sink() {
        return v4.sink();
    }

    public long guestMac() {
        return v4.guestMac();
    }

    /**
     * Records an address of the guest's in the prefix (the source of a packet it sent, or the
     * target of its duplicate address detection): where connections forwarded into the guest
     * over IPv6 go when no guest address is given (SLAAC picks it, not us).
     */
    public void learnGuestAddress(long high, long low) {
        Ipv6Config v6 = config.ipv6();
        if (v6 != null && v6.inPrefix(high, low) && !v6.isGateway(high, low) && !v6.isDns(high, low)
                && low != 0 && !v6.isPasta()) {
            guestAddressKnown = true;
            guestHigh = high;
            guestLow = low;
        }
    }

    /** Whether the guest has shown an address in the prefix yet. */
    public boolean guestAddressKnown() {
        return guestAddressKnown;
    }

    /** High 64 bits of the guest's learned address (valid if {@link #guestAddressKnown()}). */
    public long guestAddressHigh() {
        return guestHigh;
    }

    /** Low 64 bits of the guest's learned address (valid if {@link #guestAddressKnown()}). */
    public long guestAddressLow() {
        return guestLow;
    }

    @Override
    public int maxTransportLength() {
        return config.mtu() - Ipv6Packet.HEADER_LENGTH;
    }

    @Override
    public int maxDatagramLength() {
        return FragmentFormat.MAX_DATAGRAM;
    }

    /** Fragments sent to the guest (packets above its MTU, split). */
    public long fragmentsSent() {
        return fragmentsSent;
    }

    @Override
    public ByteBuf allocate(int transportCapacity) {
        ByteBuf buf = v4.sink().alloc().directBuffer(HEADROOM + transportCapacity);
        buf.writerIndex(HEADROOM);
        buf.readerIndex(HEADROOM);
        return buf;
    }

    @Override
    public long pseudoHeaderSum(long srcHigh, long srcLow, long dstHigh, long dstLow, int protocol,
            int transportLength) {
        return InternetChecksum.pseudoHeaderV6(srcHigh, srcLow, dstHigh, dstLow, protocol, transportLength);
    }

    /** Sends to the guest's learned MAC; see {@link #send(ByteBuf, long, long, long, long, int, int, long)}. */
    @Override
    public void send(ByteBuf buf, long srcHigh, long srcLow, long dstHigh, long dstLow, int nextHeader) {
        send(buf, srcHigh, srcLow, dstHigh, dstLow, nextHeader, HOP_LIMIT, v4.guestMac());
    }

    /**
     * Fills the IPv6 and Ethernet headers in front of the transport bytes {@code [HEADROOM,
     * writerIndex)} and sends the frame to {@code dstMac} (neighbour discovery sends with hop
     * limit 255, to multicast MACs); above the guest's MTU as fragments with a Fragment header
     * (RFC 8200 section 4.5). Takes ownership of {@code buf}.
     */
    public void send(ByteBuf buf, long srcHigh, long srcLow, long dstHigh, long dstLow, int nextHeader,
            int hopLimit, long dstMac) {
        int transportLength = emitHeaders(buf, srcHigh, srcLow, dstHigh, dstLow, nextHeader, hopLimit, dstMac, 0);
        if (transportLength > maxTransportLength()) {
            fragmentsSent += FragmentFormat.IPV6.send(v4.sink(), buf, Ipv6Packet.HEADER_LENGTH, config.mtu(), nextHeader,
                    ++fragmentId);
        } else {
            v4.sink().sendFrame(buf);
        }
    }

    /** {@link Ipv4Output#sendTcpOffloaded} over IPv6, to the guest's learned MAC. */
    public void sendTcpOffloaded(ByteBuf buf, long srcHigh, long srcLow, long dstHigh, long dstLow,
            int tcpHeaderLength, int segmentSize) {
        emitHeaders(buf, srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_TCP, HOP_LIMIT, v4.guestMac(), 0);
        v4.sink().sendOffloaded(buf, HEADROOM, HEADROOM + tcpHeaderLength, true, segmentSize);
    }

    /** {@link Ipv4Output#sendTcpOffloaded(ByteBuf, ByteBuf, int, int, int, int, int, int)} over IPv6. */
    public void sendTcpOffloaded(ByteBuf headers, ByteBuf payload, int payloadIndex, int payloadLength,
            long srcHigh, long srcLow, long dstHigh, long dstLow, int tcpHeaderLength, int segmentSize) {
        emitHeaders(headers, srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_TCP, HOP_LIMIT, v4.guestMac(),
                payloadLength);
        v4.sink().sendOffloaded(headers, payload, payloadIndex, payloadLength, HEADROOM, HEADROOM + tcpHeaderLength,
                true, segmentSize);
    }

    /** The Ethernet and IPv6 headers in front of {@code [HEADROOM, writerIndex)} and {@code more} bytes after. */
    private int emitHeaders(ByteBuf buf, long srcHigh, long srcLow, long dstHigh, long dstLow, int nextHeader,
            int hopLimit, long dstMac, int more) {
        int transportLength = buf.writerIndex() - HEADROOM + more;
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
        return transportLength;
    }
}
