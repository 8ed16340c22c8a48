package dev.jnet.cli.ip;

import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Route;
import java.util.Map;

/** The text iproute2 prints for links ({@code ip link show}), addresses and routes. */
final class IpText {
    private IpText() {}

    /**
     * {@code 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000}
     * and its {@code link/...} line, without a final newline. {@code withMode}: link show (addr show has no mode).
     */
    static String link(Link l, Map<Integer, Link> byIndex, boolean withMode) {
        return link(l, byIndex, withMode, true, Map.of());
    }

    /** {@code withLinkLine} false: without the {@code link/...} line (ip -4/-6 addr). */
    /** {@code netnsNames}: names of the namespaces the shown one knows by nsid (ip's link-netns NAME). */
    static String link(Link l, Map<Integer, Link> byIndex, boolean withMode, boolean withLinkLine,
            Map<Integer, String> netnsNames) {
        return link(l, byIndex, withMode, withLinkLine, netnsNames, false);
    }

    /**
     * {@code inet6}: the link as the kernel's AF_INET6 link dump gives it to {@code ip -6 addr}
     * (no qdisc, master or group).
     */
    static String link(Link l, Map<Integer, Link> byIndex, boolean withMode, boolean withLinkLine,
            Map<Integer, String> netnsNames, boolean inet6) {
        StringBuilder b = new StringBuilder();
        b.append(l.ifindex()).append(": ").append(nameAndLink(l, byIndex));
        b.append(": <").append(String.join(",", l.flagNames(IpJson.mdown(l, byIndex)))).append("> ");
        b.append("mtu ").append(l.mtu()).append(' ');
        if (l.qdisc() != null && !inet6) {
            b.append("qdisc ").append(l.qdisc()).append(' ');
        }
        if (l.master().isPresent() && !inet6) {
            b.append("master ").append(IpJson.nameOf(byIndex, l.master().getAsInt())).append(' ');
        }
        b.append("state ").append(l.operstateName()).append(' ');
        if (withMode) {
            b.append("mode ").append(IpJson.linkmode(l.linkmode())).append(' ');
        }
        if (!inet6) {
            b.append("group ").append(IpJson.group(l.group())).append(' ');
        }
        b.append("qlen ").append(l.txqlen());
        if (!withLinkLine) {
            return b.toString();
        }
        b.append("\n    link/").append(l.linkTypeName()).append(' ');
        if (l.address() != null) {
            b.append(Parsers.formatMac(l.address()));
        }
        if (l.broadcast() != null) {
            b.append((l.flags() & Link.IFF_POINTOPOINT) != 0 ? " peer " : " brd ")
                    .append(Parsers.formatMac(l.broadcast()));
        }
        if (l.linkNetnsid().isPresent()) {
            String name = netnsNames.get(l.linkNetnsid().getAsInt());
            b.append(name != null ? " link-netns " + name : " link-netnsid " + l.linkNetnsid().getAsInt());
        }
        return b.toString();
    }

    /** The link's name as ip prints it: with {@code @PEER} ({@code @NONE}, {@code @ifN}) when it has an IFLA_LINK. */
    static String nameAndLink(Link l, Map<Integer, Link> byIndex) {
        if (l.link().isEmpty()) {
            return l.ifname();
        }
        int peer = l.link().getAsInt();
        if (peer == 0) {
            return l.ifname() + "@NONE";
        }
        return l.ifname() + (l.linkNetnsid().isPresent() ? "@if" + peer : "@" + IpJson.nameOf(byIndex, peer));
    }

    /**
     * One link as {@code ip link show} ({@code doLink}) or the head of one in {@code ip addr show}
     * prints it under options {@code o} (-d details, -s counters with link show), newlines inside.
     */
    static String linkRecord(Link l, Map<Integer, Link> byIndex, IpCommands.Opts o, boolean doLink,
            Map<Integer, String> netnsNames) {
        return linkRecord(l, byIndex, o, doLink, netnsNames, false);
    }

    /** {@code inet6}: the link comes from the kernel's AF_INET6 link dump (ip -6 addr show without a device). */
    static String linkRecord(Link l, Map<Integer, Link> byIndex, IpCommands.Opts o, boolean doLink,
            Map<Integer, String> netnsNames, boolean inet6) {
        StringBuilder b = new StringBuilder(link(l, byIndex, doLink, doLink || o.family() == 0 || o.details(), netnsNames,
                inet6));
        if (o.details()) {
            b.append(IpDetails.text(l, doLink));
        }
        if (doLink && o.stats() > 0 && l.stats() != null) {
            b.append('\n').append(IpStats.text(l.stats(), o.stats()));
        }
        return b.toString();
    }

