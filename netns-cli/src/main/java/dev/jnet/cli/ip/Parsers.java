package dev.jnet.cli.ip;

import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpAddress.Family;
import dev.jnet.net.IpPrefix;
import dev.jnet.rtnl.RouteType;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Parsers for iproute2's argument syntax: hardware addresses, IP prefixes, numbers, scopes. */
final class Parsers {
    private Parsers() {}

    /** An IP address with a prefix length; {@code address} null for {@code default}/{@code any}. */
    record Prefix(int family, InetAddress address, int length, boolean explicitLength) {
        boolean isDefault() {
            return address == null;
        }
    }

    /** iproute2's ll_addr_a2n: hex bytes separated by ':' (1-2 digits each). */
    static byte[] mac(String s) {
        String[] parts = s.split(":", -1);
        if (parts.length < 1 || parts.length > 32 || s.isEmpty()) {
            throw new IpError("\"" + s + "\" is invalid lladdr.", 1);
        }
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 2 || !isHex(p)) {
                throw new IpError("\"" + s + "\" is invalid lladdr.", 1);
            }
            out[i] = (byte) Integer.parseInt(p, 16);
        }
        return out;
    }

    private static boolean isHex(String p) {
        for (int i = 0; i < p.length(); i++) {
            if (Character.digit(p.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    static String formatMac(byte[] b) {
        if (b == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(b.length * 3);
        for (int i = 0; i < b.length; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append(Character.forDigit(b[i] & 0xf, 16));
        }
        return sb.toString();
    }

    /**
     * A literal IPv4 or IPv6 address (never a host name), or null. {@code family} 0 accepts
     * both, 4 or 6 only that one.
     */
    static InetAddress literal(String s, int family) {
        try {
            return IpAddress.parse(s, family == 4 ? Family.IPV4 : family == 6 ? Family.IPV6 : null).toInetAddress();
        } catch (InvalidAddressException e) {
            return null;
        }
    }

    static int familyOf(InetAddress a) {
        return a instanceof Inet6Address ? 6 : 4;
    }

    /**
     * iproute2's get_prefix: ADDR[/LEN] or default/any/all; errors as ip prints them. ADDR/LEN is
     * {@link IpPrefix}'s strict text (no {@code 10.1}, leading zeros or a length above the family's).
     */
    static Prefix prefix(String s, int family) {
        if (s.equals("default") || s.equals("any") || s.equals("all")) {
            return new Prefix(family, null, 0, true);
        }
        IpPrefix p;
        try {
            p = IpPrefix.parseOrHost(s, family == 4 ? Family.IPV4 : family == 6 ? Family.IPV6 : null);
        } catch (InvalidAddressException e) {
            throw IpError.invalidPrefix(family, s);
        }
        return new Prefix(p.address().isIpv6() ? 6 : 4, p.address().toInetAddress(), p.length(), s.indexOf('/') >= 0);
    }

    /** A gateway or source address: iproute2's get_addr, {@code Error: inet address is expected...}. */
    static InetAddress address(String s, int family) {
        InetAddress a = literal(s, family);
        if (a == null) {
            throw IpError.invalidAddress(family == 6 ? "inet6" : family == 4 ? "inet" : "any valid", s);
        }
        return a;
    }

    /** The network part of {@code a}/{@code len} (host bits cleared). */
    static InetAddress network(InetAddress a, int len) {
        return new IpPrefix(IpAddress.of(a), len).network().address().toInetAddress();
    }

    /** The IPv4 broadcast of {@code a}/{@code len}. */
    static InetAddress broadcast(InetAddress a, int len) {
        return new IpPrefix(IpAddress.of(a), len).lastAddress().toInetAddress();
    }

    /** An unsigned decimal (or 0x hex) number up to {@code max}, or -1 when it is not one. */
    static long unsigned(String s, long max) {
        try {
            long v = s.startsWith("0x") || s.startsWith("0X") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            return v < 0 || v > max ? -1 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** rt_scope: the number for a scope name (global, site, link, host, nowhere) or number; -1 if neither. */
    static int scope(String s) {
        return switch (s) {
            case "global", "universe" -> 0;
            case "site" -> 200;
            case "link" -> 253;
            case "host" -> 254;
            case "nowhere" -> 255;
            default -> (int) unsigned(s, 255);
        };
    }

    static String scopeName(int scope) {
        return switch (scope) {
            case 0 -> "global";
            case 200 -> "site";
            case 253 -> "link";
            case 254 -> "host";
            case 255 -> "nowhere";
            default -> Integer.toString(scope);
        };
    }

    /** Route scope names as ip route prints them (rtnl_rtscope_n2a: global for 0, as for addresses). */
    static String routeScopeName(int scope) {
        return scopeName(scope);
    }

    /** rt_tables: main, local, default, or a number; -1 if neither. */
    static long table(String s) {
        return switch (s) {
            case "main" -> 254;
            case "local" -> 255;
            case "default" -> 253;
            default -> unsigned(s, 0xffffffffL);
        };
    }

    static String tableName(int table) {
        return switch (table) {
            case 254 -> "main";
            case 255 -> "local";
            case 253 -> "default";
            default -> Integer.toUnsignedString(table);
        };
    }

    static String protocolName(int p) {
        return switch (p) {
            case 0 -> "unspec";
            case 1 -> "redirect";
            case 2 -> "kernel";
            case 3 -> "boot";
            case 4 -> "static";
            case 8 -> "gated";
            case 9 -> "ra";
            case 10 -> "mrt";
            case 11 -> "zebra";
            case 12 -> "bird";
            case 13 -> "dnrouted";
            case 14 -> "xorp";
            case 15 -> "ntk";
            case 16 -> "dhcp";
            case 42 -> "babel";
            case 186 -> "bgp";
            case 187 -> "isis";
            case 188 -> "ospf";
            case 189 -> "rip";
            case 192 -> "eigrp";
            default -> Integer.toString(p);
        };
    }

    static int protocol(String s) {
        for (int p = 0; p < 256; p++) {
            if (protocolName(p).equals(s)) {
                return p;
            }
        }
        return (int) unsigned(s, 255);
    }

    /** iproute2's name for route type {@code t} (RTN_*), else the number. */
    static String routeTypeName(int t) {
        RouteType type = RouteType.ofCode(t);
        return type != null ? type.keyword() : Integer.toString(t);
    }

    /** iproute2's check_ifname: 1-15 bytes, no '/', ':' or whitespace, not "." or "..". */
    static boolean validIfname(String name) {
        if (name.isEmpty() || name.length() >= 16 || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** iproute2's matches(): {@code arg} is a non-empty prefix of {@code word}. */
    static boolean matches(String arg, String word) {
        return !arg.isEmpty() && word.startsWith(arg);
    }
}
