package dev.jnet.usernet.wire;

/**
 * Either family's address as two {@code long}s, as passt's {@code inany}: an IPv6 address as its
 * high and low 64 bits, an IPv4 address as IPv4-mapped {@code ::ffff:a.b.c.d} (RFC 4291
 * 2.5.5.2). Code that differs only by family holds, compares and hands on addresses in this
 * form, without address objects; the family's output reads it back ({@link #v4}).
 */
public final class Inany {
    /** High 64 bits of every IPv4-mapped address. */
    public static final long V4_HIGH = 0;
    private static final long V4_MAPPED = 0x0000_FFFF_0000_0000L;

    private Inany() {}

    /** Low 64 bits of the IPv4-mapped form of {@code addr}. */
    public static long v4Low(int addr) {
        return V4_MAPPED | (addr & 0xFFFF_FFFFL);
    }

    /** The IPv4 address in the low 64 bits of an IPv4-mapped address. */
    public static int v4(long low) {
        return (int) low;
    }

    /** Whether {@code high, low} is IPv4-mapped. */
    public static boolean isV4(long high, long low) {
        return high == V4_HIGH && (low & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED;
    }
}
