package dev.jnet.usernet.tcp;

import dev.jnet.usernet.icmp.Icmpv4Errors;
import dev.jnet.usernet.icmp6.Icmpv6Errors;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Builds every segment towards the guest, either family: {@code Ipv4Output} or {@code
 * Ipv6Output.allocate}, header, options, payload copied from the send buffer (the one copy on
 * the host-to-guest path), checksum, {@code send}. Stateless but for reused flyweights.
 */
final class SegmentWriter implements SegmentOutput {
    private final Ipv4Output out;
    /** null: IPv6 is off */
    private final Ipv6Output out6;
    private final TcpSegment outSeg = new TcpSegment();
    private final Icmpv4Errors icmp = new Icmpv4Errors();
    private final Icmpv6Errors icmp6 = new Icmpv6Errors();
    private final Ipv4Packet quoted4 = new Ipv4Packet();
    private final Ipv6Packet quoted6 = new Ipv6Packet();

    /** whether the link takes partial checksums and super-packets (a tap with vnet headers) */
    private final boolean offload;

    /** Payload a super-packet may carry: the IP limit less the largest IPv6 and TCP headers. */
    static final int MAX_BURST = 65535 - Ipv6Packet.HEADER_LENGTH - TcpSegment.MAX_HEADER_LENGTH;

    SegmentWriter(Ipv4Output out, Ipv6Output out6) {
        this.out = out;
        this.out6 = out6;
        this.offload = out.sink().offloadFrameLimit() > 0;
    }

    private long superPacketsSent;

    long superPacketsSent() {
        return superPacketsSent;
    }

    @Override
    public int sendBurst(int mss) {
        return offload && mss < MAX_BURST ? MAX_BURST / mss * mss : mss;
    }

    @Override
    public ByteBufAllocator alloc() {
        return out.sink().alloc();
    }

    @Override
    public void emit(TcpConnection c, int seq, int ack, int flags, int window, TcpOptions opts, SendBuffer data,
            int dataOffset, int length) {
        c.flow.packetsToGuest++;
        if (c.v6) {
            emit6(c.remoteHigh, c.remoteLow, c.remotePort, c.guestHigh, c.guestLow, c.guestPort, seq, ack, flags,
                    window, opts, data, dataOffset, length, c.sendMss());
        } else {
            emit(c.remoteAddr, c.remotePort, c.guestAddr, c.guestPort, seq, ack, flags, window, opts, data,
                    dataOffset, length, c.sendMss());
        }
    }

    @Override
    public void unreachable(TcpConnection c, int guestIsn, boolean net) {
        unreachable(c.v6, c.guestHigh, c.guestLow, c.guestPort, c.remoteHigh, c.remoteLow, c.remotePort, guestIsn, net);
    }

    /**
     * ICMP destination unreachable (ICMPv6 for IPv6) about the guest's SYN from {@code guest} to
     * {@code remote}, quoting its headers rebuilt (the original is long gone): net unreachable
     * (ICMPv6 no route) if {@code net}, else host unreachable (address unreachable). The guest's
     * connect then fails with ENETUNREACH or EHOSTUNREACH, as with libslirp.
     */
    void unreachable(boolean v6, long guestHigh, long guestLow, int guestPort, long remoteHigh, long remoteLow,
            int remotePort, int guestIsn, boolean net) {
        if (v6 && out6 == null) {
            return;
        }
        int ipLength = v6 ? Ipv6Packet.HEADER_LENGTH : Ipv4Packet.MIN_HEADER_LENGTH;
        int length = ipLength + TcpSegment.MIN_HEADER_LENGTH;
        ByteBuf original = alloc().heapBuffer(length); // rare: an error, not a data packet
        try {
            original.writerIndex(length);
            TcpSegment.emitHeader(original, ipLength, guestPort, remotePort, guestIsn, 0, TcpSegment.SYN, 0, 0, null);
            if (v6) {
                quoted6.wrap(original, 0, length).setVersionTrafficClassFlowLabel(0, 0)
                        .setPayloadLength(TcpSegment.MIN_HEADER_LENGTH).setNextHeader(Ipv6Packet.NH_TCP)
                        .setHopLimit(64).setSrc(guestHigh, guestLow).setDst(remoteHigh, remoteLow);
                icmp6.sendUnreachable(out6, quoted6, Ipv6Packet.NH_TCP, ipLength,
                        net ? Icmpv6Errors.CODE_NO_ROUTE : Icmpv6Errors.CODE_ADDRESS_UNREACHABLE);
                quoted6.clear();
            } else {
                Ipv4Packet.emitHeader(original, 0, (int) guestLow, (int) remoteLow, Ipv4Packet.PROTO_TCP, 64, 0,
                        TcpSegment.MIN_HEADER_LENGTH);
                icmp.sendUnreachable(out, quoted4.wrap(original),
                        net ? Icmpv4Errors.CODE_NET_UNREACHABLE : Icmpv4Errors.CODE_HOST_UNREACHABLE);
                quoted4.clear();
            }
        } finally {
            original.release();
        }
    }

