package dev.jnet.wiring;

import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The networks a namespace already uses, each with where it is: every address (with its prefix)
 * and every route but the default ones, in all tables; link-local and multicast IPv6 networks,
 * which every link has, are left out. {@link NetnsConnector} picks subnets that overlap none of
 * them and refuses given ones that do, so the namespace never answers its own pings and its new
 * default route cannot resolve through another link; usernet uplinks pick their subnet the same way.
 */
public final class UsedPrefixes {
    /** A network in use: {@code what} says which, e.g. {@code address 10.200.0.1/24 on v0 in namespace "a"}. */
    public record Use(IpPrefix prefix, String what) {}

    private final List<Use> uses = new ArrayList<>();

    /**
     * Adds what {@code h}'s namespace uses, except on the links {@code skip} (a bridge being
     * joined carries the subnet on purpose); {@code where} ends each description.
     */
    public UsedPrefixes add(RtnlHandle h, String where, Set<String> skip) {
        Map<Integer, String> names = new HashMap<>();
        for (Link l : h.links()) {
            names.put(l.ifindex(), l.ifname());
        }
        for (Address a : h.addresses(0, null)) {
            String dev = names.getOrDefault(a.ifindex(), "if" + a.ifindex());
            if (skip.contains(dev)) {
                continue;
            }
            IpPrefix p = new IpPrefix(IpAddress.of(a.local()), a.prefixlen());
            add(p, "address " + p + " on " + dev + " " + where);
            if (a.peer() != null) {
                IpPrefix peer = new IpPrefix(IpAddress.of(a.peer()), a.prefixlen());
                add(peer, "peer address " + peer + " on " + dev + " " + where);
            }
        }
        for (Route r : h.routes(0, 0)) {
            String dev = r.oif() == 0 ? null : names.getOrDefault(r.oif(), "if" + r.oif());
            if (r.dst() == null || r.dstLen() == 0 || (dev != null && skip.contains(dev))) {
                continue;
            }
            IpPrefix p = new IpPrefix(IpAddress.of(r.dst()), r.dstLen()).network();
            add(p, "route " + p + (dev != null ? " dev " + dev : "") + " " + where);
        }
        return this;
    }

    /** Adds a network recorded elsewhere (another connection's). */
    public UsedPrefixes add(IpPrefix p, String what) {
        if (!common(p)) {
            uses.add(new Use(p.network(), what));
        }
        return this;
    }

    /** The first use that shares an address with {@code p}'s network. */
    public Optional<Use> overlap(IpPrefix p) {
        for (Use u : uses) {
            if (u.prefix().overlaps(p)) {
                return Optional.of(u);
            }
        }
        return Optional.empty();
    }

    /** Whether {@code h}'s namespace has a default route of {@code family} in its main table. */
    public static boolean hasDefaultRoute(RtnlHandle h, int family) {
        for (Route r : h.routes(family, Route.TABLE_MAIN)) {
            if (r.dstLen() == 0) {
                return true;
            }
        }
        return false;
    }

    /** IPv6 link-local (fe80::/10) and multicast (ff00::/8): on every IPv6 link, never a clash. */
    private static boolean common(IpPrefix p) {
        if (!p.address().isIpv6()) {
            return false;
        }
        byte[] b = p.address().bytes();
        return (b[0] & 0xff) == 0xff || ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80);
    }
}
