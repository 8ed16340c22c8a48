package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * big-endian 16-bit words. Sums are kept unfolded in a {@code long} so partial sums (pseudo-header,
 * header, payload) can simply be added and folded once at the end. Works directly on
 * {@link ByteBuf} ranges with absolute getters; no copying, no allocation.
 */
public final class InternetChecksum {
    private InternetChecksum() {
    }

    /** Ranges shorter than this are summed word by word: the wide loops only pay off above. */
    private static final int WIDE_MIN = 32;
    private static final VarHandle BIG_ENDIAN_LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /**
     * Unfolded sum of the big-endian 16-bit words of {@code buf[index, index + length)}; an odd
     * trailing byte is padded with a zero low byte. The range is taken relative to {@code index},
     * so callers must start ranges on a 16-bit boundary of the checksummed data. The result is
     * only defined up to the fold: long ranges come back already folded.
     *
     * <p>This is the hot path of every TCP segment (verify in, fill out): direct and heap
     * buffers are read 8 bytes at a time without per-word bounds checks. The sum is byte-order
     * independent (RFC 1071 2(B)): native little-endian words are summed and the folded result
     * byte-swapped.
     */
    public static long sum(ByteBuf buf, int index, int length) {
        if (length >= WIDE_MIN) {
            if (index < 0 || length < 0 || index > buf.capacity() - length) {
                throw new IndexOutOfBoundsException("checksum range " + index + "+" + length + " of " + buf.capacity());
            }
            if (buf.hasMemoryAddress()) {
                return sumAddress(buf.memoryAddress() + index, length);
            }
            if (buf.hasArray()) {
                return sumArray(buf.array(), buf.arrayOffset() + index, length);
            }
        }
        return sumWords(buf, index, length);
    }

    private static long sumWords(ByteBuf buf, int index, int length) {
        long sum = 0;
        int i = index;
        int end = index + length;
        // 32-bit words: 2^16 == 1 (mod 0xffff), so summing wider words and folding is equivalent
        while (end - i >= 4) {
            sum += buf.getUnsignedInt(i);
            i += 4;
        }
        if (end - i >= 2) {
            sum += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            sum += (buf.getUnsignedByte(i) << 8);
        }
        return sum;
    }

    /** Native memory, in native order; two accumulators keep the adds independent. */
    private static long sumAddress(long address, int length) {
        long a = address;
        long end = address + length;
        long s0 = 0;
        long s1 = 0;
        while (end - a >= 16) {
            long w0 = PlatformDependent.getLong(a);
            long w1 = PlatformDependent.getLong(a + 8);
            s0 += (w0 >>> 32) + (w0 & 0xffff_ffffL);
            s1 += (w1 >>> 32) + (w1 & 0xffff_ffffL);
            a += 16;
        }
        long s = s0 + s1;
        if (end - a >= 8) {
            long w = PlatformDependent.getLong(a);
            s += (w >>> 32) + (w & 0xffff_ffffL);
            a += 8;
        }
        if (end - a >= 4) {
            s += PlatformDependent.getInt(a) & 0xffff_ffffL;
            a += 4;
        }
        if (end - a >= 2) {
            s += PlatformDependent.getShort(a) & 0xffff;
            a += 2;
        }
        if (a < end) {
            int b = PlatformDependent.getByte(a) & 0xff;
            s += NATIVE_LITTLE_ENDIAN ? b : b << 8; // the first byte of a zero-padded word
        }
        int folded = fold(s);
        return NATIVE_LITTLE_ENDIAN ? Integer.reverseBytes(folded) >>> 16 : folded;
    }

    /** A heap array, read as big-endian longs (no swap needed). */
    private static long sumArray(byte[] array, int offset, int length) {
        int i = offset;
        int end = offset + length;
        long s0 = 0;
        long s1 = 0;
        while (end - i >= 16) {
            long w0 = (long) BIG_ENDIAN_LONGS.get(array, i);
            long w1 = (long) BIG_ENDIAN_LONGS.get(array, i + 8);
            s0 += (w0 >>> 32) + (w0 & 0xffff_ffffL);
            s1 += (w1 >>> 32) + (w1 & 0xffff_ffffL);
            i += 16;
        }
        long s = s0 + s1;
        while (end - i >= 2) {
            s += ((array[i] & 0xff) << 8) | (array[i + 1] & 0xff);
            i += 2;
        }
        if (i < end) {
            s += (array[i] & 0xff) << 8;
        }
        return s;
    }

    /** Folds an unfolded sum to 16 bits with end-around carry (not complemented). */
    public static int fold(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** @return the checksum field value for an unfolded sum: {@code ~fold(sum) & 0xffff} */
    public static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** @return the checksum of {@code buf[index, index + length)} */
    public static int compute(ByteBuf buf, int index, int length) {
        return finish(sum(buf, index, length));
    }

    /**
     * @return whether data that includes its own checksum field verifies, i.e. the sum folds to
     *     0xffff (the complement is 0)
     */
    public static boolean verifies(long sumIncludingChecksum) {
        return fold(sumIncludingChecksum) == 0xffff;
    }

    /** Sum of the 16-bit words of a 32-bit value. */
    public static long sum32(int v) {
        return (v >>> 16) + (v & 0xffff);
    }

    /** Sum of the 16-bit words of a 64-bit value. */
    public static long sum64(long v) {
        return (v >>> 48) + ((v >>> 32) & 0xffff) + ((v >>> 16) & 0xffff) + (v & 0xffff);
    }

    /**
     * IPv4 pseudo-header sum (RFC 793 / RFC 768): source, destination, zero+protocol, and the
     * upper-layer length.
     */
    public static long pseudoHeaderV4(int src, int dst, int protocol, int upperLength) {
        return sum32(src) + sum32(dst) + (protocol & 0xff) + (upperLength & 0xffff);
    }

    /**
     * IPv6 pseudo-header sum (RFC 8200 section 8.1) with addresses given as high/low 64-bit
     * halves: source, destination, 32-bit upper-layer length, zero and next header.
     */
    public static long pseudoHeaderV6(long srcHi, long srcLo, long dstHi, long dstLo,
            int nextHeader, long upperLength) {
        return sum64(srcHi) + sum64(srcLo) + sum64(dstHi) + sum64(dstLo)
                + sum32((int) upperLength) + (nextHeader & 0xff);
    }

    /** IPv6 pseudo-header sum with the 16-byte addresses read in place from a buffer. */
    public static long pseudoHeaderV6(ByteBuf buf, int srcIndex, int dstIndex, int nextHeader,
            long upperLength) {
        return sum(buf, srcIndex, 16) + sum(buf, dstIndex, 16)
                + sum32((int) upperLength) + (nextHeader & 0xff);
    }
}
