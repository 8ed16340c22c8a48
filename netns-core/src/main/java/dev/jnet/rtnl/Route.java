package dev.jnet.rtnl;

import java.net.InetAddress;

/**
 * A route (RTM_NEWROUTE). Field names follow {@code ip -j route}. Unset fields are null/0.
 *
 * @param family AF_INET (2) or AF_INET6 (10)
 * @param dst destination network, or null for the default route
 * @param dstLen destination prefix length (0 for default)
 * @param gateway next hop (RTA_GATEWAY), or null
 * @param oif output ifindex (RTA_OIF), or 0
 * @param metric RTA_PRIORITY, or -1 for none
 * @param table routing table (254 main)
 * @param prefsrc RTA_PREFSRC, or null
 * @param protocol RTPROT_* (2 kernel, 3 boot, 4 static)
 * @param scope RT_SCOPE_* (0 universe, 253 link, 254 host)
 * @param type RTN_* (1 unicast, 2 local, 3 broadcast, 6 blackhole, 7 unreachable, 8 prohibit)
 * @param flags RTNH_F_* (e.g. 16 linkdown)
 */
public record Route(int family, InetAddress dst, int dstLen, InetAddress gateway, int oif, int metric, int table,
        InetAddress prefsrc, int protocol, int scope, int type, int flags) {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int TABLE_MAIN = 254;
    public static final int PROTO_BOOT = 3;
    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_LINK = 253;
    public static final int TYPE_UNICAST = 1;

    /** A unicast route in the main table with {@code ip route add}'s defaults (proto boot). */
    public static Route to(int family, InetAddress dst, int dstLen) {
        return new Route(family, dst, dstLen, null, 0, -1, TABLE_MAIN, null, PROTO_BOOT, SCOPE_UNIVERSE,
                TYPE_UNICAST, 0);
    }

    public Route via(InetAddress gw) {
        return new Route(family, dst, dstLen, gw, oif, metric, table, prefsrc, protocol, scope, type, flags);
    }

    public Route dev(int ifindex) {
        return new Route(family, dst, dstLen, gateway, ifindex, metric, table, prefsrc, protocol, scope, type, flags);
    }

    public Route metric(int m) {
        return new Route(family, dst, dstLen, gateway, oif, m, table, prefsrc, protocol, scope, type, flags);
    }

    public Route table(int t) {
        return new Route(family, dst, dstLen, gateway, oif, metric, t, prefsrc, protocol, scope, type, flags);
    }

    public Route src(InetAddress s) {
        return new Route(family, dst, dstLen, gateway, oif, metric, table, s, protocol, scope, type, flags);
    }

    public Route scope(int s) {
        return new Route(family, dst, dstLen, gateway, oif, metric, table, prefsrc, protocol, s, type, flags);
    }
}
