package dev.jnet.usernet.link;

import dev.jnet.linux.Fd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The guest's tap device on a Netty epoll event loop: a raw fd registered as an
 * {@link EpollIoHandle} (no channel, no pipeline). Each wake-up reads up to
 * {@value #READ_BUDGET} frames, each into a pooled direct buffer of MTU+14 bytes handed to the
 * {@link FrameHandler} as it is (zero copy); only a small frame read into a large buffer (high
 * MTU) is copied into one of its own size, so that a stack keeping slices of many small frames
 * does not hold 64 KiB for each. Frames to the guest are written at once, or, when the tap's queue is
 * full (EAGAIN), kept in a bounded queue until EPOLLOUT. Beyond that queue frames are dropped
 * and counted, as a NIC drops them: TCP's windows, not the link, do the flow control.
 *
 * <p>Everything but {@link #register} runs on the event loop. The fd must be O_NONBLOCK.
 */
public final class TapLink implements FrameSink, EpollIoHandle {
    /** Frames read per wake-up before other work on the loop gets its turn (epoll is level-triggered). */
    static final int READ_BUDGET = 64;
    /** Frames kept while the tap cannot take more (at most this many times MTU+14 bytes). */
    public static final int DEFAULT_TX_QUEUE = 256;

    private static final int ETHERNET_HEADER = 14;
    /** Frames up to this size are copied out of a read buffer at least four times larger. */
    static final int COPY_BELOW = 2048;

    /** The tap: owned (closed once, through {@link Fd}); {@link #fd} is the same number for Netty. */
    private final Fd tap;
    private final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    private final int frameCapacity;
    private final int txQueueLimit;
    private final ArrayDeque<ByteBuf> txQueue = new ArrayDeque<>();
    private final Consumer<Throwable> onFailure;
    private IoRegistration registration;
    private FrameHandler handler;
    /** The read buffer not handed on by the last read (EAGAIN, or its frame was copied). */
    private ByteBuf spare;
    private boolean closed;

    private long framesIn;
    private long framesOut;
    private long txDropped;
    private long txErrors;

    private TapLink(Fd tap, ByteBufAllocator alloc, int mtu, int txQueueLimit, Consumer<Throwable> onFailure) {
        this.tap = tap;
        this.fd = new FileDescriptor(tap.get());
        this.alloc = alloc;
        this.frameCapacity = mtu + ETHERNET_HEADER;
        this.txQueueLimit = txQueueLimit;
        this.onFailure = onFailure;
    }

    /**
     * Registers the tap {@code fd} with {@code loop}, taking ownership (also when this fails). Nothing is read until
     * {@link #start}; frames sent before are queued. {@code onFailure} hears of a tap that
     * cannot be read any more (the device was deleted): the link is closed by then.
     * Blocks until registered; must not be called on {@code loop}.
     */
    public static TapLink register(IoEventLoop loop, Fd fd, int mtu, ByteBufAllocator alloc, int txQueueLimit,
            Consumer<Throwable> onFailure) throws IOException {
        TapLink link;
        try {
            Epoll.ensureAvailability();
            link = new TapLink(fd, alloc, mtu, txQueueLimit, onFailure);
            link.registration = loop.register(link).syncUninterruptibly().getNow();
        } catch (RuntimeException | Error e) {
            fd.close();
            throw new IOException("registering the tap with epoll: " + e.getMessage(), e);
        }
        return link;
    }

    /** Starts reading frames into {@code handler}. */
    public void start(FrameHandler handler) {
        this.handler = handler;
        if (!closed) {
            registration.submit(txQueue.isEmpty() ? EpollIoOps.EPOLLIN : EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT));
        }
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLOUT)) {
            flushQueue();
        }
        if (ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLERR)) {
            readFrames();
        }
    }

    private void readFrames() {
        for (int i = 0; i < READ_BUDGET && !closed; i++) {
            if (spare == null) {
                spare = alloc.directBuffer(frameCapacity, frameCapacity);
            }
            int n;
            try {
                n = read(spare);
            } catch (IOException e) {
                fail(e);
                return;
            }
            if (n <= 0) {
                if (n < 0) {
                    fail(new IOException("tap: end of file"));
                }
                return; // EAGAIN: the buffer waits for the next wake-up
            }
            ByteBuf frame;
            if (n <= COPY_BELOW && frameCapacity >= 4 * COPY_BELOW) {
                frame = alloc.directBuffer(n, n).writeBytes(spare, 0, n);
            } else {
                frame = spare.writerIndex(n);
                spare = null;
            }
            framesIn++;
            try {
                handler.receiveFrame(frame);
            } catch (RuntimeException e) {
                // a stack that throws has state no one can trust any more: this guest's link
                // closes (its owner hears why), and the loop goes on serving every other guest
                fail(new IOException("the stack failed on a frame from the guest: " + e, e));
                return;
            }
        }
    }

    /** One read(2): bytes read, 0 for EAGAIN, -1 for end of file. */
    private int read(ByteBuf frame) throws IOException {
        if (frame.hasMemoryAddress()) {
            return fd.readAddress(frame.memoryAddress(), 0, frameCapacity);
        }
        ByteBuffer nio = frame.internalNioBuffer(0, frameCapacity);
        return fd.read(nio, nio.position(), nio.limit());
    }

    @Override
    public void sendFrame(ByteBuf frame) {
        if (closed) {
            frame.release();
            txDropped++;
            return;
        }
        if (!txQueue.isEmpty()) {
            enqueue(frame);
            return;
        }
        if (!writeOrKeep(frame)) {
            enqueue(frame);
            registration.submit(EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT));
        }
    }

    private void enqueue(ByteBuf frame) {
        if (txQueue.size() >= txQueueLimit) {
            frame.release();
            txDropped++;
            return;
        }
        txQueue.add(frame);
    }

    private void flushQueue() {
        while (!txQueue.isEmpty()) {
            if (!writeOrKeep(txQueue.peek())) {
                return; // still full: EPOLLOUT stays on
            }
            txQueue.poll();
        }
        if (!closed) {
            registration.submit(EpollIoOps.EPOLLIN);
        }
    }

    /**
     * One write(2) (writev(2) for a frame in several pieces: the tap takes one frame per call).
     * Returns false, keeping the frame, when the tap is full; otherwise the frame is released:
     * written, or dropped on an error (a tap that is down says EIO), as a NIC would.
     */
    private boolean writeOrKeep(ByteBuf frame) {
        int len = frame.readableBytes();
        long n;
        try {
            if (frame.nioBufferCount() > 1) {
                ByteBuffer[] parts = frame.nioBuffers();
                n = fd.writev(parts, 0, parts.length, len);
            } else if (frame.hasMemoryAddress()) {
                n = fd.writeAddress(frame.memoryAddress(), frame.readerIndex(), frame.writerIndex());
            } else if (frame.isDirect()) {
                ByteBuffer nio = frame.nioBuffer();
                n = fd.write(nio, nio.position(), nio.limit());
            } else {
                n = writeCopy(frame);
            }
        } catch (IOException e) {
            txErrors++;
            frame.release();
            return true;
        }
        if (n == 0 && len > 0) {
            return false;
        }
        framesOut++;
        frame.release();
        return true;
    }

    /** A heap frame: the tap needs native memory, so one copy into a pooled direct buffer. */
    private long writeCopy(ByteBuf frame) throws IOException {
        ByteBuf direct = alloc.directBuffer(frame.readableBytes());
        try {
            direct.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
            ByteBuffer nio = direct.nioBuffer();
            return fd.write(nio, nio.position(), nio.limit());
        } finally {
            direct.release();
        }
    }

    private void fail(Throwable cause) {
        closeNow();
        onFailure.accept(cause);
    }

    /** Frames read from the guest so far. */
    public long framesIn() {
        return framesIn;
    }

    /** Frames written to the guest so far. */
    public long framesOut() {
        return framesOut;
    }

    /** Frames to the guest dropped because the queue was full (or the link closed). */
    public long txDropped() {
        return txDropped;
    }

    /** Frames to the guest the tap refused (e.g. EIO while it is down). */
    public long txErrors() {
        return txErrors;
    }

    /** Frames waiting for the tap to take them. */
    public int txQueued() {
        return txQueue.size();
    }

    /** Deregisters and closes the tap fd (the device goes away unless persistent); on the loop. */
    @Override
    public void close() {
        closeNow();
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        ByteBuf b;
        while ((b = txQueue.poll()) != null) {
            b.release();
        }
        if (spare != null) {
            spare.release();
            spare = null;
        }
        tap.close();
    }
}
