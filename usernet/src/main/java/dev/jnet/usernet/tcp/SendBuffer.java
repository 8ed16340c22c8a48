package dev.jnet.usernet.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Host data not yet acknowledged by the guest, starting at SND.UNA: the host's read buffers
 * themselves, chained (no copy). Segments, first sends and retransmissions alike, are copied
 * out of it straight into the outgoing frame, the one copy on this path.
 */
final class SendBuffer {
    /**
     * Components before the composite consolidates them into one buffer (a copy): bounds the
     * overhead of many tiny reads; large reads are acknowledged long before this many pile up.
     */
    private static final int MAX_COMPONENTS = 256;

    private final CompositeByteBuf chain;
    /** the stack's budget: every byte held is charged to it */
    private final TcpMemory memory;

    SendBuffer(ByteBufAllocator alloc, TcpMemory memory) {
        this.chain = alloc.compositeDirectBuffer(MAX_COMPONENTS);
        this.memory = memory;
    }

    /** Appends host bytes; takes ownership. */
    void append(ByteBuf data) {
        int n = data.readableBytes();
        chain.addComponent(true, data);
        memory.charge(n);
    }

    /** Bytes held (from SND.UNA). */
    int readable() {
        return chain.readableBytes();
    }

    /** Copies {@code length} bytes starting {@code offset} bytes after SND.UNA into {@code dst}. */
    void copyTo(int offset, ByteBuf dst, int length) {
        dst.writeBytes(chain, chain.readerIndex() + offset, length);
    }

    /** Drops {@code n} acknowledged bytes, releasing buffers that became empty. */
    void acknowledge(int n) {
        chain.skipBytes(n);
        chain.discardReadComponents();
        memory.credit(n);
    }

    void release() {
        if (chain.refCnt() > 0) {
            memory.credit(chain.readableBytes());
            chain.release();
        }
    }
}
