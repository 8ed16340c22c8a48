package dev.jnet.cli.ip;

import dev.jnet.cli.Json;

import dev.jnet.cli.Json.Obj;
import dev.jnet.net.IpAddress;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Route;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ip -j} compatible JSON for links, addresses and routes: the same field names, value
 * types and field order as iproute2 6.x for the fields jnet has, written by {@link Json}. Also the names iproute2 gives
 * flags, link types and states, shared with {@link IpText}.
 */
final class IpJson {
    private IpJson() {}

    // ---- names (iproute2's) ----

    static String linkmode(int mode) {
        return switch (mode) {
            case 0 -> "DEFAULT";
            case 1 -> "DORMANT";
            case 2 -> "TESTING";
            default -> Integer.toString(mode);
        };
    }

    static String group(int group) {
        return group == 0 ? "default" : Integer.toString(group);
    }

    static String family(Address a) {
        return a.isIpv6() ? "inet6" : "inet";
    }

    /** As iproute2 prints it: dotted quad, or RFC 5952 (fd00:200::1, where Java prints fd00:200:0:0:0:0:0:1). */
    static String addr(InetAddress a) {
        return IpAddress.of(a).toString();
    }

    /** Address flag words as print_ifa_flags writes them: (name, shown-in-text). */
    static List<String> addrFlags(Address a) {
        List<String> out = new ArrayList<>();
        int flags = a.flags();
        String[] names = {"secondary", "nodad", "optimistic", "dadfailed", "home", "deprecated", "tentative",
            "permanent", "mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy"};
        int[] masks = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400, 0x800};
        for (int i = 0; i < names.length; i++) {
            int m = masks[i];
            if (m == 0x80) {
                if ((flags & m) == 0) {
                    out.add("dynamic");
                }
            } else if ((flags & m) != 0) {
                out.add(m == 0x01 && a.isIpv6() ? "temporary" : names[i]);
            }
            flags &= ~m;
        }
        if (flags != 0) {
            out.add(String.format("flags %02x", flags));
        }
        return out;
    }

    /** The name of link {@code ifindex} in {@code byIndex}, or iproute2's "if%d" when unknown. */
    static String nameOf(Map<Integer, Link> byIndex, int ifindex) {
        Link l = byIndex.get(ifindex);
        return l == null ? "if" + ifindex : l.ifname();
    }

    /** Whether ip prints M-DOWN: the same-namespace IFLA_LINK device is down. */
    static boolean mdown(Link l, Map<Integer, Link> byIndex) {
        if (l.link().isPresent() && l.linkNetnsid().isEmpty() && l.link().getAsInt() != 0) {
            Link peer = byIndex.get(l.link().getAsInt());
            return peer == null || !peer.isUp();
        }
        return false;
    }

    // ---- records ----

    /** The link object of {@code ip -j link show} ({@code withMode}) or of {@code ip -j addr show}. */
    static Obj link(Link l, Map<Integer, Link> byIndex, boolean withMode) {
        return link(l, byIndex, withMode, true);
    }

    /** {@code withLinkLayer} false: without link_type, address, broadcast (ip -4/-6 addr). */
    static Obj link(Link l, Map<Integer, Link> byIndex, boolean withMode, boolean withLinkLayer) {
        return link(l, byIndex, withMode, withLinkLayer, false);
    }

    /** {@code inet6}: as the kernel's AF_INET6 link dump gives it to {@code ip -6 addr} (no qdisc, master, group). */
    static Obj link(Link l, Map<Integer, Link> byIndex, boolean withMode, boolean withLinkLayer, boolean inet6) {
        Obj o = new Obj().put("ifindex", l.ifindex());
        linkName(o, l, byIndex);
        o.putStrings("flags", l.flagNames(mdown(l, byIndex)));
        o.put("mtu", l.mtu());
        if (l.qdisc() != null && !inet6) {
            o.put("qdisc", l.qdisc());
        }
        if (l.master().isPresent() && !inet6) {
            o.put("master", nameOf(byIndex, l.master().getAsInt()));
        }
        o.put("operstate", l.operstateName());
        if (withMode) {
            o.put("linkmode", linkmode(l.linkmode()));
        }
        if (!inet6) {
            o.put("group", group(l.group()));
        }
        o.put("txqlen", l.txqlen());
        if (!withLinkLayer) {
            return o;
        }
        o.put("link_type", l.linkTypeName());
        if (l.address() != null) {
            o.put("address", Parsers.formatMac(l.address()));
        }
        if (l.broadcast() != null) {
            o.put("broadcast", Parsers.formatMac(l.broadcast()));
        }
        if (l.linkNetnsid().isPresent()) {
            o.put("link_netnsid", l.linkNetnsid().getAsInt());
        }
        return o;
    }

    /** One entry of "addr_info". */
    static Obj address(Address a) {
        return address(new Obj(), a);
    }

    /** {@code o} with the fields of one entry of "addr_info" added. */
    static Obj address(Obj o, Address a) {
        o.put("family", family(a)).put("local", addr(a.local()));
        if (a.peer() != null) {
            o.put("address", addr(a.peer()));
        }
        o.put("prefixlen", a.prefixlen());
        if (a.broadcast() != null) {
            o.put("broadcast", addr(a.broadcast()));
        }
        o.put("scope", Parsers.scopeName(a.scope()));
        for (String f : addrFlags(a)) {
            if (f.startsWith("flags ")) {
                o.put("ifa_flags", f.substring(6));
            } else {
                o.put(f, true);
            }
        }
        if (a.label() != null) {
            o.put("label", a.label());
        }
        if (a.validLft() >= 0) { // IFA_CACHEINFO
            o.put("valid_life_time", a.validLft());
            o.put("preferred_life_time", (a.flags() & Address.IFA_F_DEPRECATED) != 0 && a.preferredLft() != Address.FOREVER
                    ? (int) a.preferredLft() : a.preferredLft());
        }
        return o;
    }

    /** One entry of "addr_info" with {@code -br}: the address and its length only. */
    static Obj briefAddress(Address a) {
        Obj o = new Obj().put("local", addr(a.local()));
        if (a.peer() != null) {
            o.put("address", addr(a.peer()));
        }
        return o.put("prefixlen", a.prefixlen());
    }

    /** The link object of {@code ip -br -j link|addr}: [link,] ifname, operstate, and for link address and flags. */
    static Obj briefLink(Link l, Map<Integer, Link> byIndex, boolean doLink) {
        Obj o = new Obj();
        linkName(o, l, byIndex);
        o.put("operstate", l.operstateName());
        if (doLink) {
            if (l.address() != null) {
                o.put("address", Parsers.formatMac(l.address()));
            }
            o.putStrings("flags", l.flagNames(mdown(l, byIndex)));
        }
        return o;
    }

    private static void linkName(Obj o, Link l, Map<Integer, Link> byIndex) {
        if (l.link().isPresent()) {
            int peer = l.link().getAsInt();
            if (l.linkNetnsid().isPresent()) {
                o.put("link_index", peer);
            } else if (peer != 0) {
                o.put("link", nameOf(byIndex, peer));
            } else {
                o.putNull("link");
            }
        }
        o.put("ifname", l.ifname());
    }

    /**
     * The link object of {@code ip -j link show} ({@code doLink}) or {@code ip -j addr show} under
     * options {@code o}: -d details, -s counters (link show; addr show adds them after addr_info).
     */
    static Obj linkRecord(Link l, Map<Integer, Link> byIndex, IpCommands.Opts o, boolean doLink) {
        return linkRecord(l, byIndex, o, doLink, false);
    }

    /** {@code inet6}: the link comes from the kernel's AF_INET6 link dump (ip -6 addr show without a device). */
    static Obj linkRecord(Link l, Map<Integer, Link> byIndex, IpCommands.Opts o, boolean doLink, boolean inet6) {
        Obj j = link(l, byIndex, doLink, doLink || o.family() == 0 || o.details(), inet6);
        if (o.details()) {
            IpDetails.json(j, l, doLink);
        }
        if (doLink) {
            stats(j, l, o);
        }
        return j;
    }

    /** {@code "stats64"} when -s was given. */
    static void stats(Obj j, Link l, IpCommands.Opts o) {
        if (o.stats() > 0 && l.stats() != null) {
            j.putRaw("stats64", IpStats.json(l.stats(), o.stats()).toString());
        }
    }

    static String dst(Route r) {
        if (r.dst() == null || (r.dstLen() == 0 && r.dst().isAnyLocalAddress())) {
            return "default";
        }
        int max = r.family() == Route.AF_INET6 ? 128 : 32;
        return r.dstLen() == max ? addr(r.dst()) : addr(r.dst()) + "/" + r.dstLen();
    }

    /** print_rt_flags: RTNH_F_* and RTM_F_* words in ip's order. */
    static List<String> routeFlags(int flags) {
        List<String> out = new ArrayList<>();
        String[] names = {"dead", "onlink", "pervasive", "offload", "trap", "notify", "linkdown", "unresolved",
            "rt_offload", "rt_trap", "rt_offload_failed"};
        int[] bits = {1, 4, 2, 8, 64, 0x100, 16, 32, 0x2000, 0x4000, 0x20000000};
        for (int i = 0; i < names.length; i++) {
            if ((flags & bits[i]) != 0) {
                out.add(names[i]);
            }
        }
        return out;
    }

    /** A route of {@code ip -j route show}; {@code showTable} when listing several tables. */
    static Obj route(Route r, Map<Integer, Link> byIndex, boolean showTable) {
        return route(r, byIndex, showTable, false);
    }

    /** {@code details}: ip -d (type, table, proto and scope even when they are the defaults). */
    static Obj route(Route r, Map<Integer, Link> byIndex, boolean showTable, boolean details) {
        Obj o = new Obj();
        if (r.type() != Route.TYPE_UNICAST || details) {
            o.put("type", Parsers.routeTypeName(r.type()));
        }
        o.put("dst", dst(r));
        if (r.gateway() != null) {
            o.put("gateway", addr(r.gateway()));
        }
        if (r.oif() != 0) {
            o.put("dev", nameOf(byIndex, r.oif()));
        }
        if (showTable && (r.table() != Route.TABLE_MAIN || details)) {
            o.put("table", Parsers.tableName(r.table()));
        }
        if (r.protocol() != Route.PROTO_BOOT || details) {
            o.put("protocol", Parsers.protocolName(r.protocol()));
        }
        if (r.scope() != Route.SCOPE_UNIVERSE || details) {
            o.put("scope", Parsers.routeScopeName(r.scope()));
        }
        if (r.metric() >= 0) {
            o.put("metric", r.metric() & 0xffffffffL);
        }
        if (r.prefsrc() != null) {
            o.put("prefsrc", addr(r.prefsrc()));
        }
        o.putStrings("flags", routeFlags(r.flags()));
        if (r.family() == Route.AF_INET6) {
            o.put("pref", "medium"); // RTA_PREF is not in the Route record; static routes are medium
        }
        return o;
    }
}
