package dev.jnet.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import dev.jnet.linux.Errno;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.KeepRegisteredEpollIoHandler;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpSegment;
import dev.jnet.usernet.wire.VirtioNetHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The link's epoll plumbing, without root: a SOCK_SEQPACKET socket pair stands in for the tap
 * (one read or write per frame, boundaries kept, EAGAIN when full, end of file when the other
 * side closes), the test holding the "kernel" end.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TapLinkTest {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MTU = 1500;

    private MultiThreadIoEventLoopGroup group;
    private IoEventLoop loop;
    private int kernelEnd = -1;
    private int linkEnd = -1;
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Throwable> failure = new CompletableFuture<>();

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, KeepRegisteredEpollIoHandler.newFactory());
        loop = (IoEventLoop) group.next();
        int[] sv = Syscalls.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, "test link");
        kernelEnd = sv[0];
        linkEnd = sv[1];
        Syscalls.setNonBlocking(linkEnd, "link end");
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (kernelEnd >= 0) {
            Syscalls.close(kernelEnd);
        }
    }

    private TapLink link(int txQueue) throws Exception {
        TapLink link = TapLink.register(loop, dev.jnet.linux.Fd.adopt(linkEnd, "link end"), MTU,
                PooledByteBufAllocator.DEFAULT, txQueue, failure::complete);
        linkEnd = -1; // the link owns it
        return link;
    }

    /** Copies every frame and releases it, as a stack that took ownership would. */
    private final FrameHandler collector = frame -> {
        try {
            byte[] b = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), b);
            assertThat(frame.isDirect()).isTrue();
            received.add(b);
        } finally {
            frame.release();
        }
    };

    private void sendFromKernel(byte[] frame) {
        Memory m = new Memory(frame.length);
        m.write(0, frame, 0, frame.length);
        Syscalls.send(kernelEnd, m, frame.length, "kernel end");
    }

    /** One frame from the link's writes, or null if none is waiting. */
    private byte[] readAtKernel() {
        Memory m = new Memory(70_000);
        try {
            long n = Syscalls.recv(kernelEnd, m, 70_000, MSG_DONTWAIT, "kernel end");
            return m.getByteArray(0, (int) n);
        } catch (SyscallException e) {
            if (e.errno() == Errno.EAGAIN) {
                return null;
            }
            throw e;
        }
    }

    private static byte[] frame(int len, int seed) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    private <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    /** A link among {@code neighbours} whose guest makes the stack open a host socket per frame. */
    private TapLink openingLink(Neighbours neighbours, List<long[]> seen) throws Exception {
        TapLink link = TapLink.register(loop, dev.jnet.linux.Fd.adopt(linkEnd, "link end"), MTU, 0,
                PooledByteBufAllocator.DEFAULT, 16, failure::complete, neighbours);
        linkEnd = -1;
        onLoop(() -> {
            link.start(frame -> {
                seen.add(new long[] {link.holds(), System.nanoTime()});
                collector.receiveFrame(frame);
                link.hostSocketOpened(); // as the stack says for each new flow
            });
            return null;
        });
        return link;
    }

    /** Marks {@code m} as reading frames every 10 ms until the returned flag is set (bounded: 60 s). */
    private static java.util.concurrent.atomic.AtomicBoolean keepActive(Neighbours.Member m) {
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread t = new Thread(() -> {
            for (int i = 0; i < 6000 && !stop.get(); i++) {
                m.mark(System.nanoTime());
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "active neighbour");
        t.setDaemon(true);
        t.start();
        return stop;
    }

    /**
     * A guest that makes the host open sockets faster than its {@link OpenBudget} while another
     * guest of the process is active: after a burst the link stops reading it (the next frame
     * comes only after a hold of at least five opens' worth of the rate, 10 ms), yet every frame
     * still arrives, in order.
     */
    @Test
    void aGuestOpeningHostSocketsBeyondItsBudgetIsHeldWhileANeighbourIsActive() throws Exception {
        Neighbours neighbours = new Neighbours();
        var stop = keepActive(neighbours.join());
        List<long[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        TapLink link = openingLink(neighbours, seen);
        int n = OpenBudget.BURST * 2;
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] f = frame(60 + i, i);
            sent.add(f);
            sendFromKernel(f);
        }
        for (byte[] expected : sent) {
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(expected);
        }
        stop.set(true);
        int firstHeld = -1;
        for (int i = 0; i < n && firstHeld < 0; i++) {
            if (seen.get(i)[0] > 0) {
                firstHeld = i;
            }
        }
        assertThat(firstHeld).as("the first frame read after a hold").isGreaterThan(OpenBudget.BURST);
        assertThat(seen.get(firstHeld)[1] - seen.get(firstHeld - 1)[1]).as("ns the link did not read")
                .isGreaterThanOrEqualTo(OpenBudget.HOLD_OPENS * 1_000_000_000L / OpenBudget.RATE);
        assertThat(onLoop(link::holds)).isPositive();
        assertThat(failure).isNotDone();
        onLoop(() -> {
            link.close();
            return null;
        });
        assertThat(neighbours.size()).as("the closed link left").isEqualTo(1);
    }

    /** The same guest with neighbours that read nothing is never held. */
    @Test
    void aGuestWhoseNeighboursAreIdleIsNeverHeld() throws Exception {
        Neighbours neighbours = new Neighbours();
        neighbours.join(); // attached, idle
        assertNeverHeld(neighbours);
    }

    /** Nor is it among active neighbours that have no open budget ({@code jnet usernetd --open-rate 0}). */
    @Test
    void aGuestAmongNeighboursWithoutABudgetIsNeverHeld() throws Exception {
        Neighbours neighbours = new Neighbours(0);
        var stop = keepActive(neighbours.join());
        try {
            assertNeverHeld(neighbours);
        } finally {
            stop.set(true);
        }
    }

    private void assertNeverHeld(Neighbours neighbours) throws Exception {
        List<long[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        TapLink link = openingLink(neighbours, seen);
        int n = OpenBudget.BURST * 4;
        for (int i = 0; i < n; i++) {
            byte[] f = frame(60 + i, i);
            sendFromKernel(f);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(f);
        }
        assertThat(onLoop(link::holds)).isZero();
        onLoop(() -> {
            link.close();
            return null;
        });
    }

    /** A link closed while it holds its guest: the pending resume finds it closed, nothing fails. */
    @Test
    void aLinkClosedWhileHoldingItsGuestLeavesItsNeighboursAndStaysClosed() throws Exception {
        Neighbours neighbours = new Neighbours();
        var stop = keepActive(neighbours.join());
        List<long[]> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        TapLink link = openingLink(neighbours, seen);
        for (int i = 0; i <= OpenBudget.BURST; i++) {
            sendFromKernel(frame(60, i));
        }
        for (int i = 0; i <= OpenBudget.BURST; i++) {
            assertThat(received.poll(10, TimeUnit.SECONDS)).isNotNull();
        }
        for (int i = 0; i < 500 && onLoop(link::holds) == 0; i++) { // the last frame's open spent the burst
            sendFromKernel(frame(60, 1000 + i));
            received.poll(10, TimeUnit.SECONDS);
        }
        assertThat(onLoop(link::holds)).isPositive();
        onLoop(() -> {
            link.close();
            return null;
        });
        stop.set(true);
        assertThat(neighbours.size()).isEqualTo(1);
        Thread.sleep(100); // past the hold: the resume ran on the closed link
        assertThat(onLoop(link::framesIn)).as("nothing read after close").isEqualTo(seen.size());
        assertThat(failure).isNotDone();
    }

    @Test
    void framesFromTheGuestArriveOneByOneInDirectBuffers() throws Exception {
        TapLink link = link(16);
        onLoop(() -> {
            link.start(collector);
            return null;
        });
        List<byte[]> sent = new ArrayList<>();
        // more than one wake-up's budget, sizes from a runt to a full MTU-sized frame
        for (int i = 0; i < TapLink.READ_BUDGET * 3; i++) {
            byte[] f = frame(i == 0 ? MTU + 14 : 60 + i * 7, i);
            sent.add(f);
            sendFromKernel(f);
        }
        for (byte[] expected : sent) {
            byte[] got = received.poll(10, TimeUnit.SECONDS);
            assertThat(got).isEqualTo(expected);
        }
        assertThat(onLoop(link::framesIn)).isEqualTo(sent.size());
        onLoop(() -> {
            link.close();
            return null;
        });
    }

    /**
     * Frames that come alone after a pause (a request/response exchange) are read without the
     * read that finds the queue empty, after the first: five spaced frames cost one empty read,
     * not five. A burst queued meanwhile is still read whole and in order (epoll is
     * level-triggered: a frame left behind wakes the loop again).
     */
    @Test
    void aLoneFrameIsReadAloneAndABurstStillArrivesWhole() throws Exception {
        TapLink link = link(16);
        onLoop(() -> {
            link.start(collector);
            return null;
        });
        for (int i = 0; i < 5; i++) {
            byte[] f = frame(60 + i, i);
            sendFromKernel(f);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(f);
            Thread.sleep(2); // a pause far longer than TapLink.BACK_TO_BACK_NANOS
        }
        assertThat(onLoop(link::emptyReads)).as("empty reads after five lone frames").isEqualTo(1);
        CountDownLatch queued = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                queued.await(10, TimeUnit.SECONDS); // the loop reads nothing while the burst queues
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        List<byte[]> burst = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            byte[] f = frame(100 + i, 50 + i);
            burst.add(f);
            sendFromKernel(f);
        }
        queued.countDown();
        for (byte[] expected : burst) {
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(expected);
        }
        assertThat(onLoop(link::framesIn)).isEqualTo(15);
        onLoop(() -> {
            link.close();
            return null;
        });
    }

    /**
     * The lone-frame rule's pause is counted from the end of the work a lone frame caused (the
     * tasks its read queued, as the stack's end-of-batch flush), not from its read: a frame 5 us
     * after that work ended is back to back and read until the queue is empty (one more empty
     * read), though the work took 1 ms after the read; a frame 1 ms after it is read alone (no
     * empty read). The link's clock is the test's, stepped by the frames' work and by hand.
     */
    @Test
    void theLoneFramePauseCountsFromTheEndOfTheWorkTheFrameCaused() throws Exception {
        TapLink link = link(16);
        AtomicLong now = new AtomicLong(1_000_000_000L);
        AtomicLong work = new AtomicLong(); // what the next frame's queued task takes, in ns
        long ms = 1_000_000L;
        FrameHandler working = frame -> {
            long w = work.getAndSet(0);
            // the stack's work for the frame after the read: its end-of-batch flush, an after-I/O task
            KeepRegisteredEpollIoHandler.afterIo(loop).accept(() -> now.addAndGet(w));
            collector.receiveFrame(frame);
        };
        onLoop(() -> {
            link.clock(now::get);
            link.start(working);
            return null;
        });
        deliverAndSettle(frame(60, 1)); // nothing came before: read until the queue is empty
        assertThat(onLoop(link::emptyReads)).isEqualTo(1);
        now.addAndGet(ms);
        work.set(ms);
        deliverAndSettle(frame(61, 2));
        assertThat(onLoop(link::emptyReads)).as("a frame 1 ms after the last work is read alone").isEqualTo(1);
        now.addAndGet(5_000); // its work ended 1 ms after its read; 5 us later the next frame
        deliverAndSettle(frame(62, 3));
        assertThat(onLoop(link::emptyReads)).as("5 us after the work the last frame caused: back to back, "
                + "read until the queue is empty, though 1 ms passed since that frame's read").isEqualTo(2);
        now.addAndGet(ms);
        deliverAndSettle(frame(63, 4));
        assertThat(onLoop(link::emptyReads)).as("1 ms after: alone again").isEqualTo(2);
        assertThat(onLoop(link::framesIn)).isEqualTo(4);
        onLoop(() -> {
            link.close();
            return null;
        });
    }

    /** Sends {@code f}, waits for it to arrive and for the tasks its read queued to run. */
    private void deliverAndSettle(byte[] f) throws Exception {
        sendFromKernel(f);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(f);
        // a first task runs once the read is over (its tasks queued before or after it); a
        // second one, queued then, runs after them
        onLoop(() -> null);
        onLoop(() -> null);
    }

    @Test
    void atAHighMtuSmallFramesGetBuffersOfTheirSizeAndLargeOnesAreNotCopied() throws Exception {
        int mtu = 65521;
        TapLink link = TapLink.register(loop, dev.jnet.linux.Fd.adopt(linkEnd, "link end"), mtu,
                PooledByteBufAllocator.DEFAULT, 16, failure::complete);
        linkEnd = -1;
        BlockingQueue<int[]> capacities = new LinkedBlockingQueue<>();
        onLoop(() -> {
            link.start(frame -> {
                capacities.add(new int[] {frame.readableBytes(), frame.capacity(), frame.getByte(frame.readerIndex() + 5)});
                frame.release();
            });
            return null;
        });
        byte[] small = frame(60, 7);
        byte[] large = frame(mtu + 14, 8);
        sendFromKernel(small);
        sendFromKernel(large);
        int[] s = capacities.poll(10, TimeUnit.SECONDS);
        assertThat(s[0]).isEqualTo(60);
        assertThat(s[1]).as("a buffer of its own size, not 64 KiB").isLessThanOrEqualTo(TapLink.COPY_BELOW);
        assertThat((byte) s[2]).isEqualTo(small[5]);
        int[] l = capacities.poll(10, TimeUnit.SECONDS);
        assertThat(l[0]).isEqualTo(mtu + 14);
        assertThat(l[1]).isEqualTo(mtu + 14);
        assertThat((byte) l[2]).isEqualTo(large[5]);
    }

    @Test
    void framesToTheGuestAreWrittenWholeHeapDirectAndComposite() throws Exception {
        TapLink link = link(16);
        byte[] a = frame(60, 1);
        byte[] b = frame(MTU + 14, 2);
        byte[] head = frame(34, 3);
        byte[] tail = frame(900, 4);
        onLoop(() -> {
            link.start(collector);
            ByteBuf direct = link.alloc().directBuffer(a.length).writeBytes(a);
            link.sendFrame(direct);
            link.sendFrame(Unpooled.wrappedBuffer(b)); // heap: copied once
            CompositeByteBuf c = ByteBufAllocator.DEFAULT.compositeDirectBuffer();
            c.addComponent(true, link.alloc().directBuffer().writeBytes(head));
            c.addComponent(true, link.alloc().directBuffer().writeBytes(tail));
            link.sendFrame(c);
            assertThat(direct.refCnt()).as("released once written").isZero();
            return null;
        });
        assertThat(readAtKernel()).isEqualTo(a);
        assertThat(readAtKernel()).isEqualTo(b);
        byte[] joined = new byte[head.length + tail.length];
        System.arraycopy(head, 0, joined, 0, head.length);
        System.arraycopy(tail, 0, joined, head.length, tail.length);
        assertThat(readAtKernel()).as("one frame from two pieces").isEqualTo(joined);
        assertThat(readAtKernel()).isNull();
        assertThat(onLoop(link::framesOut)).isEqualTo(3);
    }

    @Test
    void aFullTapQueuesBoundedlyDropsTheRestAndFlushesOnWritability() throws Exception {
        int limit = 16;
        TapLink link = link(limit);
        int total = 5000;
        long[] counts = onLoop(() -> {
            link.start(collector);
            for (int i = 0; i < total; i++) {
                ByteBuf f = link.alloc().directBuffer(1000);
                f.writeInt(i).writeZero(996);
                link.sendFrame(f);
            }
            return new long[] {link.framesOut(), link.txQueued(), link.txDropped()};
        });
        long writtenAtOnce = counts[0];
        assertThat(writtenAtOnce).as("the socket took some before it was full").isPositive().isLessThan(total - limit);
        assertThat(counts[1]).as("queued").isEqualTo(limit);
        assertThat(counts[2]).as("dropped").isEqualTo(total - writtenAtOnce - limit);

        // the guest reads: EPOLLOUT writes the queued frames, in order, right after the first ones
        List<Integer> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seen.size() < writtenAtOnce + limit && System.nanoTime() < deadline) {
            byte[] f = readAtKernel();
            if (f == null) {
                Thread.sleep(1);
                continue;
            }
            seen.add(java.nio.ByteBuffer.wrap(f).getInt());
        }
        assertThat(seen).hasSize((int) (writtenAtOnce + limit));
        for (int i = 0; i < writtenAtOnce; i++) {
            assertThat(seen.get(i)).isEqualTo(i);
        }
        for (int i = 0; i < limit; i++) {
            assertThat(seen.get((int) writtenAtOnce + i)).isEqualTo((int) writtenAtOnce + i);
        }
        assertThat(onLoop(link::txQueued)).isZero();
        assertThat(onLoop(link::framesOut)).isEqualTo(writtenAtOnce + limit);
        assertThat(readAtKernel()).isNull();
    }

    @Test
    void endOfFileClosesTheLinkAndReportsIt() throws Exception {
        TapLink link = link(16);
        onLoop(() -> {
            link.start(collector);
            return null;
        });
        Syscalls.close(kernelEnd);
        kernelEnd = -1;
        Throwable cause = failure.get(10, TimeUnit.SECONDS);
        assertThat(cause).hasMessageContaining("end of file");
        ByteBuf late = Unpooled.directBuffer(10).writeZero(10);
        onLoop(() -> {
            link.sendFrame(late);
            return null;
        });
        assertThat(late.refCnt()).as("a closed link still releases").isZero();
        assertThat(onLoop(link::txDropped)).isEqualTo(1);
    }

    // ---------------------------------------------------------------- virtio-net headers (IFF_VNET_HDR)

    private static final int VNET = VirtioNetHeader.LENGTH;

    private TapLink vnetLink() throws Exception {
        TapLink link = TapLink.register(loop, dev.jnet.linux.Fd.adopt(linkEnd, "link end"), MTU, VNET,
                PooledByteBufAllocator.DEFAULT, 16, failure::complete);
        linkEnd = -1;
        return link;
    }

    /** A 14+20+20-byte TCP/IPv4 frame with {@code payload} bytes, checksum field {@code csumField}. */
    private static byte[] tcpFrame(int payload, int csumField) {
        byte[] f = frame(54 + payload, 5);
        f[12] = 0x08;
        f[13] = 0x00;
        f[14 + 20 + 16] = (byte) (csumField >>> 8);
        f[14 + 20 + 17] = (byte) csumField;
        return f;
    }

    private static byte[] withHeader(int flags, int gsoType, int gsoSize, int csumStart, int csumOffset, byte[] frame) {
        ByteBuf b = Unpooled.buffer(VNET + frame.length).writerIndex(VNET);
        VirtioNetHeader.write(b, 0, VNET, flags, gsoType, csumStart == 0 ? 0 : 54, gsoSize, csumStart, csumOffset);
        b.writeBytes(frame);
        byte[] out = new byte[b.readableBytes()];
        b.getBytes(0, out);
        return out;
    }

    /** Records which entry each frame came through: [trusted ? 1 : 0, bytes...]. */
    private final class TrustingCollector implements FrameHandler {
        final BlockingQueue<Object[]> frames = new LinkedBlockingQueue<>();
        final boolean takes;

        TrustingCollector(boolean takes) {
            this.takes = takes;
        }

        @Override
        public void receiveFrame(ByteBuf frame) {
            add(frame, false);
        }

        @Override
        public void receiveTrustedFrame(ByteBuf frame) {
            add(frame, true);
        }

        @Override
        public boolean takesTrustedFrames() {
            return takes;
        }

        private void add(ByteBuf frame, boolean trusted) {
            byte[] b = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), b);
            frame.release();
            frames.add(new Object[] {trusted, b});
        }
    }

    @Test
    void aGuestSuperPacketWithAPartialChecksumArrivesWholeStrippedAndTrusted() throws Exception {
        TapLink link = vnetLink();
        TrustingCollector stack = new TrustingCollector(true);
        onLoop(() -> {
            link.start(stack);
            return null;
        });
        byte[] big = tcpFrame(20_000, 0x1234); // far above the MTU: GSO
        sendFromKernel(withHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 1448, 34, 16, big));
        byte[] plain = frame(60, 9);
        sendFromKernel(withHeader(0, 0, 0, 0, 0, plain));
        Object[] first = stack.frames.poll(10, TimeUnit.SECONDS);
        assertThat(first[0]).isEqualTo(true);
        assertThat((byte[]) first[1]).isEqualTo(big);
        Object[] second = stack.frames.poll(10, TimeUnit.SECONDS);
        assertThat(second[0]).isEqualTo(false);
        assertThat((byte[]) second[1]).isEqualTo(plain);
        assertThat(onLoop(link::gsoFramesIn)).isEqualTo(1);
        assertThat(onLoop(link::checksumsCompleted)).isZero();
    }

    @Test
    void forAHandlerThatChecksItselfTheLinkCompletesThePartialChecksum() throws Exception {
        TapLink link = vnetLink();
        TrustingCollector capture = new TrustingCollector(false);
        onLoop(() -> {
            link.start(capture);
            return null;
        });
        int src = 0x0A000264;
        int dst = 0xCB00710A;
        byte[] f = tcpFrame(100, 0);
        ByteBuf ip = Unpooled.wrappedBuffer(f);
        Ipv4Packet.emitHeader(ip, 14, src, dst, Ipv4Packet.PROTO_TCP, 64, 1, 120);
        int partial = InternetChecksum.fold(InternetChecksum.pseudoHeaderV4(src, dst, Ipv4Packet.PROTO_TCP, 120));
        f[50] = (byte) (partial >>> 8);
        f[51] = (byte) partial;
        sendFromKernel(withHeader(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 34, 16, f));
        Object[] got = capture.frames.poll(10, TimeUnit.SECONDS);
        assertThat(got[0]).isEqualTo(false);
        ByteBuf b = Unpooled.wrappedBuffer((byte[]) got[1]);
        assertThat(new TcpSegment().wrap(b, 34, 120).verifyChecksumIpv4(src, dst)).isTrue();
        assertThat(onLoop(link::checksumsCompleted)).isEqualTo(1);
    }

    @Test
    void framesToTheGuestGetAHeaderAndSuperPacketsTheirSegmentSize() throws Exception {
        TapLink link = vnetLink();
        byte[] whole = frame(60, 1);
        byte[] big = tcpFrame(30_000, 0x4321);
        byte[] small = tcpFrame(500, 0x4321);
        assertThat(link.offloadFrameLimit()).isGreaterThanOrEqualTo(14 + 65535);
        onLoop(() -> {
            link.start(collector);
            link.sendFrame(link.alloc().directBuffer().writeBytes(whole));
            link.sendOffloaded(link.alloc().directBuffer().writeBytes(big), 34, 54, false, 1460);
            link.sendOffloaded(Unpooled.wrappedBuffer(small), 34, 54, true, 1440); // heap: copied
            return null;
        });
        assertThat(readAtKernel()).isEqualTo(withHeader(0, 0, 0, 0, 0, whole));
        byte[] gso = readAtKernel();
        VirtioNetHeader h = new VirtioNetHeader().read(Unpooled.wrappedBuffer(gso), 0);
        assertThat(h.needsChecksum()).isTrue();
        assertThat(h.gsoProtocol()).isEqualTo(VirtioNetHeader.GSO_TCPV4);
        assertThat(h.gsoSize()).isEqualTo(1460);
        assertThat(h.csumStart()).isEqualTo(34);
        assertThat(h.csumOffset()).isEqualTo(16);
        assertThat(h.hdrLen()).isEqualTo(54);
        assertThat(java.util.Arrays.copyOfRange(gso, VNET, gso.length)).isEqualTo(big);
        byte[] one = readAtKernel();
        VirtioNetHeader h2 = new VirtioNetHeader().read(Unpooled.wrappedBuffer(one), 0);
        assertThat(h2.needsChecksum()).isTrue();
        assertThat(h2.segmented()).as("within one segment: no GSO").isFalse();
        assertThat(java.util.Arrays.copyOfRange(one, VNET, one.length)).isEqualTo(small);
        assertThat(onLoop(link::gsoFramesOut)).isEqualTo(1);
        assertThat(onLoop(link::framesOut)).isEqualTo(3);
    }

    /** A send buffer as the host's reads leave it: {@code big}'s payload over three pieces, starting at 100. */
    private static CompositeByteBuf sendBuffer(ByteBufAllocator alloc, byte[] big) {
        CompositeByteBuf payload = alloc.compositeDirectBuffer();
        payload.addComponent(true, alloc.directBuffer().writeBytes(new byte[100]).writeBytes(big, 54, 10_000));
        payload.addComponent(true, alloc.directBuffer().writeBytes(big, 54 + 10_000, 15_000));
        payload.addComponent(true, alloc.directBuffer().writeBytes(big, 54 + 25_000, 5_000).writeBytes(new byte[7]));
        return payload;
    }

    @Test
    void aSuperPacketsPayloadIsGatheredFromTheSendBufferIntoOneWriteWithoutTakingIt() throws Exception {
        TapLink link = vnetLink();
        byte[] big = tcpFrame(30_000, 0x4321);
        int[] refs = onLoop(() -> {
            link.start(collector);
            CompositeByteBuf payload = sendBuffer(link.alloc(), big);
            ByteBuf headers = link.alloc().directBuffer().writeBytes(big, 0, 54);
            link.sendOffloaded(headers, payload, 100, 30_000, 34, 54, false, 1460);
            int[] r = {headers.refCnt(), payload.refCnt()};
            payload.release();
            return r;
        });
        assertThat(refs).as("headers taken over, the payload left to its owner").containsExactly(0, 1);
        byte[] got = readAtKernel();
        VirtioNetHeader h = new VirtioNetHeader().read(Unpooled.wrappedBuffer(got), 0);
        assertThat(h.gsoProtocol()).isEqualTo(VirtioNetHeader.GSO_TCPV4);
        assertThat(h.gsoSize()).isEqualTo(1460);
        assertThat(h.hdrLen()).isEqualTo(54);
        assertThat(java.util.Arrays.copyOfRange(got, VNET, got.length)).isEqualTo(big);
        assertThat(onLoop(link::framesOut)).isEqualTo(1);
        assertThat(onLoop(link::gsoFramesOut)).isEqualTo(1);
    }

    @Test
    void aGatheredFrameTheTapCannotTakeNowIsQueuedAsACopy() throws Exception {
        TapLink link = vnetLink();
        byte[] big = tcpFrame(30_000, 0x4321);
        int queuedAfter = onLoop(() -> {
            link.start(collector);
            CompositeByteBuf payload = sendBuffer(link.alloc(), big);
            int sent = 0;
            while (link.txQueued() < 3 && sent < 200) { // the kernel end reads nothing: the socket fills
                link.sendOffloaded(link.alloc().directBuffer().writeBytes(big, 0, 54), payload, 100, 30_000, 34, 54,
                        false, 1460);
                sent++;
            }
            payload.setZero(0, payload.capacity()); // the send buffer moves on: queued frames must not see it
            payload.release();
            return sent;
        });
        assertThat(onLoop(link::txQueued)).isEqualTo(3);
        for (int i = 0; i < queuedAfter; i++) {
            byte[] got = awaitAtKernel();
            assertThat(got).as("frame " + i + " of " + queuedAfter).isNotNull();
            assertThat(java.util.Arrays.copyOfRange(got, VNET, got.length)).isEqualTo(big);
        }
        assertThat(onLoop(link::txDropped)).isZero();
    }

    /** The next frame of the link's writes, waiting up to 10 s (queued frames follow EPOLLOUT). */
    private byte[] awaitAtKernel() throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            byte[] f = readAtKernel();
            if (f != null) {
                return f;
            }
            Thread.sleep(10);
        }
        return null;
    }

    @Test
    void aPlainTapHasNoOffloads() throws Exception {
        TapLink link = link(4);
        assertThat(link.offloadFrameLimit()).isZero();
        assertThat(link.vnetHeaderLength()).isZero();
    }
}
