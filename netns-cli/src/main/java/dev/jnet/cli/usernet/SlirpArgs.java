package dev.jnet.cli.usernet;

import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.UsernetConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;
import java.util.regex.Pattern;

/**
 * slirp4netns's option values, checked with its rules and (mostly) its words: a failure is a
 * {@link Bad} carrying the one line to print.
 */
final class SlirpArgs {
    private static final Pattern MAC = Pattern.compile("\\p{XDigit}{2}(:\\p{XDigit}{2}){5}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,10}");

    private SlirpArgs() {}

    /** A value slirp4netns would reject; the message is what to print. */
    static final class Bad extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Bad(String message) {
            super(message);
        }
    }

    /** {@code --cidr}: a network address and a prefix of 1..25 (the guest is .100). Returns {network, prefix}. */
    static int[] cidr(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        if (slash < 0 || !addr.matches("[0-9.]+") || !text.substring(slash + 1).matches("0|[1-9][0-9]?")) {
            throw new Bad("invalid CIDR: " + text);
        }
        IpAddress network = ipv4(addr, "invalid network address: " + addr);
        int prefix = Integer.parseInt(text.substring(slash + 1));
        if (prefix < 1 || prefix > 25) {
            throw new Bad("prefix length needs to be 1-25");
        }
        if (!new IpPrefix(network, prefix).isNetwork()) {
            throw new Bad("CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24");
        }
        return new int[] {network.toIpv4Int(), prefix};
    }

    /** {@code -m}: 68 (IPv4's minimum, which the kernel enforces) to 65521. */
    static int mtu(String text) {
        if (!DECIMAL.matcher(text).matches()) {
            throw new Bad("MTU must be a positive integer (< 65522)");
        }
        long v = Long.parseLong(text);
        if (v < UsernetConfig.MIN_MTU || v > UsernetConfig.MAX_MTU) {
            throw new Bad("MTU must be from " + UsernetConfig.MIN_MTU + " to " + UsernetConfig.MAX_MTU + ": " + text);
        }
        return (int) v;
    }

    /** {@code -e}, {@code -r}: a non-negative fd number. */
    static int fd(String text, String option) {
        if (!DECIMAL.matcher(text).matches() || Long.parseLong(text) > Integer.MAX_VALUE) {
            throw new Bad(option + " must be a non-negative integer");
        }
        return Integer.parseInt(text);
    }

    /** The PID argument of {@code --netns-type=pid}. */
    static long pid(String text) {
        if (!DECIMAL.matcher(text).matches() || Long.parseLong(text) == 0 || Long.parseLong(text) > Integer.MAX_VALUE) {
            throw new Bad("PID must be a positive integer");
        }
        return Long.parseLong(text);
    }

    /** {@code --macaddress}: six hex pairs separated by colons, as a 48-bit value. */
    static long mac(String text) {
        if (!MAC.matcher(text).matches()) {
            throw new Bad("\"" + text + "\" is an invalid MAC address.");
        }
        long mac = Long.parseLong(text.replace(":", ""), 16);
        if ((mac & 0x0100_0000_0000L) != 0) {
            throw new Bad("\"" + text + "\" is a multicast MAC address: a tap needs a unicast one.");
        }
        return mac;
    }

    /** {@code --outbound-addr}: an IPv4 address, or an interface whose first IPv4 address to use. */
    static InetAddress outbound(String text) {
        if (text.matches("[0-9.]+")) {
            return ipv4(text, "outbound-addr has to be valid ipv4 address or interface name.").toInetAddress();
        }
        try {
            NetworkInterface nif = NetworkInterface.getByName(text);
            if (nif != null) {
                for (Enumeration<InetAddress> e = nif.getInetAddresses(); e.hasMoreElements();) {
                    InetAddress a = e.nextElement();
                    if (a instanceof Inet4Address) {
                        return a;
                    }
                }
            }
        } catch (SocketException e) {
            // fall through: not an interface we can read
        }
        throw new Bad("outbound-addr has to be valid ipv4 address or interface name.");
    }

    /**
     * {@code --outbound-addr6}: an IPv6 address (no zone), or an interface whose first IPv6
     * address to use, a global one before a link-local one.
     */
    static InetAddress outbound6(String text) {
        String error = "outbound-addr6 has to be valid ipv6 address or interface name.";
        if (text.contains(":")) {
            try {
                return IpAddress.parseIpv6(text).toInetAddress();
            } catch (InvalidAddressException e) {
                throw new Bad(error);
            }
        }
        try {
            NetworkInterface nif = NetworkInterface.getByName(text);
            InetAddress linkLocal = null;
            if (nif != null) {
                for (Enumeration<InetAddress> e = nif.getInetAddresses(); e.hasMoreElements();) {
                    InetAddress a = e.nextElement();
                    if (a instanceof Inet6Address && !a.isLinkLocalAddress()) {
                        return a;
                    }
                    if (a instanceof Inet6Address && linkLocal == null) {
                        linkLocal = a;
                    }
                }
            }
            if (linkLocal != null) {
                return linkLocal;
            }
        } catch (SocketException e) {
            // fall through: not an interface we can read
        }
        throw new Bad(error);
    }

    /**
     * {@code --cidr6} (jnet's; slirp4netns's prefix is fixed at fd00::/64): a /64 prefix, host
     * bits zero, not multicast, link-local or loopback, as SLAAC needs.
     */
    static Ipv6Config cidr6(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        if (slash < 0 || !addr.contains(":")) {
            throw new Bad("invalid IPv6 CIDR: " + text + " (expected PREFIX/64, e.g. fd00::/64)");
        }
        if (!text.substring(slash + 1).equals("64")) {
            throw new Bad("IPv6 prefix length needs to be 64 (SLAAC), not " + text.substring(slash + 1));
        }
        byte[] b;
        try {
            b = IpAddress.parseIpv6(addr).bytes();
        } catch (InvalidAddressException e) {
            throw new Bad("invalid IPv6 CIDR: " + text + " (" + e.reason() + ")");
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = high << 8 | (b[i] & 0xff);
            low = low << 8 | (b[8 + i] & 0xff);
        }
        if (low != 0) {
            throw new Bad("IPv6 CIDR needs to be a network prefix like fd00::/64, not an address: " + text);
        }
        if ((high >>> 56) == 0xff || (high >>> 54) == (0xfe80L >>> 6) || high == 0) {
            throw new Bad("IPv6 prefix " + text + " is multicast, link-local or unspecified");
        }
        return new Ipv6Config(high, 64);
    }

    private static IpAddress ipv4(String text, String error) {
        try {
            return IpAddress.parseIpv4(text);
        } catch (InvalidAddressException e) {
            throw new Bad(error);
        }
    }
}