    /** {@code ip -br link}: {@code NAME@PEER  STATE  LLADDR <FLAGS> }. */
    static String briefLink(Link l, Map<Integer, Link> byIndex) {
        StringBuilder b = briefHead(l, byIndex);
        if (l.address() != null) {
            b.append(Parsers.formatMac(l.address())).append(' ');
        }
        return b.append('<').append(String.join(",", l.flagNames(IpJson.mdown(l, byIndex)))).append("> ").toString();
    }

    /** {@code ip -br addr}: {@code NAME@PEER  STATE  ADDR/PLEN ...}. */
    static String briefAddr(Link l, Map<Integer, Link> byIndex, java.util.List<Address> addrs) {
        StringBuilder b = briefHead(l, byIndex);
        for (Address a : addrs) {
            b.append(IpJson.addr(a.local()));
            if (a.peer() != null) {
                b.append(" peer ").append(IpJson.addr(a.peer()));
            }
            b.append('/').append(a.prefixlen()).append(' ');
        }
        return b.toString();
    }

    private static StringBuilder briefHead(Link l, Map<Integer, Link> byIndex) {
        return new StringBuilder(String.format("%-16s %-14s ", nameAndLink(l, byIndex), l.operstateName()));
    }

    /** {@code     inet 10.0.0.1/24 brd 10.0.0.255 scope global eth0} (+ lifetimes line), no final newline. */
    static String address(Address a) {
        StringBuilder b = new StringBuilder("    ").append(IpJson.family(a)).append(' ');
        b.append(IpJson.addr(a.local()));
        if (a.peer() != null) {
            b.append(" peer ").append(IpJson.addr(a.peer()));
        }
        b.append('/').append(a.prefixlen()).append(' ');
        if (a.broadcast() != null) {
            b.append("brd ").append(IpJson.addr(a.broadcast())).append(' ');
        }
        b.append("scope ").append(Parsers.scopeName(a.scope())).append(' ');
        for (String f : IpJson.addrFlags(a)) {
            b.append(f).append(' ');
        }
        if (a.label() != null) {
            b.append(a.label());
        }
        if (a.validLft() >= 0) {
            b.append("\n       valid_lft ").append(lifetime(a.validLft(), false))
                    .append(" preferred_lft ")
                    .append(lifetime(a.preferredLft(), (a.flags() & Address.IFA_F_DEPRECATED) != 0));
        }
        return b.toString();
    }

    /** {@code forever} or {@code Nsec} (signed for a deprecated address's preferred lifetime, as ip). */
    private static String lifetime(long seconds, boolean signed) {
        if (seconds == Address.FOREVER) {
            return "forever";
        }
        return (signed ? Integer.toString((int) seconds) : Long.toString(seconds)) + "sec";
    }

    /** {@code 10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 } (ip's trailing space included). */
    static String route(Route r, Map<Integer, Link> byIndex, boolean showTable) {
        return route(r, byIndex, showTable, false);
    }

    /** {@code details}: ip -d (type, table, proto and scope even when they are the defaults). */
    static String route(Route r, Map<Integer, Link> byIndex, boolean showTable, boolean details) {
        StringBuilder b = new StringBuilder();
        if (r.type() != Route.TYPE_UNICAST || details) {
            b.append(Parsers.routeTypeName(r.type())).append(' ');
        }
        b.append(IpJson.dst(r)).append(' ');
        if (r.gateway() != null) {
            b.append("via ").append(IpJson.addr(r.gateway())).append(' ');
        }
        if (r.oif() != 0) {
            b.append("dev ").append(IpJson.nameOf(byIndex, r.oif())).append(' ');
        }
        if (showTable && (r.table() != Route.TABLE_MAIN || details)) {
            b.append("table ").append(Parsers.tableName(r.table())).append(' ');
        }
        if (r.protocol() != Route.PROTO_BOOT || details) {
            b.append("proto ").append(Parsers.protocolName(r.protocol())).append(' ');
        }
        if (r.scope() != Route.SCOPE_UNIVERSE || details) {
            b.append("scope ").append(Parsers.routeScopeName(r.scope())).append(' ');
        }
        if (r.metric() >= 0) {
            b.append("metric ").append(r.metric() & 0xffffffffL).append(' ');
        }
        if (r.prefsrc() != null) {
            b.append("src ").append(IpJson.addr(r.prefsrc())).append(' ');
        }
        for (String f : IpJson.routeFlags(r.flags())) {
            b.append(f).append(' ');
        }
        if (r.family() == Route.AF_INET6) {
            b.append("pref medium");
        }
        return b.toString();
    }
}
