package dev.jnet.usernet.link;

import io.netty.buffer.ByteBuf;

/**
 * What the link hands frames from the guest to (the stack). Called on the stack's event loop.
 */
public interface FrameHandler {
    /**
     * Handles one Ethernet frame from the guest: the readable bytes of {@code frame}. Takes
     * ownership: the handler releases it, and may keep retained slices of it (zero copy).
     */
    void receiveFrame(ByteBuf frame);
}
