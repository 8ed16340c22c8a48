package dev.jnet.net;

import java.util.Objects;

/**
 * An address with a prefix length, {@code ADDR/LEN}: an interface address ({@code 10.200.3.1/24})
 * or a network ({@code 10.200.3.0/24}); host bits are kept as given. The length is 0-32 for
 * IPv4 and 0-128 for IPv6. Parsing is as strict as {@link IpAddress}'s, and the length is a
 * decimal number without leading zeros.
 *
 * @param address the address as given
 * @param length the prefix length
 */
public record IpPrefix(IpAddress address, int length) {
    public IpPrefix {
        Objects.requireNonNull(address, "address");
        if (length < 0 || length > address.bitLength()) {
            throw new InvalidAddressException("prefix", address + "/" + length,
                    "prefix length " + length + " is not from 0 to " + address.bitLength());
        }
    }

    /** {@code ADDR/LEN} of either family. */
    public static IpPrefix parse(String text) {
        return parse(text, null);
    }

    /** {@code ADDR/LEN} of {@code family}, or of either when it is null. */
    public static IpPrefix parse(String text, IpAddress.Family family) {
        return parse(text, family, true);
    }

    /** {@code ADDR/LEN} or a bare {@code ADDR}, which is the host prefix (/32, /128). */
    public static IpPrefix parseOrHost(String text, IpAddress.Family family) {
        return parse(text, family, false);
    }

    /** The host prefix of {@code a}: /32 or /128. */
    public static IpPrefix host(IpAddress a) {
        return new IpPrefix(a, a.bitLength());
    }

    private static IpPrefix parse(String text, IpAddress.Family family, boolean lengthRequired) {
        Objects.requireNonNull(text, "text");
        String what = family == null ? "prefix" : family == IpAddress.Family.IPV4 ? "IPv4 prefix" : "IPv6 prefix";
        int slash = text.indexOf('/');
        if (slash < 0 && lengthRequired) {
            throw new InvalidAddressException(what, text, "no \"/\" and prefix length");
        }
        IpAddress a;
        try {
            a = IpAddress.parse(slash < 0 ? text : text.substring(0, slash), family);
        } catch (InvalidAddressException e) {
            throw new InvalidAddressException(what, text, e.reason());
        }
        return new IpPrefix(a, slash < 0 ? a.bitLength() : length(text.substring(slash + 1), a.bitLength(), text, what));
    }

    private static int length(String s, int max, String text, String what) {
        if (s.isEmpty()) {
            throw new InvalidAddressException(what, text, "no prefix length after \"/\"");
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw new InvalidAddressException(what, text, "prefix length \"" + s + "\" is not a decimal number");
            }
        }
        if (s.length() > 1 && s.charAt(0) == '0') {
            throw new InvalidAddressException(what, text, "prefix length \"" + s + "\" has a leading zero");
        }
        if (s.length() > 3 || Integer.parseInt(s) > max) {
            throw new InvalidAddressException(what, text, "prefix length " + s + " is above " + max);
        }
        return Integer.parseInt(s);
    }

    public IpAddress.Family family() {
        return address.family();
    }

    /** The network: host bits cleared ({@code 10.200.3.0/24} for {@code 10.200.3.1/24}). */
    public IpPrefix network() {
        return new IpPrefix(address.masked(length, false), length);
    }

    /** The address with every host bit set (IPv4's broadcast address). */
    public IpAddress lastAddress() {
        return address.masked(length, true);
    }

    /** Whether the host bits are all zero. */
    public boolean isNetwork() {
        return address.equals(address.masked(length, false));
    }

    /** Whether {@code a} is in this prefix's network. */
    public boolean contains(IpAddress a) {
        return a.family() == family() && a.masked(length, false).equals(address.masked(length, false));
    }

    /** Whether the two networks share an address (one family, one contains the other). */
    public boolean overlaps(IpPrefix o) {
        int l = Math.min(length, o.length);
        return family() == o.family() && address.masked(l, false).equals(o.address.masked(l, false));
    }

    /** {@code ADDR/LEN}, the address canonical. */
    @Override
    public String toString() {
        return address + "/" + length;
    }
}
