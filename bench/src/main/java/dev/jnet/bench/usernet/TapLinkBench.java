package dev.jnet.bench.usernet;

import dev.jnet.usernet.KeepRegisteredEpollIoHandler;
import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.link.TapLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The tap read/write loop of {@link TapLink} on its epoll event loop, with a SOCK_SEQPACKET
 * socket pair standing in for the tap (one frame per read or write, as a tap; see
 * TapLinkTest). The benchmark thread is the "kernel": it writes a burst of {@value #BURST}
 * frames, the link reads them (several per wake-up) and its handler sends each straight back
 * through {@link TapLink#sendFrame} (the write path), and the benchmark reads the burst back.
 * Score: frames per second through the link (each read once and written once by it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TapLinkBench {
    static final int BURST = 32;
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int SOL_SOCKET = 1;

    @Param({"1514"})
    public int frameSize;

    private MultiThreadIoEventLoopGroup group;
    private TapLink link;
    private FileDescriptor kernel;
    private ByteBuf out;
    private ByteBuf in;

    @Setup
    public void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, KeepRegisteredEpollIoHandler.newFactory());
        IoEventLoop loop = (IoEventLoop) group.next();
        int[] sv = Syscalls.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, "bench link");
        for (int fd : sv) {
            // room for a whole burst each way, as a tap's queue has (txqueuelen 1000)
            Syscalls.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, 4 << 20, "bench link");
            Syscalls.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, 4 << 20, "bench link");
        }
        Syscalls.setNonBlocking(sv[1], "bench link");
        kernel = new FileDescriptor(sv[0]); // blocking: the benchmark waits for the echo
        link = TapLink.register(loop, Fd.adopt(sv[1], "bench link"), frameSize - 14,
                PooledByteBufAllocator.DEFAULT, TapLink.DEFAULT_TX_QUEUE, Throwable::printStackTrace);
        loop.submit(() -> link.start(frame -> link.sendFrame(frame))).get(10, TimeUnit.SECONDS);
        out = PooledByteBufAllocator.DEFAULT.directBuffer(frameSize, frameSize);
        for (int i = 0; i < frameSize; i++) {
            out.writeByte(i);
        }
        in = PooledByteBufAllocator.DEFAULT.directBuffer(frameSize, frameSize);
    }

    @TearDown
    public void tearDown() throws Exception {
        group.next().submit(link::close).get(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        kernel.close();
        out.release();
        in.release();
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int echoBurst() throws IOException {
        long address = out.memoryAddress();
        for (int i = 0; i < BURST; i++) {
            kernel.writeAddress(address, 0, frameSize);
        }
        int got = 0;
        for (int i = 0; i < BURST; i++) {
            got += kernel.readAddress(in.memoryAddress(), 0, frameSize);
        }
        if (got != BURST * frameSize) {
            throw new IllegalStateException("echoed " + got + " bytes of " + BURST * frameSize);
        }
        return got;
    }
}
