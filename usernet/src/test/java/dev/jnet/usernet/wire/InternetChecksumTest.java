package dev.jnet.usernet.wire;

import static dev.jnet.usernet.wire.WireBytes.hex;
import static dev.jnet.usernet.wire.WireBytes.naiveChecksum;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {

    @Test
    void rfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2
        ByteBuf buf = Unpooled.wrappedBuffer(hex("0001f203f4f5f6f7"));
        try {
            assertThat(InternetChecksum.fold(InternetChecksum.sum(buf, 0, 8))).isEqualTo(0xddf2);
            assertThat(InternetChecksum.compute(buf, 0, 8)).isEqualTo(0x220d);
        } finally {
            buf.release();
        }
    }

    @Test
    void oddLengthPadsWithZero() {
        ByteBuf buf = Unpooled.wrappedBuffer(hex("0102 03"));
        try {
            // 0x0102 + 0x0300 = 0x0402
            assertThat(InternetChecksum.compute(buf, 0, 3)).isEqualTo(~0x0402 & 0xffff);
            assertThat(InternetChecksum.compute(buf, 0, 0)).isEqualTo(0xffff);
        } finally {
            buf.release();
        }
    }

    @Test
    void pseudoHeaderV4MatchesBytes() {
        byte[] src = hex("0a00020f");
        byte[] dst = hex("5db8d822");
        byte[] ph = WireBytes.pseudoV4(src, dst, 6, 40);
        ByteBuf buf = Unpooled.wrappedBuffer(ph);
        try {
            assertThat(InternetChecksum.fold(
                    InternetChecksum.pseudoHeaderV4(0x0a00020f, 0x5db8d822, 6, 40)))
                    .isEqualTo(InternetChecksum.fold(InternetChecksum.sum(buf, 0, ph.length)));
        } finally {
            buf.release();
        }
    }

    @Test
    void pseudoHeaderV6LongsMatchBuffer() {
        byte[] addrs = hex("fe800000000000000123456789abcdef ff020000000000000000000000000001");
        ByteBuf buf = Unpooled.wrappedBuffer(addrs);
        try {
            long a = InternetChecksum.pseudoHeaderV6(buf.getLong(0), buf.getLong(8),
                    buf.getLong(16), buf.getLong(24), 58, 70000);
            long b = InternetChecksum.pseudoHeaderV6(buf, 0, 16, 58, 70000);
            assertThat(InternetChecksum.fold(a)).isEqualTo(InternetChecksum.fold(b));
            byte[] ph = WireBytes.pseudoV6(WireBytes.bytes(buf, 0, 16),
                    WireBytes.bytes(buf, 16, 16), 58, 70000);
            assertThat(InternetChecksum.finish(a)).isEqualTo(naiveChecksum(ph));
        } finally {
            buf.release();
        }
    }

    @Property
    void matchesNaiveImplementation(@ForAll @Size(max = 300) byte[] data,
            @ForAll @IntRange(min = 0, max = 7) int prefix) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(prefix + data.length);
        try {
            buf.writeZero(prefix).writeBytes(data);
            assertThat(InternetChecksum.compute(buf, prefix, data.length))
                    .isEqualTo(naiveChecksum(data));
        } finally {
            buf.release();
        }
    }

    @Property
    void dataPlusItsChecksumFoldsToZero(@ForAll @Size(max = 300) byte[] data) {
        // even-length data followed by its checksum verifies (complement of the sum is 0)
        int evenLen = data.length & ~1;
        ByteBuf buf = Unpooled.buffer(evenLen + 2);
        try {
            buf.writeBytes(data, 0, evenLen);
            int c = InternetChecksum.compute(buf, 0, evenLen);
            buf.writeShort(c);
            assertThat(InternetChecksum.compute(buf, 0, evenLen + 2)).isZero();
            assertThat(InternetChecksum.verifies(InternetChecksum.sum(buf, 0, evenLen + 2)))
                    .isTrue();
        } finally {
            buf.release();
        }
    }

    /** Every path of sum() (direct, heap array, composite word by word) agrees with the naive sum and with each other's partial sums. */
    @Property
    void widePathsMatchNaive(@ForAll @Size(max = 2000) byte[] data, @ForAll @IntRange(min = 0, max = 9) int prefix,
            @ForAll @IntRange(min = 0, max = 2000) int splitAt) {
        int split = Math.min(splitAt, data.length) & ~1; // partial sums start on 16-bit boundaries
        ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(prefix + data.length);
        ByteBuf heap = Unpooled.buffer(prefix + data.length);
        ByteBuf composite = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[prefix]), Unpooled.wrappedBuffer(data));
        try {
            direct.writeZero(prefix).writeBytes(data);
            heap.writeZero(prefix).writeBytes(data);
            int expected = naiveChecksum(data);
            for (ByteBuf b : new ByteBuf[] {direct, heap, composite}) {
                assertThat(InternetChecksum.compute(b, prefix, data.length)).as(b.getClass().getSimpleName())
                        .isEqualTo(expected);
                long parts = InternetChecksum.sum(b, prefix, split)
                        + InternetChecksum.sum(b, prefix + split, data.length - split);
                assertThat(InternetChecksum.finish(parts)).isEqualTo(expected);
            }
        } finally {
            direct.release();
            heap.release();
            composite.release();
        }
    }

    @Test
    void refusesARangeBeyondTheBuffer() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64, 64);
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> InternetChecksum.sum(buf, 8, 64))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        } finally {
            buf.release();
        }
    }

    @Property
    void foldIsInRange(@ForAll long sum) {
        // sums produced by the class are non-negative; fold of any such value stays 16-bit
        assertThat(InternetChecksum.fold(sum & Long.MAX_VALUE)).isBetween(0, 0xffff);
    }
}
