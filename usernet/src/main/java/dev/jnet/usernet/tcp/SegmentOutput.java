package dev.jnet.usernet.tcp;

import dev.jnet.usernet.wire.TcpOptions;
import io.netty.buffer.ByteBufAllocator;

/**
 * Where a connection's segments go: down to the guest link. The connection names itself only
 * for its addresses; the output never calls back into it. Implemented by {@link SegmentWriter}.
 */
interface SegmentOutput {
    /**
     * One segment from the connection's remote end to the guest: header, {@code opts} (may be
     * {@code null}), and {@code length} payload bytes copied from {@code data} starting
     * {@code dataOffset} bytes after SND.UNA.
     */
    void emit(TcpConnection c, int seq, int ack, int flags, int window, TcpOptions opts, SendBuffer data,
            int dataOffset, int length);

    /**
     * ICMP (ICMPv6) destination unreachable about the guest's SYN {@code guestIsn}: net
     * unreachable (no route) if {@code net}, else host (address) unreachable.
     */
    void unreachable(TcpConnection c, int guestIsn, boolean net);

    /**
     * The most payload one {@link #emit} takes for a connection whose segments carry {@code mss}
     * bytes: {@code mss}, or with a link that has segmentation offload a multiple of it up to
     * ~64 KiB (one super-packet the guest's kernel takes whole).
     */
    int sendBurst(int mss);

    /** The link's allocator (send buffers, copies of small payloads). */
    ByteBufAllocator alloc();
}
