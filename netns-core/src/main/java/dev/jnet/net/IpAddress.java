package dev.jnet.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address: one type for both families (as passt's {@code inany}), immutable,
 * compared by family and bytes.
 *
 * <p>Text is parsed strictly and never looked up: IPv4 only as a canonical dotted quad (four
 * decimal parts 0-255 without leading zeros: not {@code 10.1}, {@code 010.0.0.1},
 * {@code 0x0a.0.0.1} or {@code " 10.0.0.1"}); IPv6 in the text forms of RFC 4291 section 2.2
 * (hex groups of 1-4 digits, one {@code ::} for one or more zero groups, an IPv4 dotted quad as
 * the last 32 bits), without a zone. {@link #toString()} is canonical: dotted decimal for IPv4,
 * RFC 5952 for IPv6 (lower case, no leading zeros, the longest run of two or more zero groups
 * as {@code ::}, {@code ::ffff:192.0.2.1} for IPv4-mapped addresses), and parses back to an
 * equal address.
 */
public final class IpAddress implements Comparable<IpAddress> {
    /** An address family, with its size. */
    public enum Family {
        IPV4(4, "IPv4 address"),
        IPV6(16, "IPv6 address");

        private final int bytes;
        private final String noun;

        Family(int bytes, String noun) {
            this.bytes = bytes;
            this.noun = noun;
        }

        /** 32 or 128. */
        public int bits() {
            return bytes * 8;
        }

        /** 4 or 16. */
        public int bytes() {
            return bytes;
        }

        /** What a value of this family is called in messages: {@code IPv4 address}. */
        String noun() {
            return noun;
        }
    }

    private final byte[] bytes;

    private IpAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    // ------------------------------------------------------------------ construction

    /** An IPv4 or IPv6 address: IPv6 when the text has a {@code ':'}. */
    public static IpAddress parse(String text) {
        return parse(text, null);
    }

    /** An address of {@code family}, or of either when it is null. */
    public static IpAddress parse(String text, Family family) {
        Objects.requireNonNull(text, "text");
        boolean v6 = text.indexOf(':') >= 0;
        if (family == Family.IPV4 && v6) {
            throw new InvalidAddressException(Family.IPV4.noun(), text, "\":\" in an IPv4 address");
        }
        if (family == Family.IPV6 && !v6) {
            throw new InvalidAddressException(Family.IPV6.noun(), text, "no \":\" in an IPv6 address");
        }
        String what = family == null ? "IP address" : family.noun();
        return new IpAddress(v6 ? Ipv6Text.parse(text, what) : parseIpv4(text, text, what));
    }

    /** {@link #parse(String, Family)} for IPv4. */
    public static IpAddress parseIpv4(String text) {
        return parse(text, Family.IPV4);
    }

    /** {@link #parse(String, Family)} for IPv6. */
    public static IpAddress parseIpv6(String text) {
        return parse(text, Family.IPV6);
    }

    /** The address of 4 (IPv4) or 16 (IPv6) bytes in network order; the array is copied. */
    public static IpAddress of(byte[] bytes) {
        if (bytes.length != 4 && bytes.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + bytes.length);
        }
        return new IpAddress(bytes.clone());
    }

    /** The address of {@code a} (an IPv6 scope is dropped). */
    public static IpAddress of(InetAddress a) {
        return new IpAddress(a.getAddress());
    }

    /** The IPv4 address whose 32 bits are {@code value} (network order: 0xC0000201 is 192.0.2.1). */
    public static IpAddress ipv4(int value) {
        return new IpAddress(new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    /**
     * The dotted quad {@code text} (or the quad embedded in {@code whole}, an IPv6 text) as 4
     * bytes; errors name {@code whole} as a {@code what}.
     */
    static byte[] parseIpv4(String text, String whole, String what) {
        byte[] out = new byte[4];
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i < text.length() && text.charAt(i) != '.') {
                continue;
            }
            if (part == 4) {
                throw new InvalidAddressException(what, whole, "more than 4 dot-separated parts");
            }
            out[part++] = (byte) octet(text.substring(start, i), whole, what);
            start = i + 1;
        }
        if (part != 4) {
            throw new InvalidAddressException(what, whole, part + " dot-separated part" + (part == 1 ? "" : "s")
                    + ", a dotted quad has 4");
        }
        return out;
    }

    private static int octet(String p, String whole, String what) {
        if (p.isEmpty()) {
            throw new InvalidAddressException(what, whole, "an empty part");
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c < '0' || c > '9') {
                throw new InvalidAddressException(what, whole, "part \"" + p + "\" is not a decimal number");
            }
        }
        if (p.length() > 1 && p.charAt(0) == '0') {
            throw new InvalidAddressException(what, whole, "part \"" + p + "\" has a leading zero");
        }
        if (p.length() > 3 || Integer.parseInt(p) > 255) {
            throw new InvalidAddressException(what, whole, "part \"" + p + "\" is above 255");
        }
        return Integer.parseInt(p);
    }

    // ------------------------------------------------------------------ access

    public Family family() {
        return bytes.length == 4 ? Family.IPV4 : Family.IPV6;
    }

    public boolean isIpv4() {
        return bytes.length == 4;
    }

    public boolean isIpv6() {
        return bytes.length == 16;
    }

    /** 32 or 128. */
    public int bitLength() {
        return bytes.length * 8;
    }

    /** The bytes in network order (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The 32 bits of an IPv4 address. */
    public int toIpv4Int() {
        if (!isIpv4()) {
            throw new IllegalStateException(this + " is not an IPv4 address");
        }
        return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
    }

    /** Whether every bit is zero ({@code 0.0.0.0}, {@code ::}). */
    public boolean isUnspecified() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * As a {@link java.net.InetAddress}, without a lookup: an {@code Inet4Address} for IPv4, an
     * {@code Inet6Address} for IPv6 (IPv4-mapped ones included).
     */
    public InetAddress toInetAddress() {
        try {
            return isIpv4() ? InetAddress.getByAddress(bytes.clone()) : Inet6Address.getByAddress(null, bytes.clone(), -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes are always an address
        }
    }

    /** The first {@code length} bits kept, the rest cleared (or set, with {@code ones}). */
    IpAddress masked(int length, boolean ones) {
        byte[] b = bytes.clone();
        for (int i = 0; i < b.length; i++) {
            int bits = Math.max(0, Math.min(8, length - 8 * i));
            int hostMask = 0xff >>> bits;
            b[i] = (byte) (ones ? b[i] | hostMask : b[i] & ~hostMask);
        }
        return new IpAddress(b);
    }

    // ------------------------------------------------------------------ value

    /** Dotted decimal for IPv4, RFC 5952 for IPv6. */
    @Override
    public String toString() {
        if (isIpv4()) {
            return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
        }
        return Ipv6Text.format(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress a && Arrays.equals(bytes, a.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** IPv4 before IPv6, then by value. */
    @Override
    public int compareTo(IpAddress o) {
        if (bytes.length != o.bytes.length) {
            return Integer.compare(bytes.length, o.bytes.length);
        }
        return Arrays.compareUnsigned(bytes, o.bytes);
    }
}
