package dev.jnet.usernet.link;

import dev.jnet.linux.Fd;
import dev.jnet.usernet.KeepRegisteredEpollIoHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import dev.jnet.usernet.wire.VirtioNetHeader;

/**
 * The guest's tap device on a Netty epoll event loop: a raw fd registered as an
 * {@link EpollIoHandle} (no channel, no pipeline). Each wake-up reads up to
 * {@value #READ_BUDGET} frames (one, when frames come alone: {@link #readFrames}), each into a
 * pooled direct buffer of MTU+14 bytes handed to the {@link FrameHandler} as it is (zero copy); only a small frame read into a large buffer (high
 * MTU) is copied into one of its own size, so that a stack keeping slices of many small frames
 * does not hold 64 KiB for each. Frames to the guest are written at once, or, when the tap's queue is
 * full (EAGAIN), kept in a bounded queue until EPOLLOUT. Beyond that queue frames are dropped
 * and counted, as a NIC drops them: TCP's windows, not the link, do the flow control.
 *
 * <p>A tap opened with {@code IFF_VNET_HDR} and offloads on ({@link TapOffload}) carries a
 * {@link VirtioNetHeader} in front of every frame: read frames may be up to 64 KiB TCP
 * super-packets (GSO) whose checksum holds only the pseudo-header sum; the link strips the
 * header and hands such frames to a handler that {@linkplain FrameHandler#takesTrustedFrames()
 * takes trusted frames} as they are, completing the checksum for any other. Towards the guest every
 * frame gets a header (written with writev from a buffer of the link's), and
 * {@link #sendOffloaded} sends TCP super-packets with a partial checksum for the guest's kernel,
 * their payload gathered into the write straight from the stack's send buffer when the tap takes
 * the frame at once (copied into a frame of its own only to be queued).
 *
 * <p>A link that shares its process with other guests' links ({@link Neighbours}: a daemon's)
 * counts the host sockets the stack opens for its guest ({@link #hostSocketOpened}) against an
 * {@link OpenBudget}: while other guests are active, a guest over it is not read for a while
 * ({@link #holds}), so that a flood of new flows costs its neighbours little of the CPU.
 *
 * <p>Everything but {@link #register} runs on the event loop. The fd must be O_NONBLOCK.
 */
public final class TapLink implements FrameSink, EpollIoHandle {
    /** Frames read per wake-up before other work on the loop gets its turn (epoll is level-triggered). */
    static final int READ_BUDGET = 64;
    /**
     * A wake-up sooner than this after the loop finished the work of the last lone frame (its
     * reads, and the tasks they queued: the stack's host writes and ACKs) finds frames that came
     * back to back (a burst, or the guest's answer to what the last frames made us send): they are
     * read until the queue is empty, whatever the last wake-up found. Counted from the end of that
     * work, not of the read, the gap of a burst is about one epoll_wait whatever the frames cost,
     * while the next request of a request/response exchange comes a client's and a server's turn
     * later (a 1-CPU round trip is ~35 us on a fast VM, so a gap from the read alone could not
     * tell them apart).
     */
    static final long BACK_TO_BACK_NANOS = 10_000;
    /** Frames kept while the tap cannot take more (at most this many times MTU+14 bytes). */
    public static final int DEFAULT_TX_QUEUE = 256;

    private static final int ETHERNET_HEADER = 14;
    /** The largest IP packet (IPv4 total length, IPv6 payload length + header rounded down): GSO's limit. */
    static final int MAX_IP_PACKET = 65535;
    /** Frames up to this size are copied out of a read buffer at least four times larger. */
    static final int COPY_BELOW = 2048;

