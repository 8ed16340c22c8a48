package dev.jnet.cni;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address with a prefix length, as CNI writes it ("10.200.0.2/24", "fd00::2/64"). */
public record IpNet(InetAddress address, int prefix) {
    public IpNet {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length " + prefix + " out of range");
        }
    }

    /** Parses "ADDR/PLEN" (a literal, never a name); {@link IllegalArgumentException} otherwise. */
    public static IpNet parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid CIDR address: " + s);
        }
        InetAddress a = parseIp(s.substring(0, slash));
        int plen;
        try {
            plen = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid CIDR address: " + s);
        }
        try {
            return new IpNet(a, plen);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CIDR address: " + s);
        }
    }

    /** Parses an IPv4 or IPv6 literal (never a host name). */
    public static InetAddress parseIp(String s) {
        boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = !v4 && s.indexOf(':') >= 0 && s.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            throw new IllegalArgumentException("invalid IP address: " + s);
        }
        if (v4) {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("invalid IP address: " + s);
                }
            }
        }
        try {
            InetAddress a = InetAddress.getByName(s);
            if (v6 && !(a instanceof Inet6Address) && !s.contains(".")) {
                throw new IllegalArgumentException("invalid IP address: " + s);
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("invalid IP address: " + s);
        }
    }

    public boolean isV4() {
        return address instanceof Inet4Address;
    }

    /** The network: the address with its host bits cleared. */
    public IpNet network() {
        return new IpNet(mask(address, prefix), prefix);
    }

    /** Whether {@code a} is inside this network. */
    public boolean contains(InetAddress a) {
        return a.getClass() == address.getClass() && mask(a, prefix).equals(mask(address, prefix));
    }

    /** The network's first host address (network + 1): where the reference bridge puts the gateway. */
    public InetAddress firstHost() {
        byte[] b = mask(address, prefix).getAddress();
        BigInteger n = new BigInteger(1, b).add(BigInteger.ONE);
        return fromBig(n, b.length);
    }

    static InetAddress mask(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int i = 0; i < b.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - 8 * i));
            b[i] &= (byte) (0xff00 >> bits);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetAddress fromBig(BigInteger n, int len) {
        byte[] raw = n.toByteArray();
        byte[] b = new byte[len];
        int copy = Math.min(len, raw.length);
        System.arraycopy(raw, raw.length - copy, b, len - copy, copy);
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The address alone, as Go's net.IP prints it. */
    public static String str(InetAddress a) {
        String s = a.getHostAddress();
        int pct = s.indexOf('%');
        if (pct >= 0) {
            s = s.substring(0, pct);
        }
        if (a instanceof Inet6Address) {
            s = compress6(a.getAddress());
        }
        return s;
    }

    /** RFC 5952 text (longest run of zero groups as "::"), as Go prints IPv6 addresses. */
    static String compress6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8;) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return str(address) + "/" + prefix;
    }
}
