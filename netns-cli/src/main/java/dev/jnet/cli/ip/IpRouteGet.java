package dev.jnet.cli.ip;

import dev.jnet.cli.Json.Obj;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RouteLookup;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ip route get}: the arguments (destination, {@code from}, {@code iif}, {@code oif|dev})
 * and the answer as iproute2's print_route prints a lookup (with {@code uid}, IPv4's
 * {@code cache} line, {@code iif}, {@code pref}). Route metrics (RTA_METRICS) are not printed.
 */
final class IpRouteGet {
    private static final int RTM_F_CLONED = 0x200;
    private static final String[] CACHE_FLAGS = {"local", "reject", "mc", "brd", "dst-nat", "src-nat", "masq",
        "dst-direct", "src-direct", "redirected", "redirect", "fastroute", "notify", "proxy"};
    /** RTCF_* (linux/in_route.h) for {@link #CACHE_FLAGS}, in the same order. */
    private static final int[] CACHE_BITS = {0x80000000, 0x40000000, 0x20000000, 0x10000000, 0x08000000, 0x00800000,
        0x00400000, 0x00020000, 0x04000000, 0x00040000, 0x01000000, 0x00200000, 0x00010000, 0x00080000};

    /** What {@code route get} asks: -1 lengths and nulls where not given. */
    record Query(int family, InetAddress dst, InetAddress src, int srcLen, String iif, String oif) {}

    private IpRouteGet() {}

