package dev.jnet.usernet.tcp;

import dev.jnet.usernet.icmp.Icmpv4Errors;
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

    SegmentWriter(Ipv4Output out, Ipv6Output out6) {
        this.out = out;
        this.out6 = out6;
    }

    @Override
    public ByteBufAllocator alloc() {
        return out.sink().alloc();
    }

    @Override
    public void emit(TcpConnection c, int seq, int ack, int flags, int window, TcpOptions opts, SendBuffer data,
            int dataOffset, int length) {
        c.packetsToGuest++;
        if (c.v6) {
            emit6(c.remoteHigh, c.remoteLow, c.remotePort, c.guestHigh, c.guestLow, c.guestPort, seq, ack, flags,
                    window, opts, data, dataOffset, length);
        } else {
            emit(c.remoteAddr, c.remotePort, c.guestAddr, c.guestPort, seq, ack, flags, window, opts, data,
                    dataOffset, length);
        }
    }

    /** ICMP host unreachable about the guest's SYN (rebuilt: the original is long gone). */
    @Override
    public void hostUnreachable(TcpConnection c, int guestIsn) {
        int length = Ipv4Packet.MIN_HEADER_LENGTH + TcpSegment.MIN_HEADER_LENGTH;
        ByteBuf original = alloc().heapBuffer(length);
        try {
            Ipv4Packet.emitHeader(original, 0, c.guestAddr, c.remoteAddr, Ipv4Packet.PROTO_TCP, 64, 0,
                    TcpSegment.MIN_HEADER_LENGTH);
            TcpSegment.emitHeader(original, Ipv4Packet.MIN_HEADER_LENGTH, c.guestPort, c.remotePort, guestIsn, 0,
                    TcpSegment.SYN, 0, 0, null);
            original.writerIndex(length);
            icmp.sendUnreachable(out, new Ipv4Packet().wrap(original), Icmpv4Errors.CODE_HOST_UNREACHABLE);
        } finally {
            original.release();
        }
    }

    /** Builds one IPv4 segment: header, options, payload copied from {@code data}. */
    void emit(int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, int window,
            TcpOptions opts, SendBuffer data, int dataOffset, int length) {
        int optionsLength = opts == null ? 0 : TcpSegment.optionsLength(opts);
        ByteBuf buf = out.allocate(TcpSegment.MIN_HEADER_LENGTH + optionsLength + length);
        int start = buf.writerIndex();
        int headerLength = TcpSegment.emitHeader(buf, start, srcPort, dstPort, seq, ack, flags, window, 0, opts);
        buf.writerIndex(start + headerLength);
        if (length > 0) {
            data.copyTo(dataOffset, buf, length);
        }
        outSeg.wrap(buf, start, headerLength + length).fillChecksumIpv4(src, dst);
        outSeg.clear();
        out.send(buf, src, dst, Ipv4Packet.PROTO_TCP);
    }

    /** {@link #emit(int, int, int, int, int, int, int, int, TcpOptions, SendBuffer, int, int)} over IPv6. */
    void emit6(long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort, int seq,
            int ack, int flags, int window, TcpOptions opts, SendBuffer data, int dataOffset, int length) {
        int optionsLength = opts == null ? 0 : TcpSegment.optionsLength(opts);
        ByteBuf buf = out6.allocate(TcpSegment.MIN_HEADER_LENGTH + optionsLength + length);
        int start = buf.writerIndex();
        int headerLength = TcpSegment.emitHeader(buf, start, srcPort, dstPort, seq, ack, flags, window, 0, opts);
        buf.writerIndex(start + headerLength);
        if (length > 0) {
            data.copyTo(dataOffset, buf, length);
        }
        int segmentLength = headerLength + length;
        outSeg.wrap(buf, start, segmentLength).fillChecksum(
                InternetChecksum.pseudoHeaderV6(srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_TCP, segmentLength));
        outSeg.clear();
        out6.send(buf, srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_TCP);
    }
}
