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
        StringBuilder b = new StringBuilder();
        b.append(l.ifindex()).append(": ").append(l.ifname());
        if (l.link().isPresent()) {
            int peer = l.link().getAsInt();
            if (peer == 0) {
                b.append("@NONE");
            } else if (l.linkNetnsid().isPresent()) {
                b.append("@if").append(peer);
            } else {
                b.append('@').append(IpJson.nameOf(byIndex, peer));
            }
        }
        b.append(": <").append(String.join(",", l.flagNames(IpJson.mdown(l, byIndex)))).append("> ");
        b.append("mtu ").append(l.mtu()).append(' ');
        if (l.qdisc() != null) {
            b.append("qdisc ").append(l.qdisc()).append(' ');
        }
        if (l.master().isPresent()) {
            b.append("master ").append(IpJson.nameOf(byIndex, l.master().getAsInt())).append(' ');
        }
        b.append("state ").append(l.operstateName()).append(' ');
        if (withMode) {
            b.append("mode ").append(IpJson.linkmode(l.linkmode())).append(' ');
        }
        b.append("group ").append(IpJson.group(l.group())).append(' ');
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
        if ((a.flags() & 0x80) != 0) {
            b.append("\n       valid_lft forever preferred_lft forever");
        }
        return b.toString();
    }

    /** {@code 10.0.0.0/24 dev eth0 proto kernel scope link src 10.0.0.1 } (ip's trailing space included). */
    static String route(Route r, Map<Integer, Link> byIndex, boolean showTable) {
        StringBuilder b = new StringBuilder();
        if (r.type() != Route.TYPE_UNICAST) {
            b.append(Parsers.routeTypeName(r.type())).append(' ');
        }
        b.append(IpJson.dst(r)).append(' ');
        if (r.gateway() != null) {
            b.append("via ").append(IpJson.addr(r.gateway())).append(' ');
        }
        if (r.oif() != 0) {
            b.append("dev ").append(IpJson.nameOf(byIndex, r.oif())).append(' ');
        }
        if (showTable && r.table() != Route.TABLE_MAIN) {
            b.append("table ").append(Parsers.tableName(r.table())).append(' ');
        }
        if (r.protocol() != Route.PROTO_BOOT) {
            b.append("proto ").append(Parsers.protocolName(r.protocol())).append(' ');
        }
        if (r.scope() != Route.SCOPE_UNIVERSE) {
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
