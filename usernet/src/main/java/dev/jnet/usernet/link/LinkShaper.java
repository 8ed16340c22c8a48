package dev.jnet.usernet.link;

import dev.jnet.usernet.Scheduler;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;

/**
 * One direction of a link with a bandwidth and an on/off switch (a partition), in user space
 * where the kernel has no netem: frames leave no faster than {@link #rate} bits per second (each
 * waits for the previous one's serialization time, as on a wire), queue meanwhile in a bounded
 * FIFO ({@value #QUEUE_FRAMES} frames, {@value #QUEUE_BYTES} bytes) and are tail-dropped beyond
 * it, as a router's interface queue drops; while partitioned every frame is dropped (queued ones
 * too). A rate of 0 means unlimited. Runs on the scheduler's thread; the setters too.
 */
public final class LinkShaper implements FrameHandler, AutoCloseable {
    /** Frames waiting for the wire at most. */
    public static final int QUEUE_FRAMES = 1024;
    /** Bytes waiting for the wire at most (about 100 ms at 80 Mbit/s). */
    public static final long QUEUE_BYTES = 1L << 20;

    /** What the shaper did so far, and how many frames wait for the wire now. */
    public record Counters(long passed, long partitionDropped, long queueDropped, int queued) {}

    private final Scheduler scheduler;
    private final FrameHandler next;
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private long queuedBytes;
    private long rate;
    private boolean partitioned;
    private boolean closed;
    /** When the wire is free for the next frame (scheduler time). */
    private long wireFreeAt;
    private Scheduler.Timer drainTimer;
    private long passed, partitionDropped, queueDropped;

    public LinkShaper(Scheduler scheduler, FrameHandler next) {
        this.scheduler = scheduler;
        this.next = next;
    }

    /** Bits per second from now on; 0: unlimited (queued frames are sent at once). */
    public void rate(long bitsPerSecond) {
        if (bitsPerSecond < 0) {
            throw new IllegalArgumentException("negative rate " + bitsPerSecond);
        }
        this.rate = bitsPerSecond;
        if (bitsPerSecond == 0) {
            drain();
        }
    }

    /** Cuts the link (every frame dropped, queued ones too) or mends it. */
    public void partition(boolean on) {
        this.partitioned = on;
        if (on) {
            partitionDropped += queue.size();
            clearQueue();
        }
    }

    public Counters counters() {
        return new Counters(passed, partitionDropped, queueDropped, queue.size());
    }

    @Override
    public void receiveFrame(ByteBuf frame) {
        if (closed || partitioned) {
            if (!closed) {
                partitionDropped++;
            }
            frame.release();
            return;
        }
        if (rate == 0 && queue.isEmpty()) {
            passed++;
            next.receiveFrame(frame);
            return;
        }
        if (queue.size() >= QUEUE_FRAMES || queuedBytes + frame.readableBytes() > QUEUE_BYTES) {
            queueDropped++;
            frame.release();
            return;
        }
        queue.add(frame);
        queuedBytes += frame.readableBytes();
        drain();
    }

    /** Sends what the wire has time for now, and wakes up when the next frame's turn comes. */
    private void drain() {
        long now = scheduler.nanoTime();
        while (!queue.isEmpty() && !closed) {
            if (rate > 0 && wireFreeAt > now) {
                if (drainTimer == null) {
                    drainTimer = scheduler.schedule(() -> {
                        drainTimer = null;
                        drain();
                    }, wireFreeAt - now);
                }
                return;
            }
            ByteBuf f = queue.poll();
            queuedBytes -= f.readableBytes();
            if (rate > 0) {
                // serialization time of this frame: the wire is busy until it has gone (bits / rate)
                long busy = f.readableBytes() * 8L * 1_000_000_000L / rate;
                wireFreeAt = Math.max(wireFreeAt, now) + busy;
            }
            passed++;
            next.receiveFrame(f);
        }
    }

    private void clearQueue() {
        ByteBuf f;
        while ((f = queue.poll()) != null) {
            f.release();
        }
        queuedBytes = 0;
    }

    /** Releases queued frames; later frames are dropped. Idempotent. */
    @Override
    public void close() {
        closed = true;
        if (drainTimer != null) {
            drainTimer.cancel();
            drainTimer = null;
        }
        clearQueue();
    }
}
