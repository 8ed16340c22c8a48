package dev.jnet.usernet.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Where the stack sends Ethernet frames towards the guest: the tap device in production, an
 * in-memory queue in tests. Called on the stack's event loop only.
 */
public interface FrameSink {
    /** The allocator frames should come from (pooled direct in production). */
    ByteBufAllocator alloc();

    /**
     * Sends one whole Ethernet frame: the readable bytes of {@code frame}. Takes ownership
     * (the sink releases it, also when the frame is dropped).
     */
    void sendFrame(ByteBuf frame);
}
