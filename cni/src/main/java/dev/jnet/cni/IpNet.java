package dev.jnet.cni;

import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * An address with a prefix length, as CNI writes it ("10.200.0.2/24", "fd00::2/64"), over jnet's
 * one strict address type ({@link IpPrefix}); host bits are kept as given.
 */
public record IpNet(InetAddress address, int prefix) {
    public IpNet {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length " + prefix + " out of range");
        }
    }

    /** Parses "ADDR/PLEN" (a literal, never a name); {@link IllegalArgumentException} otherwise. */
    public static IpNet parse(String s) {
        try {
            IpPrefix p = IpPrefix.parse(s);
            return new IpNet(p.address().toInetAddress(), p.length());
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("invalid CIDR address: " + s, e);
        }
    }

    /** Parses an IPv4 or IPv6 literal (never a host name). */
    public static InetAddress parseIp(String s) {
        try {
            return IpAddress.parse(s).toInetAddress();
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException("invalid IP address: " + s, e);
        }
    }

    public boolean isV4() {
        return address instanceof Inet4Address;
    }

    private IpPrefix asPrefix() {
        return new IpPrefix(IpAddress.of(address), prefix);
    }

    /** The network: the address with its host bits cleared. */
    public IpNet network() {
        return new IpNet(asPrefix().network().address().toInetAddress(), prefix);
    }

    /** Whether {@code a} is inside this network. */
    public boolean contains(InetAddress a) {
        return asPrefix().contains(IpAddress.of(a));
    }

    /** The network's first host address (network + 1): where the reference bridge puts the gateway. */
    public InetAddress firstHost() {
        byte[] b = asPrefix().network().address().bytes();
        byte[] raw = new BigInteger(1, b).add(BigInteger.ONE).toByteArray();
        byte[] out = new byte[b.length];
        int copy = Math.min(out.length, raw.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        return IpAddress.of(out).toInetAddress();
    }

    /** The address alone, as Go's net.IP prints it (RFC 5952 for IPv6). */
    public static String str(InetAddress a) {
        return IpAddress.of(a).toString();
    }

    @Override
    public String toString() {
        return str(address) + "/" + prefix;
    }
}
