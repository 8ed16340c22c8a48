package dev.jnet.bench.usernet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One full-MSS TCP segment through {@link dev.jnet.usernet.tcp.TcpStack} per operation, each
 * direction, with the link and the host in memory (no syscalls): the stack's own cost per
 * segment. Gbit/s of the stack alone = ops/s x MSS x 8 / 1e9 (MSS = MTU - 40).
 * <ul>
 *   <li>{@code guestToHost}: a guest data segment (checksum verified, payload sliced to the
 *       host), then the end-of-batch flush that sends our ACK.</li>
 *   <li>{@code hostToGuest}: an MSS of host data (a pooled buffer, as a socket read gives it),
 *       the segment built (payload copied, checksummed), then the guest's ACK for it.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TcpSegmentBench {
    @Param({"1500", "65520"})
    public int mtu;

    private TcpPath path;
    private ByteBuf dataFrame;

    @Setup(Level.Trial)
    public void setUp() {
        path = new TcpPath(mtu, PooledByteBufAllocator.DEFAULT);
        dataFrame = path.frame(path.guestSeq, path.link.nextSeq, dev.jnet.usernet.wire.TcpSegment.ACK
                | dev.jnet.usernet.wire.TcpSegment.PSH, path.mss, null);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dataFrame.release();
        path.close();
    }

    @Benchmark
    public long guestToHost() {
        TcpPath.resequence(dataFrame, path.guestSeq);
        path.receive(dataFrame); // the stack keeps a retained slice until the host write releases it
        path.guestSeq += path.mss;
        path.scheduler.runPending();
        return path.host.bytesWritten;
    }

    @Benchmark
    public long hostToGuest() {
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(path.mss);
        data.writerIndex(path.mss);
        path.host.listener.received(data);
        path.scheduler.runPending();
        path.ackAll();
        path.scheduler.runPending();
        return path.link.payloadBytes;
    }
}