    /** The tap: owned (closed once, through {@link Fd}); {@link #fd} is the same number for Netty. */
    private final Fd tap;
    private final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    private final int frameCapacity;
    private final int txQueueLimit;
    private final ArrayDeque<ByteBuf> txQueue = new ArrayDeque<>();
    /** the vnet header length (0: a plain tap) */
    private final int vnetLength;
    private final VirtioNetHeader rxHeader = new VirtioNetHeader();
    /** with vnet: the header written before each frame, and the iovec array of that write */
    private final ByteBuf txHeader;
    private final IovArray iov;
    /** with vnet: the packed header fields of each queued frame, a ring in step with txQueue */
    private final long[] txMeta;
    private int txMetaHead;
    private final Consumer<Throwable> onFailure;
    /** with neighbours: this link's place among them and its guest's budget of host sockets; else null */
    private final Neighbours.Member neighbour;
    private final OpenBudget openBudget;
    private IoEventLoop loop;
    /** the loop's after-I/O queue (see {@link KeepRegisteredEpollIoHandler#afterIo}) */
    private Consumer<Runnable> afterIo;
    private IoRegistration registration;
    /** not read until a scheduled resume: the guest is over its open budget */
    private boolean held;
    private FrameHandler handler;
    /** The read buffer not handed on by the last read (EAGAIN, or its frame was copied). */
    private ByteBuf spare;
    private boolean closed;
    /** the last wake-up read one frame and then found the queue empty (or read only one by this rule) */
    private boolean lone;
    /** the link's clock, in nanoseconds: System.nanoTime() but in tests ({@link #clock(LongSupplier)}) */
    private LongSupplier clock = System::nanoTime;
    /** {@link #clock} when the loop finished the last lone frame's work, kept while {@link #lone} */
    private long lastReadEnd;

    private long framesIn;
    private long emptyReads;
    private long framesOut;
    private long txDropped;
    private long txErrors;
    private long gsoFramesIn;
    private long gsoFramesOut;
    private long checksumsCompleted;
    private long holds;

    private TapLink(Fd tap, ByteBufAllocator alloc, int mtu, int vnetLength, int txQueueLimit,
            Consumer<Throwable> onFailure, Neighbours neighbours) {
        this.tap = tap;
        this.fd = new FileDescriptor(tap.get());
        this.alloc = alloc;
        this.vnetLength = vnetLength;
        // with offloads the guest hands over super-packets up to the IP limit, whatever its MTU
        this.frameCapacity = vnetLength + Math.max(mtu, vnetLength > 0 ? MAX_IP_PACKET : 0) + ETHERNET_HEADER;
        this.txQueueLimit = txQueueLimit;
        this.onFailure = onFailure;
        boolean budgeted = neighbours != null && neighbours.openRate() > 0;
        this.neighbour = budgeted ? neighbours.join() : null;
        this.openBudget = budgeted ? new OpenBudget(neighbours.openRate()) : null;
        if (vnetLength > 0) {
            this.txHeader = alloc.directBuffer(vnetLength, vnetLength);
            this.iov = new IovArray();
            this.txMeta = new long[txQueueLimit];
        } else {
            this.txHeader = null;
            this.iov = null;
            this.txMeta = null;
        }
    }

    /**
     * Registers the tap {@code fd} with {@code loop}, taking ownership (also when this fails). Nothing is read until
     * {@link #start}; frames sent before are queued. {@code onFailure} hears of a tap that
     * cannot be read any more (the device was deleted): the link is closed by then.
     * Blocks until registered; must not be called on {@code loop}.
     */
    public static TapLink register(IoEventLoop loop, Fd fd, int mtu, ByteBufAllocator alloc, int txQueueLimit,
            Consumer<Throwable> onFailure) throws IOException {
        return register(loop, fd, mtu, 0, alloc, txQueueLimit, onFailure);
    }

    /**
     * {@link #register(IoEventLoop, Fd, int, ByteBufAllocator, int, Consumer)} for a tap whose frames
     * carry a virtio-net header of {@code vnetLength} bytes ({@link VirtioNetHeader#LENGTH} or
     * {@link VirtioNetHeader#LENGTH_MRG_RXBUF}; 0 for a plain tap), as {@link TapOffload#enable} says.
     */
    public static TapLink register(IoEventLoop loop, Fd fd, int mtu, int vnetLength, ByteBufAllocator alloc,
            int txQueueLimit, Consumer<Throwable> onFailure) throws IOException {
        return register(loop, fd, mtu, vnetLength, alloc, txQueueLimit, onFailure, null);
    }

