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

    /**
     * The stack opened a host socket for the guest (a new TCP connection, UDP flow or echo
     * socket): the dearest work a guest's frame can cause. A tap link counts it against the
     * guest's {@link OpenBudget}; other sinks ignore it (the default), wrappers pass it on.
     */
    default void hostSocketOpened() {}

    /**
     * The largest Ethernet frame {@link #sendOffloaded} takes; 0 when the sink has no offloads
     * (the default): every frame must then be whole, checksummed and within the MTU.
     */
    default int offloadFrameLimit() {
        return 0;
    }

    /**
     * Sends one TCP frame (IPv6 if {@code v6}) whose checksum field holds only the pseudo-header
     * sum, for the receiver to complete over {@code frame[csumStart, end)} (frame offsets from the
     * reader index; {@code headerEnd} is where the TCP payload starts). A payload longer than
     * {@code segmentSize} is a super-packet the receiver takes whole or cuts into segments of
     * that size (GSO). Takes ownership. Only when {@link #offloadFrameLimit()} is not 0.
     */
    default void sendOffloaded(ByteBuf frame, int csumStart, int headerEnd, boolean v6, int segmentSize) {
        frame.release();
        throw new UnsupportedOperationException("this link has no offloads");
    }

    /**
     * {@link #sendOffloaded(ByteBuf, int, int, boolean, int)} of a frame in two parts: {@code
     * headers} (Ethernet to TCP; taken over) and then {@code payloadLength} bytes of {@code payload}
     * from {@code payloadIndex}, which stay the caller's: the sink reads them during the call (a
     * tap gathers both parts into one write) and copies what it must keep. This default joins them.
     */
    default void sendOffloaded(ByteBuf headers, ByteBuf payload, int payloadIndex, int payloadLength, int csumStart,
            int headerEnd, boolean v6, int segmentSize) {
        ByteBuf frame;
        try {
            frame = alloc().directBuffer(headers.readableBytes() + payloadLength)
                    .writeBytes(headers, headers.readerIndex(), headers.readableBytes())
                    .writeBytes(payload, payloadIndex, payloadLength);
        } finally {
            headers.release();
        }
        sendOffloaded(frame, csumStart, headerEnd, v6, segmentSize);
    }
}
