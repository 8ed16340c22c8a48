package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * big-endian 16-bit words. Sums are kept unfolded in a {@code long} so partial sums (pseudo-header,
 * header, payload) can simply be added and folded once at the end. Works directly on
 * {@link ByteBuf} ranges with absolute getters; no copying, no allocation.
 */
public final class InternetChecksum {
    private InternetChecksum() {
    }

    /**
     * Unfolded sum of the big-endian 16-bit words of {@code buf[index, index + length)}; an odd
     * trailing byte is padded with a zero low byte. The range is taken relative to {@code index},
     * so callers must start ranges on a 16-bit boundary of the checksummed data.
     */
    public static long sum(ByteBuf buf, int index, int length) {
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