    /**
     * {@link #register(IoEventLoop, Fd, int, int, ByteBufAllocator, int, Consumer)} for a link among
     * {@code neighbours} (null: alone, as a process of its own), which it leaves when closed; its
     * guest gets an {@link OpenBudget} of their {@link Neighbours#openRate} (0: none).
     */
    public static TapLink register(IoEventLoop loop, Fd fd, int mtu, int vnetLength, ByteBufAllocator alloc,
            int txQueueLimit, Consumer<Throwable> onFailure, Neighbours neighbours) throws IOException {
        if (vnetLength != 0 && vnetLength != VirtioNetHeader.LENGTH && vnetLength != VirtioNetHeader.LENGTH_MRG_RXBUF) {
            fd.close();
            throw new IllegalArgumentException("vnet header length " + vnetLength + ": 0, 10 or 12");
        }
        TapLink link = null;
        try {
            Epoll.ensureAvailability();
            link = new TapLink(fd, alloc, mtu, vnetLength, txQueueLimit, onFailure, neighbours);
            link.loop = loop;
            link.afterIo = KeepRegisteredEpollIoHandler.afterIo(loop);
            link.registration = loop.register(link).syncUninterruptibly().getNow();
        } catch (RuntimeException | Error e) {
            if (link != null && link.neighbour != null) {
                link.neighbour.leave();
            }
            fd.close();
            throw new IOException("registering the tap with epoll: " + e.getMessage(), e);
        }
        return link;
    }

    /**
     * The clock the lone-frame rule and the open budget read (tests: a clock they step, so
     * that the rule's timing is deterministic). Call before {@link #start}.
     */
    void clock(LongSupplier nanos) {
        this.clock = nanos;
    }

    /** Starts reading frames into {@code handler}. */
    public void start(FrameHandler handler) {
        this.handler = handler;
        if (!closed) {
            registration.submit(interest(!txQueue.isEmpty()));
        }
    }

