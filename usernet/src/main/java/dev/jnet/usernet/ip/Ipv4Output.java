package dev.jnet.usernet.ip;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Inany;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * Sends IPv4 packets to the guest. Upper layers ask for a buffer whose writer index sits at
 * the start of the transport header ({@link #allocate}), write their header and payload
 * there, and hand it back to {@link #send}, which fills the IPv4 and Ethernet headers in the
 * reserved headroom: one buffer per packet, no copy.
 *
 * <p>The guest's MAC is learned from the frames it sends ({@link #learnGuestMac}); the guest
 * always speaks first (DHCP-less static configuration, then ARP for the gateway), and until
 * it has, frames go to the broadcast address.
 */
public final class Ipv4Output implements IpOutput {
    /** Bytes reserved in front of the transport header: Ethernet + IPv4 without options. */
    public static final int HEADROOM = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int TTL = 64;

    private final UsernetConfig config;
    private final FrameSink sink;
    private long guestMac = EthernetFrame.BROADCAST;
    private int identification;
    private long fragmentsSent;

    public Ipv4Output(UsernetConfig config, FrameSink sink) {
        this.config = config;
        this.sink = sink;
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
        return sink;
    }

    /** Records the guest's MAC (source of a frame it sent). */
    public void learnGuestMac(long mac) {
        if (mac != 0 && (mac & 0x0100_0000_0000L) == 0) { // unicast only
            guestMac = mac;
        }
    }

    public long guestMac() {
        return guestMac;
    }

    @Override
    public int maxTransportLength() {
        return config.mtu() - Ipv4Packet.MIN_HEADER_LENGTH;
    }

    @Override
    public int maxDatagramLength() {
        return FragmentFormat.MAX_DATAGRAM - Ipv4Packet.MIN_HEADER_LENGTH;
    }

    /** Fragments sent to the guest (packets above its MTU, split). */
    public long fragmentsSent() {
        return fragmentsSent;
    }

    /**
     * A buffer with {@code HEADROOM} reserved and room for {@code transportCapacity} more
     * bytes; its reader and writer index are at the transport header.
     */
    @Override
    public ByteBuf allocate(int transportCapacity) {
        ByteBuf buf = sink.alloc().directBuffer(HEADROOM + transportCapacity);
        buf.writerIndex(HEADROOM);
        buf.readerIndex(HEADROOM);
        return buf;
    }

    @Override
    public long pseudoHeaderSum(long srcHigh, long srcLow, long dstHigh, long dstLow, int protocol,
            int transportLength) {
        return InternetChecksum.pseudoHeaderV4(Inany.v4(srcLow), Inany.v4(dstLow), protocol, transportLength);
    }

    @Override
    public void send(ByteBuf buf, long srcHigh, long srcLow, long dstHigh, long dstLow, int protocol) {
        send(buf, Inany.v4(srcLow), Inany.v4(dstLow), protocol);
    }

    /**
     * Fills the IPv4 and Ethernet headers in front of the transport bytes
     * {@code [HEADROOM, writerIndex)} and sends the frame, as fragments if it is above the
     * guest's MTU (RFC 791: the stack's own packets, DF is ours to clear). Takes ownership of
     * {@code buf}. The transport checksum must already be filled (pseudo-header with these addresses).
     */
    public void send(ByteBuf buf, int src, int dst, int protocol) {
        int transportLength = emitHeaders(buf, src, dst, protocol);
        if (transportLength > maxTransportLength()) {
            fragmentsSent += FragmentFormat.IPV4.send(sink, buf, Ipv4Packet.MIN_HEADER_LENGTH, config.mtu(), protocol, 0);
        } else {
            sink.sendFrame(buf);
        }
    }

    /**
     * Sends a TCP segment with a partial checksum (the pseudo-header sum only) through a sink
     * with offloads ({@link FrameSink#offloadFrameLimit()}): one frame, above the MTU a super-packet
     * the guest's kernel takes whole or cuts into {@code segmentSize}-byte segments. Takes ownership.
     */
    public void sendTcpOffloaded(ByteBuf buf, int src, int dst, int tcpHeaderLength, int segmentSize) {
        emitHeaders(buf, src, dst, Ipv4Packet.PROTO_TCP);
        sink.sendOffloaded(buf, HEADROOM, HEADROOM + tcpHeaderLength, false, segmentSize);
    }

    /**
     * {@link #sendTcpOffloaded(ByteBuf, int, int, int, int)} of a TCP header in {@code headers}
     * followed by {@code payloadLength} bytes of {@code payload} from {@code payloadIndex}, which
     * are not copied here: {@link FrameSink#sendOffloaded(ByteBuf, ByteBuf, int, int, int, int,
     * boolean, int)} reads them during the call. Takes ownership of {@code headers} only.
     */
    public void sendTcpOffloaded(ByteBuf headers, ByteBuf payload, int payloadIndex, int payloadLength, int src,
            int dst, int tcpHeaderLength, int segmentSize) {
        emitHeaders(headers, src, dst, Ipv4Packet.PROTO_TCP, payloadLength);
        sink.sendOffloaded(headers, payload, payloadIndex, payloadLength, HEADROOM, HEADROOM + tcpHeaderLength, false,
                segmentSize);
    }

    /** The Ethernet and IPv4 headers in front of {@code [HEADROOM, writerIndex)}; the transport length. */
    private int emitHeaders(ByteBuf buf, int src, int dst, int protocol) {
        return emitHeaders(buf, src, dst, protocol, 0);
    }

    /** {@link #emitHeaders(ByteBuf, int, int, int)} for a packet with {@code more} bytes after the buffer's. */
    private int emitHeaders(ByteBuf buf, int src, int dst, int protocol, int more) {
        int transportLength = buf.writerIndex() - HEADROOM + more;
        EthernetFrame.emitHeader(buf, 0, guestMac, config.gatewayMac(), EthernetFrame.ETHERTYPE_IPV4);
        Ipv4Packet.emitHeader(buf, EthernetFrame.HEADER_LENGTH, src, dst, protocol, TTL,
                identification++ & 0xFFFF, transportLength);
        buf.readerIndex(0);
        return transportLength;
    }
}