    /** Parses {@code route get ARGS}; warnings (a prefix length on the destination) go to {@code warn}. */
    static Query parse(List<String> a, int family, java.util.function.Consumer<String> warn) {
        InetAddress dst = null;
        InetAddress src = null;
        int srcLen = 0;
        String iif = null;
        String oif = null;
        boolean found = false;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (Parsers.matches(t, "from")) {
                Parsers.Prefix p = Parsers.prefix(IpObject.next(a, ++i), family);
                family = family == 0 ? p.family() : family;
                src = p.address();
                srcLen = p.length();
            } else if (Parsers.matches(t, "iif")) {
                iif = IpObject.next(a, ++i);
            } else if (Parsers.matches(t, "oif") || t.equals("dev")) {
                oif = IpObject.next(a, ++i);
            } else if (List.of("tos", "mark", "uid", "as", "sport", "dport", "ipproto", "vrf").contains(t)
                    || Parsers.matches(t, "dsfield") || Parsers.matches(t, "notify")
                    || Parsers.matches(t, "connected") || Parsers.matches(t, "fibmatch")) {
                throw IpError.usage("jnet: \"route get ... " + t + "\" is not supported");
            } else {
                if (t.equals("to")) {
                    t = IpObject.next(a, ++i);
                }
                Parsers.Prefix p = Parsers.prefix(t, family);
                family = family == 0 ? p.family() : family;
                int max = family == 6 ? 128 : 32;
                if (p.length() != max) {
                    warn.accept("Warning: /" + p.length() + " as prefix is invalid, only /" + max
                            + " (or none) is supported.");
                }
                dst = p.address();
                found = true;
            }
        }
        if (!found) {
            throw new IpError("need at least a destination address", 1);
        }
        return new Query(family == 0 ? 4 : family, dst, src, srcLen, iif, oif);
    }

    /** The answer as ip prints it, without the final newline. */
    static String text(RouteLookup l, Map<Integer, Link> byIndex, boolean oneline) {
        StringBuilder b = new StringBuilder();
        for (String[] f : fields(l, byIndex)) {
            b.append(f[2]);
        }
        if (l.route().family() == Route.AF_INET && (l.rtmFlags() & RTM_F_CLONED) != 0) {
            b.append(oneline ? "\\" : "\n").append("    cache ");
            List<String> cache = cacheFlags(l.rtmFlags());
            if (!cache.isEmpty()) {
                b.append('<').append(String.join(",", cache)).append("> ");
            }
        }
        for (String[] f : tail(l, byIndex)) {
            b.append(f[2]);
        }
        return b.toString();
    }

    /** The answer as ip -j writes it. */
    static Obj json(RouteLookup l, Map<Integer, Link> byIndex) {
        Obj o = new Obj();
        for (String[] f : fields(l, byIndex)) {
            put(o, f);
        }
        if (l.route().family() == Route.AF_INET && (l.rtmFlags() & RTM_F_CLONED) != 0) {
            o.putStrings("cache", cacheFlags(l.rtmFlags()));
        }
        for (String[] f : tail(l, byIndex)) {
            put(o, f);
        }
        return o;
    }

    private static void put(Obj o, String[] f) {
        switch (f[1]) {
            case "n" -> o.putRaw(f[0], f[3]);
            case "flags" -> o.putStrings(f[0], f[3].isEmpty() ? List.of() : List.of(f[3].split(" ")));
            default -> o.put(f[0], f[3]);
        }
    }

    /** (json name, kind: s string / n number / flags, text, json value) up to the uid, as print_route orders them. */
    private static List<String[]> fields(RouteLookup l, Map<Integer, Link> byIndex) {
        Route r = l.route();
        int host = r.family() == Route.AF_INET6 ? 128 : 32;
        List<String[]> f = new ArrayList<>();
        if (r.type() != Route.TYPE_UNICAST) {
            String t = Parsers.routeTypeName(r.type());
            f.add(new String[] {"type", "s", t + " ", t});
        }
        String dst = r.dst() == null ? (r.dstLen() != 0 ? "0/" + r.dstLen() + " " : "default")
                : IpJson.addr(r.dst()) + (r.dstLen() != host ? "/" + r.dstLen() : "");
        f.add(new String[] {"dst", "s", dst + " ", dst});
        if (l.src() != null) {
            String s = IpJson.addr(l.src()) + (l.srcLen() != host ? "/" + l.srcLen() : "");
            f.add(new String[] {"from", "s", "from " + s + " ", s});
        }
        if (r.gateway() != null) {
            String g = IpJson.addr(r.gateway());
            f.add(new String[] {"gateway", "s", "via " + g + " ", g});
        }
        if (r.oif() != 0) {
            String d = IpJson.nameOf(byIndex, r.oif());
            f.add(new String[] {"dev", "s", "dev " + d + " ", d});
        }
        if (r.table() != 0 && r.table() != Route.TABLE_MAIN) {
            String t = Parsers.tableName(r.table());
            f.add(new String[] {"table", "s", "table " + t + " ", t});
        }
        if ((l.rtmFlags() & RTM_F_CLONED) == 0) {
            if (r.protocol() != Route.PROTO_BOOT) {
                String p = Parsers.protocolName(r.protocol());
                f.add(new String[] {"protocol", "s", "proto " + p + " ", p});
            }
            if (r.scope() != Route.SCOPE_UNIVERSE) {
                String s = Parsers.routeScopeName(r.scope());
                f.add(new String[] {"scope", "s", "scope " + s + " ", s});
            }
        }
        if (r.prefsrc() != null) {
            String s = IpJson.addr(r.prefsrc());
            f.add(new String[] {"prefsrc", "s", "src " + s + " ", s});
        }
        if (r.metric() >= 0) {
            String m = Long.toString(r.metric() & 0xffffffffL);
            f.add(new String[] {"metric", "n", "metric " + m + " ", m});
        }
        List<String> flags = IpJson.routeFlags(l.rtmFlags());
        f.add(new String[] {"flags", "flags", flags.isEmpty() ? "" : String.join(" ", flags) + " ",
            String.join(" ", flags)});
        if (l.uid() >= 0) {
            f.add(new String[] {"uid", "n", "uid " + l.uid() + " ", Long.toString(l.uid())});
        }
        return f;
    }

    /** What follows the cache line: cache info, iif, pref. */
    private static List<String[]> tail(RouteLookup l, Map<Integer, Link> byIndex) {
        List<String[]> f = new ArrayList<>();
        if (l.expires() != 0) {
            String e = Long.toString(l.expires() / 100); // USER_HZ
            f.add(new String[] {"expires", "n", "expires " + e + "sec ", e});
        }
        if (l.error() != 0) {
            f.add(new String[] {"error", "n", "error " + l.error() + " ", Long.toString(l.error())});
        }
        if (l.id() != 0) {
            String hex = String.format("0x%04x", l.id());
            f.add(new String[] {"ipid", "s", "ipid " + hex + " ", hex});
        }
        if (l.iif() != 0) {
            String d = IpJson.nameOf(byIndex, l.iif());
            f.add(new String[] {"iif", "s", "iif " + d + " ", d});
        }
        if (l.pref() >= 0) {
            String p = switch (l.pref()) {
                case 3 -> "low";
                case 0 -> "medium";
                case 1 -> "high";
                default -> Integer.toString(l.pref());
            };
            f.add(new String[] {"pref", "s", "pref " + p, p});
        }
        return f;
    }

    /** print_cache_flags: the RTCF_* words of the high 16 bits, in ip's order. */
    private static List<String> cacheFlags(int rtmFlags) {
        List<String> out = new ArrayList<>();
        int flags = rtmFlags & ~0xffff;
        for (int i = 0; i < CACHE_FLAGS.length; i++) {
            if ((flags & CACHE_BITS[i]) != 0) {
                flags &= ~CACHE_BITS[i];
                out.add(CACHE_FLAGS[i]);
            }
        }
        if (flags != 0) {
            out.add(Integer.toHexString(flags));
        }
        return out;
    }
}
