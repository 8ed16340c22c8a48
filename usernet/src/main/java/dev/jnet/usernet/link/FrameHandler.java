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

    /**
     * {@link #receiveFrame} of a frame whose TCP or UDP checksum the link vouches for (the
     * guest's kernel left a partial one to the "NIC", or had checked it): the handler need not
     * verify it, and must not, as it may hold only the pseudo-header sum. Called only when
     * {@link #takesTrustedFrames()}.
     */
    default void receiveTrustedFrame(ByteBuf frame) {
        receiveFrame(frame);
    }

    /**
     * Whether this handler takes {@link #receiveTrustedFrame}; otherwise (the default) the link
     * completes partial checksums before {@link #receiveFrame}.
     */
    default boolean takesTrustedFrames() {
        return false;
    }
}