    /** What to wait for: frames from the guest unless {@link #held}, and with {@code out} room in the tap. */
    private EpollIoOps interest(boolean out) {
        EpollIoOps in = held ? EpollIoOps.NONE : EpollIoOps.EPOLLIN;
        return out ? in.with(EpollIoOps.EPOLLOUT) : in;
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
        if ((ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLERR)) && !held) {
            readFrames();
        }
    }

    /**
     * Reads up to {@link #READ_BUDGET} frames, normally until the queue is empty (EAGAIN). A frame
     * that came alone, after a pause, is read alone: one request of a request/response exchange or
     * a step of a handshake is seldom followed by another at once, and the read that would find
     * the queue empty is a syscall (~1.3 us on a VM) per frame. Nothing waits for it: epoll is
     * level-triggered and wakes the loop again for any frame left.
     */
    private void readFrames() {
        if (neighbour != null) {
            neighbour.mark(clock.getAsLong());
        }
        int budget = lone && clock.getAsLong() - lastReadEnd > BACK_TO_BACK_NANOS ? 1 : READ_BUDGET;
        lone = readFrames(budget) == 1;
        if (lone) {
            lastReadEnd = Long.MAX_VALUE; // until the loop is through with what this frame made it do
            afterIo.accept(markWorkDone); // after the tasks queued meanwhile (the stack's end-of-batch flush)
        }
    }

    private final Runnable markWorkDone = () -> lastReadEnd = clock.getAsLong();

    /** Reads up to {@code budget} frames: how many were handed on; fewer than the budget, the queue is empty. */
    private int readFrames(int budget) {
        int frames = 0;
        for (int i = 0; i < budget && !closed; i++) {
            if (spare == null) {
                spare = alloc.directBuffer(frameCapacity, frameCapacity);
            }
            int n;
            try {
                n = read(spare);
            } catch (IOException e) {
                fail(e);
                return frames;
            }
            if (n <= 0) {
                if (n < 0) {
                    fail(new IOException("tap: end of file"));
                } else {
                    emptyReads++;
                }
                return frames; // EAGAIN: the buffer waits for the next wake-up
            }
            if (n < vnetLength) {
                continue; // cannot happen with a tap: nothing to hand on
            }
            int len = n - vnetLength;
            ByteBuf frame;
            if (len <= COPY_BELOW && frameCapacity >= 4 * COPY_BELOW) {
                frame = alloc.directBuffer(len, len).writeBytes(spare, vnetLength, len);
            } else {
                frame = spare.setIndex(vnetLength, n);
                spare = null;
            }
            framesIn++;
            try {
                if (vnetLength > 0 && rxTrusted(frame)) {
                    handler.receiveTrustedFrame(frame);
                } else {
                    handler.receiveFrame(frame);
                }
            } catch (RuntimeException e) {
                // a stack that throws has state no one can trust any more: this guest's link
                // closes (its owner hears why), and the loop goes on serving every other guest
                fail(new IOException("the stack failed on a frame from the guest: " + e, e));
                return frames;
            }
            frames++;
            if (openBudget != null && openBudget.spent() && hold()) {
                return frames;
            }
        }
        return frames;
    }

    /** Stops reading the guest for as long as its {@link OpenBudget} says (none: false). */
    private boolean hold() {
        long now = clock.getAsLong();
        long wait = openBudget.holdNanos(now, !neighbour.othersActive(now));
        if (wait == 0 || closed) {
            return false;
        }
        held = true;
        holds++;
        registration.submit(interest(!txQueue.isEmpty()));
        loop.schedule(this::resume, wait, TimeUnit.NANOSECONDS);
        return true;
    }

    private void resume() {
        held = false;
        if (!closed) {
            registration.submit(interest(!txQueue.isEmpty()));
        }
    }

    @Override
    public void hostSocketOpened() {
        if (openBudget != null) {
            openBudget.charge(clock.getAsLong());
        }
    }

    /**
     * Reads the virtio-net header in front of {@code frame} (still in the read buffer, or copied
     * out of it: {@code spare} is reused only by the next read): whether the stack may skip the
     * transport checksum. A partial checksum the stack cannot skip is completed here, as a NIC would.
     */
    private boolean rxTrusted(ByteBuf frame) {
        VirtioNetHeader h = rxHeader.read(spare != null ? spare : frame, 0); // at 0 in the read buffer
        if (h.segmented()) {
            gsoFramesIn++;
        }
        if (h.needsChecksum()) {
            if (h.partialTcpOrUdp() && handler.takesTrustedFrames()) {
                return true;
            }
            checksumsCompleted++;
            h.completeChecksum(frame, frame.readerIndex(), frame.writerIndex());
            return false;
        }
        return h.dataValid() && handler.takesTrustedFrames();
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
        send(frame, 0L);
    }

    @Override
    public int offloadFrameLimit() {
        return vnetLength > 0 ? ETHERNET_HEADER + MAX_IP_PACKET : 0;
    }

    @Override
    public void sendOffloaded(ByteBuf frame, int csumStart, int headerEnd, boolean v6, int segmentSize) {
        if (vnetLength == 0) {
            frame.release();
            throw new UnsupportedOperationException("a tap without IFF_VNET_HDR has no offloads");
        }
        send(frame, offloadMeta(frame.readableBytes(), csumStart, headerEnd, v6, segmentSize));
    }

    /**
     * One writev of the vnet header, {@code headers} and the payload's own memory (no copy) when
     * nothing is queued before it and the tap takes it; otherwise the frame is joined (a copy) and
     * sent as any other.
     */
    @Override
    public void sendOffloaded(ByteBuf headers, ByteBuf payload, int payloadIndex, int payloadLength, int csumStart,
            int headerEnd, boolean v6, int segmentSize) {
        if (vnetLength == 0) {
            headers.release();
            throw new UnsupportedOperationException("a tap without IFF_VNET_HDR has no offloads");
        }
        long meta = offloadMeta(headers.readableBytes() + payloadLength, csumStart, headerEnd, v6, segmentSize);
        if (!closed && txQueue.isEmpty() && headers.isDirect()) {
            long n;
            try {
                n = writeGathered(headers, payload, payloadIndex, payloadLength, meta);
            } catch (IOException e) {
                txErrors++; // dropped, as a NIC would (see writeOrKeep)
                headers.release();
                return;
            }
            if (n > 0) {
                framesOut++;
                headers.release();
                return;
            }
        }
        ByteBuf frame;
        try {
            frame = alloc.directBuffer(headers.readableBytes() + payloadLength)
                    .writeBytes(headers, headers.readerIndex(), headers.readableBytes())
                    .writeBytes(payload, payloadIndex, payloadLength);
        } finally {
            headers.release();
        }
        send(frame, meta);
    }

    /** The packed header fields of an offloaded frame of {@code length} bytes ({@link #send}'s {@code meta}). */
    private long offloadMeta(int length, int csumStart, int headerEnd, boolean v6, int segmentSize) {
        int gsoType = VirtioNetHeader.GSO_NONE;
        if (length - headerEnd > segmentSize) {
            gsoType = v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4;
            gsoFramesOut++;
        }
        return 1L << 56 | (long) gsoType << 48 | (long) segmentSize << 32 | (long) csumStart << 16 | headerEnd;
    }

    /** writev(2) of the vnet header, the headers and the payload's pieces: the frame's bytes, 0 if not written. */
    private long writeGathered(ByteBuf headers, ByteBuf payload, int index, int length, long meta) throws IOException {
        fillTxHeader(meta);
        iov.clear();
        if (!iov.add(txHeader, 0, vnetLength) || !iov.add(headers, headers.readerIndex(), headers.readableBytes())
                || !addPayload(payload, index, length)) {
            return 0; // more pieces than one writev takes, or heap memory: the joined frame instead
        }
        long n = fd.writevAddresses(iov.memoryAddress(0), iov.count());
        return n == 0 ? 0 : n - vnetLength;
    }

    /** Adds {@code payload[index, +length)} to the iovec array, a composite component by component (no allocation). */
    private boolean addPayload(ByteBuf payload, int index, int length) {
        if (!(payload instanceof CompositeByteBuf)) {
            return payload.isDirect() && iov.add(payload, index, length);
        }
        CompositeByteBuf chain = (CompositeByteBuf) payload;
        int i = chain.toComponentIndex(index);
        while (length > 0) {
            ByteBuf part = chain.internalComponent(i);
            int offset = index - chain.toByteIndex(i);
            int n = Math.min(part.readableBytes() - offset, length);
            if (!part.isDirect() || !iov.add(part, part.readerIndex() + offset, n)) {
                return false;
            }
            index += n;
            length -= n;
            i++;
        }
        return true;
    }

    /** {@code meta}: 0 for a whole frame, else NEEDS_CSUM(1 bit), gso_type, gso_size, csum_start, hdr_len. */
    private void send(ByteBuf frame, long meta) {
        if (closed) {
            frame.release();
            txDropped++;
            return;
        }
        if (!txQueue.isEmpty()) {
            enqueue(frame, meta);
            return;
        }
        if (!writeOrKeep(frame, meta)) {
            enqueue(frame, meta);
            registration.submit(interest(true));
        }
    }

    private void enqueue(ByteBuf frame, long meta) {
        if (txQueue.size() >= txQueueLimit) {
            frame.release();
            txDropped++;
            return;
        }
        if (txMeta != null) {
            txMeta[(txMetaHead + txQueue.size()) % txMeta.length] = meta;
        }
        txQueue.add(frame);
    }

    private void flushQueue() {
        while (!txQueue.isEmpty()) {
            if (!writeOrKeep(txQueue.peek(), txMeta == null ? 0L : txMeta[txMetaHead])) {
                return; // still full: EPOLLOUT stays on
            }
            txQueue.poll();
            if (txMeta != null) {
                txMetaHead = (txMetaHead + 1) % txMeta.length;
            }
        }
        if (!closed) {
            registration.submit(interest(false));
        }
    }

    /**
     * One write(2) (writev(2) for a frame in several pieces: the tap takes one frame per call).
     * Returns false, keeping the frame, when the tap is full; otherwise the frame is released:
     * written, or dropped on an error (a tap that is down says EIO), as a NIC would.
     */
    private boolean writeOrKeep(ByteBuf frame, long meta) {
        int len = frame.readableBytes();
        long n;
        try {
            if (vnetLength > 0) {
                n = writeWithHeader(frame, meta);
            } else if (frame.nioBufferCount() > 1) {
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

    /** writev(2) of the virtio-net header {@code meta} describes and the frame: one frame for the tap. */
    private long writeWithHeader(ByteBuf frame, long meta) throws IOException {
        fillTxHeader(meta);
        iov.clear();
        ByteBuf body = frame.isDirect() ? frame : copyToDirect(frame);
        try {
            if (!iov.add(txHeader, 0, vnetLength) || !iov.add(body, body.readerIndex(), body.readableBytes())) {
                throw new IOException("tap: a frame in more pieces than writev takes");
            }
            long n = fd.writevAddresses(iov.memoryAddress(0), iov.count());
            return n == 0 ? 0 : n - vnetLength;
        } finally {
            if (body != frame) {
                body.release();
            }
        }
    }

    /** The virtio-net header {@code meta} describes, into {@code txHeader}. */
    private void fillTxHeader(long meta) {
        if (meta == 0) {
            VirtioNetHeader.write(txHeader, 0, vnetLength, 0, VirtioNetHeader.GSO_NONE, 0, 0, 0, 0);
        } else {
            int headerEnd = (int) (meta & 0xFFFF);
            int csumStart = (int) (meta >>> 16 & 0xFFFF);
            int gsoSize = (int) (meta >>> 32 & 0xFFFF);
            int gsoType = (int) (meta >>> 48 & 0xFF);
            VirtioNetHeader.write(txHeader, 0, vnetLength, VirtioNetHeader.F_NEEDS_CSUM, gsoType, headerEnd,
                    gsoType == VirtioNetHeader.GSO_NONE ? 0 : gsoSize, csumStart, VirtioNetHeader.TCP_CSUM_OFFSET);
        }
    }

    private ByteBuf copyToDirect(ByteBuf frame) {
        return alloc.directBuffer(frame.readableBytes()).writeBytes(frame, frame.readerIndex(), frame.readableBytes());
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

    /** Reads that found no frame (EAGAIN): what {@link #readFrames} saves by reading a lone frame alone. */
    public long emptyReads() {
        return emptyReads;
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

    /** Super-packets (GSO) the guest handed over (vnet header with a gso_type). */
    public long gsoFramesIn() {
        return gsoFramesIn;
    }

    /** Super-packets (GSO) written to the guest for its kernel to cut into segments. */
    public long gsoFramesOut() {
        return gsoFramesOut;
    }

    /** Partial checksums of the guest's the link completed (for a handler that checks them itself). */
    public long checksumsCompleted() {
        return checksumsCompleted;
    }

    /** The virtio-net header length of the tap's frames (0: a plain tap, no offloads). */
    public int vnetHeaderLength() {
        return vnetLength;
    }

    /** Times the guest was not read for a while: over its {@link OpenBudget} with neighbours active. */
    public long holds() {
        return holds;
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
        if (neighbour != null) {
            neighbour.leave();
        }
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
        if (txHeader != null) {
            txHeader.release();
            iov.release();
        }
        tap.close();
    }
}
