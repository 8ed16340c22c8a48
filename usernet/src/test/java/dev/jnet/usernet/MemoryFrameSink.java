package dev.jnet.usernet;

import dev.jnet.usernet.link.FrameSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The guest's side of the link in tests: frames the stack sends, as byte arrays, in order. */
public final class MemoryFrameSink implements FrameSink {
    private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger hostSockets = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public ByteBufAllocator alloc() {
        return PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public void sendFrame(ByteBuf frame) {
        try {
            byte[] b = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), b);
            frames.add(b);
        } finally {
            frame.release();
        }
    }

    @Override
    public void hostSocketOpened() {
        hostSockets.incrementAndGet();
    }

    /** How many host sockets the stack said it opened for the guest. */
    public int hostSocketsOpened() {
        return hostSockets.get();
    }

    /** The next frame, or {@code null} if none is queued. */
    public byte[] poll() {
        return frames.poll();
    }

    /** The next frame, waiting up to 5 s for one from another thread (real sockets). */
    public byte[] take() throws InterruptedException {
        byte[] f = frames.poll(5, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame from the stack within 5 s");
        }
        return f;
    }

    /** Everything queued. */
    public List<byte[]> drain() {
        List<byte[]> all = new ArrayList<>();
        frames.drainTo(all);
        return all;
    }

    public int size() {
        return frames.size();
    }
}
