package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Test helpers: hex parsing and an independent, deliberately naive Internet checksum. */
final class WireBytes {
    private WireBytes() {
    }

    /** Parses hex, ignoring whitespace. */
    static byte[] hex(String s) {
        return ByteBufUtil.decodeHexDump(s.replaceAll("\\s+", ""));
    }

    /** Reads bytes [index, index + length) of a buffer without touching its indices. */
    static byte[] bytes(ByteBuf buf, int index, int length) {
        byte[] out = new byte[length];
        buf.getBytes(index, out);
        return out;
    }

    /** Concatenates arrays. */
    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    /**
     * RFC 1071 checksum, the textbook way: 16-bit big-endian words, end-around carry after every
     * addition, odd byte padded with zero, result complemented.
     */
    static int naiveChecksum(byte[] data) {
        int sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            int hi = data[i] & 0xff;
            int lo = i + 1 < data.length ? data[i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
            if (sum > 0xffff) {
                sum = (sum & 0xffff) + 1;
            }
        }
        return ~sum & 0xffff;
    }

    /** IPv4 pseudo-header as bytes (RFC 793). */
    static byte[] pseudoV4(byte[] src, byte[] dst, int proto, int len) {
        return concat(src, dst, new byte[] {0, (byte) proto, (byte) (len >>> 8), (byte) len});
    }

    /** IPv6 pseudo-header as bytes (RFC 8200). */
    static byte[] pseudoV6(byte[] src, byte[] dst, int nextHeader, int len) {
        return concat(src, dst, new byte[] {(byte) (len >>> 24), (byte) (len >>> 16),
            (byte) (len >>> 8), (byte) len, 0, 0, 0, (byte) nextHeader});
    }
}
