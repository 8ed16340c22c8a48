package dev.jnet.bench.usernet;

import dev.jnet.usernet.wire.InternetChecksum;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link InternetChecksum#compute} over one MTU-1500 packet and one 64 KiB segment, in a pooled
 * direct buffer (what the link reads into and the stack writes) and on the heap. GB/s =
 * ops/s x size / 1e9.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ChecksumBench {
    @Param({"1500", "65535"})
    public int size;

    @Param({"direct", "heap"})
    public String memory;

    private ByteBuf buf;

    @Setup
    public void setUp() {
        byte[] data = new byte[size];
        new SplittableRandom(size).nextBytes(data);
        buf = memory.equals("direct") ? PooledByteBufAllocator.DEFAULT.directBuffer(size) : Unpooled.buffer(size);
        buf.writeBytes(data);
    }

    @TearDown
    public void tearDown() {
        buf.release();
    }

    @Benchmark
    public int compute() {
        return InternetChecksum.compute(buf, 0, size);
    }

    /** The implementation before the 8-byte loop (bounds-checked 32-bit getters), as the baseline. */
    @Benchmark
    public int computeWordwise() {
        long sum = 0;
        int i = 0;
        for (; size - i >= 4; i += 4) {
            sum += buf.getUnsignedInt(i);
        }
        if (size - i >= 2) {
            sum += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < size) {
            sum += buf.getUnsignedByte(i) << 8;
        }
        return InternetChecksum.finish(sum);
    }
}
