package dev.jnet.usernet.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Every frame between the guest and the stack, both directions, into a classic pcap file
 * (LINKTYPE_ETHERNET, microsecond timestamps) that tcpdump and Wireshark read: {@code jnet
 * usernet --pcap FILE}.
 *
 * <p>The event loop only enqueues: a frame to the guest is retained as it is (the link owns it
 * from then on and never changes it), a frame from the guest is copied into a pooled direct
 * buffer (the stack may rewrite it in place). A writer thread drains the queue into the file in
 * whole records. The queue is bounded ({@value #QUEUE_FRAMES} frames and {@value #QUEUE_BYTES}
 * bytes); a frame that finds it full is not captured and counted in {@link Stats#queueDropped()},
 * as a NIC's capture ring drops.
 *
 * <p>The file never grows beyond its bound ({@code --pcap-size}, default {@value
 * #DEFAULT_MAX_BYTES} bytes): the capture <em>stops</em> at the first frame that would not fit
 * (no rotation), and every later frame is counted in {@link Stats#overLimit()}. It always ends at
 * a record boundary, so it can be read while the capture runs.
 */
public final class PacketCapture implements AutoCloseable {
    /** {@code --pcap-size}'s default: 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** The smallest bound accepted (the file header plus room for a few small frames). */
    public static final long MIN_MAX_BYTES = 1024;
    /** Frames waiting for the writer at most. */
    public static final int QUEUE_FRAMES = 1024;
    /** Bytes of frames waiting for the writer at most. */
    public static final long QUEUE_BYTES = 16L << 20;
    /** The snapshot length in the file header: larger than any frame (MTU 65521 + 14). */
    static final int SNAPLEN = 262_144;
    static final int FILE_HEADER = 24;
    static final int RECORD_HEADER = 16;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int STAGING = 1 << 20;

    /**
     * What the capture did.
     *
     * @param captured     frames written to the file
     * @param bytes        the file's size
     * @param queueDropped frames not captured because the writer's queue was full
     * @param overLimit    frames not captured because the file reached its bound
     * @param limitReached whether the file reached its bound (the capture stopped)
     * @param failure      why the writer stopped early (a write error), or {@code null}
     */
    public record Stats(long captured, long bytes, long queueDropped, long overLimit, boolean limitReached,
            String failure) {}

    private final Path path;
    private final long maxBytes;
    private final FileChannel file;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING).order(ByteOrder.LITTLE_ENDIAN);
    private final Thread writer;
    private final long baseMicros = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
    private final long baseNanos = System.nanoTime();

    // the ring: written by the event loop (one producer), read by the writer (one consumer)
    private final ByteBuf[] frames = new ByteBuf[QUEUE_FRAMES];
    private final int[] offsets = new int[QUEUE_FRAMES];
    private final int[] lengths = new int[QUEUE_FRAMES];
    private final long[] stamps = new long[QUEUE_FRAMES];
    private volatile long tail;
    private volatile long head;
    private final java.util.concurrent.atomic.AtomicLong queuedBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean writerWaiting;
    private volatile boolean closing;
    /** set by the writer when the bound is reached or writing failed: the producer stops queuing */
    private volatile boolean stopped;

    private volatile long queueDropped; // written by the loop only
    private final java.util.concurrent.atomic.AtomicLong overLimit = new java.util.concurrent.atomic.AtomicLong();
    private volatile long captured;
    private volatile long written;
    private volatile boolean limitReached;
    private volatile String failure;

    private PacketCapture(Path path, long maxBytes, FileChannel file) {
        this.path = path;
        this.maxBytes = maxBytes;
        this.file = file;
        this.writer = new Thread(this::drain, "jnet-pcap");
        this.writer.setDaemon(true);
    }

    /**
     * Creates (or truncates) {@code path}, mode 0600 when new (a capture holds the guest's traffic),
     * writes the pcap header and starts the writer thread.
     *
     * @throws IOException when the file cannot be created or written
     * @throws IllegalArgumentException when {@code maxBytes} is below {@value #MIN_MAX_BYTES}
     */
    public static PacketCapture open(Path path, long maxBytes) throws IOException {
        if (maxBytes < MIN_MAX_BYTES) {
            throw new IllegalArgumentException("the capture's size bound must be at least " + MIN_MAX_BYTES
                    + " bytes, not " + maxBytes);
        }
        FileChannel ch = FileChannel.open(path, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        PacketCapture c = new PacketCapture(path, maxBytes, ch);
        try {
            ByteBuffer h = c.staging;
            h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
                    .putInt(LINKTYPE_ETHERNET);
            c.writeStaging();
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        c.writer.start();
        return c;
    }

    /** Where it writes. */
    public Path path() {
        return path;
    }

    /** {@code inner} with every frame to the guest captured first. */
    public FrameSink sink(FrameSink inner) {
        return new FrameSink() {
            @Override
            public ByteBufAllocator alloc() {
                return inner.alloc();
            }

            @Override
            public void sendFrame(ByteBuf frame) {
                if (admit(frame.readableBytes())) {
                    enqueue(frame.retain(), frame.readerIndex(), frame.readableBytes());
                }
                inner.sendFrame(frame);
            }

            @Override
            public void hostSocketOpened() {
                inner.hostSocketOpened();
            }
        };
    }

    /** {@code inner} with every frame from the guest captured first (copied from {@code alloc}). */
    public FrameHandler handler(FrameHandler inner, ByteBufAllocator alloc) {
        return frame -> {
            int len = frame.readableBytes();
            if (admit(len)) {
                ByteBuf copy = alloc.directBuffer(len, len);
                copy.writeBytes(frame, frame.readerIndex(), len);
                enqueue(copy, 0, len);
            }
            inner.receiveFrame(frame);
        };
    }

    /** Whether a frame of {@code len} bytes gets a place in the queue (counted when not). */
    private boolean admit(int len) {
        if (closing || stopped) {
            if (limitReached) {
                overLimit.incrementAndGet();
            }
            return false;
        }
        if (tail - head >= QUEUE_FRAMES || queuedBytes.get() + len > QUEUE_BYTES) {
            queueDropped++;
            return false;
        }
        return true;
    }

    private void enqueue(ByteBuf frame, int offset, int len) {
        long t = tail;
        int i = (int) (t & (QUEUE_FRAMES - 1));
        frames[i] = frame;
        offsets[i] = offset;
        lengths[i] = len;
        stamps[i] = baseMicros + (System.nanoTime() - baseNanos) / 1000;
        queuedBytes.addAndGet(len);
        tail = t + 1; // publishes the slot
        if (writerWaiting) {
            LockSupport.unpark(writer);
        }
    }

    /** The writer thread: records out of the queue into the file, until closed and drained. */
    private void drain() {
        while (true) {
            long h = head;
            if (h == tail) {
                try {
                    writeStaging(); // the file ends at a record boundary whenever the queue is empty
                } catch (IOException e) {
                    fail(e);
                }
                if (closing && h == tail) {
                    return;
                }
                writerWaiting = true;
                if (h == tail && !closing) {
                    LockSupport.parkNanos(100_000_000L);
                }
                writerWaiting = false;
                continue;
            }
            int i = (int) (h & (QUEUE_FRAMES - 1));
            ByteBuf frame = frames[i];
            frames[i] = null;
            try {
                if (!stopped) {
                    record(frame, offsets[i], lengths[i], stamps[i]);
                } else if (limitReached) {
                    overLimit.incrementAndGet(); // queued before the bound was reached
                }
            } catch (IOException e) {
                fail(e);
            } finally {
                frame.release();
                queuedBytes.addAndGet(-lengths[i]);
                head = h + 1;
            }
        }
    }

    private void record(ByteBuf frame, int offset, int len, long micros) throws IOException {
        int incl = Math.min(len, SNAPLEN);
        if (written + staging.position() + RECORD_HEADER + incl > maxBytes) {
            limitReached = true;
            stopped = true;
            overLimit.incrementAndGet();
            return;
        }
        if (staging.remaining() < RECORD_HEADER + incl) {
            writeStaging();
        }
        staging.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(incl).putInt(len);
        int end = staging.position() + incl;
        frame.getBytes(offset, staging.limit(end));
        staging.limit(staging.capacity());
        captured++;
    }

    private void writeStaging() throws IOException {
        staging.flip();
        long n = 0;
        while (staging.hasRemaining()) {
            n += file.write(staging);
        }
        staging.clear();
        written += n;
    }

    private void fail(IOException e) {
        if (failure == null) {
            failure = "writing " + path + ": " + e.getMessage();
        }
        stopped = true;
        staging.clear();
    }

    /** The counters; from any thread (the queue-full count is exact on the loop, close to it elsewhere). */
    public Stats stats() {
        return new Stats(captured, written, queueDropped, overLimit.get(), limitReached, failure);
    }

    /**
     * Stops taking frames, writes what is queued and closes the file; waits up to 10 s for the
     * writer. Idempotent; from any thread but the loop is best (frames offered later are ignored).
     */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (long h = head; h != tail && !writer.isAlive(); h++) { // a frame queued as we closed
            int i = (int) (h & (QUEUE_FRAMES - 1));
            if (frames[i] != null) {
                frames[i].release();
                frames[i] = null;
            }
        }
        try {
            file.close();
        } catch (IOException ignored) {
            // nothing more to write
        }
    }
}
