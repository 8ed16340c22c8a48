package dev.jnet.usernet.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Host data not yet acknowledged by the guest, starting at SND.UNA: the host's read buffers
 * themselves, chained (no copy). Segments, first sends and retransmissions alike, are copied
 * out of it straight into the outgoing frame, the one copy on this path.
 *
 * <p>The composite is made on the first host bytes: most short connections (a request, an
 * answer that fits one read, or none) and every connection that only sends never need one,
 * and an idle connection holds no composite (nothing allocated per connection until data).
 */
final class SendBuffer {
    /**
     * Components before the composite consolidates them into one buffer (a copy): bounds the
     * overhead of many tiny reads; large reads are acknowledged long before this many pile up.
     */
    private static final int MAX_COMPONENTS = 256;
    /**
     * Under memory pressure, a read buffer left at most half full with at least this much unused
     * is copied into one of its size and released: the budget counts readable bytes, and a 256
     * KiB read that found 20 KiB on the socket would otherwise hold 236 KiB the budget does not
     * see (700 connections that never acknowledge grew direct memory from 114 to 211 MB so).
     * Linux collapses its queues into compact skbs under {@code tcp_mem} pressure alike
     * ({@code tcp_collapse}). Without pressure no copy is made: a bulk flow's reads are often
     * under half full, and copying them cost ~18% of host->guest throughput at MTU 1500.
     */
    static final int TRIM_WASTE = 32 * 1024;

    private final ByteBufAllocator alloc;
    /** null until the first host bytes, and again after {@link #release} */
    private CompositeByteBuf chain;
    /** the stack's budget: every byte held is charged to it */
    private final TcpMemory memory;
    private boolean released;

    SendBuffer(ByteBufAllocator alloc, TcpMemory memory) {
        this.alloc = alloc;
        this.memory = memory;
    }

    /** Appends host bytes; takes ownership. */
    void append(ByteBuf data) {
        if (released) {
            data.release();
            return;
        }
        int n = data.readableBytes();
        if (chain == null) {
            try {
                chain = alloc.compositeDirectBuffer(MAX_COMPONENTS);
            } catch (RuntimeException | Error e) {
                data.release();
                throw e;
            }
        }
        if (data.capacity() - n >= TRIM_WASTE && n <= data.capacity() / 2 && memory.underPressure()) {
            data = trimmed(data, n);
        }
        chain.addComponent(true, data);
        memory.charge(n);
    }

    /** {@code data}'s bytes in a buffer of their size; {@code data} released either way. */
    private ByteBuf trimmed(ByteBuf data, int n) {
        try {
            ByteBuf copy = alloc.directBuffer(n, n);
            copy.writeBytes(data);
            return copy;
        } finally {
            data.release();
        }
    }

    /** Bytes held (from SND.UNA). */
    int readable() {
        return chain == null ? 0 : chain.readableBytes();
    }

    /** Whether a composite is held (tests: none before the first host bytes). */
    boolean allocated() {
        return chain != null;
    }

    /** Copies {@code length} bytes starting {@code offset} bytes after SND.UNA into {@code dst}. */
    void copyTo(int offset, ByteBuf dst, int length) {
        dst.writeBytes(chain, chain.readerIndex() + offset, length);
    }

    /**
     * The buffer holding the bytes, for a sink that reads {@code [index(offset), +length)} during
     * one call (a gathering write): no copy, nothing kept.
     */
    ByteBuf bytes() {
        return chain;
    }

    /** The index in {@link #bytes()} of the byte {@code offset} bytes after SND.UNA. */
    int index(int offset) {
        return chain.readerIndex() + offset;
    }

    /** Drops {@code n} acknowledged bytes, releasing buffers that became empty. */
    void acknowledge(int n) {
        if (n == 0) {
            return;
        }
        chain.skipBytes(n);
        chain.discardReadComponents();
        memory.credit(n);
    }

    void release() {
        released = true;
        if (chain != null && chain.refCnt() > 0) {
            memory.credit(chain.readableBytes());
            chain.release();
        }
        chain = null;
    }
}