    /**
     * Builds one IPv4 segment: header, options, payload copied from {@code data}. With offloads
     * the checksum is left to the guest's kernel (partial), a payload above {@code mss} goes
     * as one super-packet of {@code mss}-byte segments, and the payload is not copied: the link
     * gathers the headers and the send buffer's bytes into its write.
     */
    void emit(int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, int window,
            TcpOptions opts, SendBuffer data, int dataOffset, int length, int mss) {
        int optionsLength = opts == null ? 0 : TcpSegment.optionsLength(opts);
        ByteBuf buf = out.allocate(TcpSegment.MIN_HEADER_LENGTH + optionsLength + (offload ? 0 : length));
        int start = buf.writerIndex();
        int headerLength = TcpSegment.emitHeader(buf, start, srcPort, dstPort, seq, ack, flags, window, 0, opts);
        buf.writerIndex(start + headerLength);
        if (offload) {
            outSeg.wrap(buf, start, headerLength).fillPartialChecksum(
                    InternetChecksum.pseudoHeaderV4(src, dst, Ipv4Packet.PROTO_TCP, headerLength + length));
            outSeg.clear();
            if (length > mss) {
                superPacketsSent++;
            }
            if (length > 0) {
                out.sendTcpOffloaded(buf, data.bytes(), data.index(dataOffset), length, src, dst, headerLength, mss);
            } else {
                out.sendTcpOffloaded(buf, src, dst, headerLength, mss);
            }
            return;
        }
        if (length > 0) {
            data.copyTo(dataOffset, buf, length);
        }
        outSeg.wrap(buf, start, headerLength + length).fillChecksumIpv4(src, dst);
        outSeg.clear();
        out.send(buf, src, dst, Ipv4Packet.PROTO_TCP);
    }

    /** {@link #emit(int, int, int, int, int, int, int, int, TcpOptions, SendBuffer, int, int, int)} over IPv6. */
    void emit6(long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort, int seq,
            int ack, int flags, int window, TcpOptions opts, SendBuffer data, int dataOffset, int length, int mss) {
        int optionsLength = opts == null ? 0 : TcpSegment.optionsLength(opts);
        ByteBuf buf = out6.allocate(TcpSegment.MIN_HEADER_LENGTH + optionsLength + (offload ? 0 : length));
        int start = buf.writerIndex();
        int headerLength = TcpSegment.emitHeader(buf, start, srcPort, dstPort, seq, ack, flags, window, 0, opts);
        buf.writerIndex(start + headerLength);
        int segmentLength = headerLength + length;
        long pseudo = InternetChecksum.pseudoHeaderV6(srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_TCP,
                segmentLength);
        if (offload) {
            outSeg.wrap(buf, start, headerLength).fillPartialChecksum(pseudo);
            outSeg.clear();
            if (length > mss) {
                superPacketsSent++;
            }
            if (length > 0) {
                out6.sendTcpOffloaded(buf, data.bytes(), data.index(dataOffset), length, srcHigh, srcLow, dstHigh,
                        dstLow, headerLength, mss);
            } else {
                out6.sendTcpOffloaded(buf, srcHigh, srcLow, dstHigh, dstLow, headerLength, mss);
            }
            return;
        }
        if (length > 0) {
            data.copyTo(dataOffset, buf, length);
        }
        outSeg.wrap(buf, start, segmentLength).fillChecksum(pseudo);
        outSeg.clear();
        out6.send(buf, srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_TCP);
    }
}
