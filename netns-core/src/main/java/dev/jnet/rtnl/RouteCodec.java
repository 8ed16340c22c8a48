package dev.jnet.rtnl;

import static dev.jnet.rtnl.Rtnl.*;

import dev.jnet.netlink.NetlinkAttributes;
import dev.jnet.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE: {@code struct rtmsg} (12 bytes: u8 family,
 * dst_len, src_len, tos, table, protocol, scope, type; u32 flags) followed by RTA_* attributes.
 */
public final class RouteCodec {
    private RouteCodec() {}

    public static NetlinkMessage dump(int family) {
        NetlinkMessage m = new NetlinkMessage(RTM_GETROUTE, NetlinkMessage.NLM_F_DUMP, "dump routes");
        m.putU8(family).putU8(0).putU8(0).putU8(0).putU8(0).putU8(0).putU8(0).putU8(0).putU32(0);
        return m;
    }

    /** {@code ip route add}: NLM_F_CREATE|NLM_F_EXCL. */
    public static NetlinkMessage add(Route r) {
        return build(RTM_NEWROUTE, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL, r, "add route ");
    }

    /** {@code ip route replace}: NLM_F_CREATE|NLM_F_REPLACE. */
    public static NetlinkMessage replace(Route r) {
        return build(RTM_NEWROUTE, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_REPLACE, r, "replace route ");
    }

    /** {@code ip route del}: matches on what is given (protocol any, scope nowhere, type any). */
    public static NetlinkMessage delete(Route r) {
        return build(RTM_DELROUTE, 0, r, "delete route ");
    }

    static void validate(Route r) {
        if (r.family() != AF_INET && r.family() != AF_INET6) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid route family " + r.family());
        }
        int max = r.family() == AF_INET6 ? 128 : 32;
        if (r.dstLen() < 0 || r.dstLen() > max) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid prefix length " + r.dstLen());
        }
        if (r.dst() == null && r.dstLen() != 0) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "prefix length without a destination");
        }
        for (InetAddress a : new InetAddress[] {r.dst(), r.gateway(), r.prefsrc()}) {
            if (a != null && family(a) != r.family()) {
                throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT,
                        "address family mismatch: " + a.getHostAddress() + " in a family " + r.family() + " route");
            }
        }
        if (r.table() < 0) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid table " + r.table());
        }
        if (r.metric() < -1) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid metric " + r.metric());
        }
        if (r.oif() < 0) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid ifindex " + r.oif());
        }
        for (int v : new int[] {r.protocol(), r.scope(), r.type()}) {
            if (v < 0 || v > 255) {
                throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid route field " + v);
            }
        }
    }

    static String describe(Route r) {
        return (r.dst() == null ? "default" : r.dst().getHostAddress() + "/" + r.dstLen())
                + (r.gateway() != null ? " via " + r.gateway().getHostAddress() : "")
                + (r.oif() > 0 ? " dev " + r.oif() : "");
    }

    private static NetlinkMessage build(int type, int flags, Route r, String what) {
        validate(r);
        NetlinkMessage m = new NetlinkMessage(type, flags, what + describe(r));
        boolean del = type == RTM_DELROUTE;
        int table = r.table() == 0 ? TABLE_MAIN_IF_UNSET : r.table();
        int scope = r.scope();
        if (!del && scope == Route.SCOPE_UNIVERSE && r.gateway() == null && r.type() == Route.TYPE_UNICAST) {
            scope = Route.SCOPE_LINK; // as iproute2: a unicast route without a gateway is on-link
        }
        m.putU8(r.family()).putU8(r.dstLen()).putU8(0).putU8(0);
        m.putU8(table < 256 ? table : RT_TABLE_UNSPEC);
        m.putU8(del ? 0 : r.protocol());
        m.putU8(del ? RT_SCOPE_NOWHERE : scope);
        m.putU8(del ? 0 : r.type());
        m.putU32(0);
        if (table >= 256) {
            m.attrU32(RTA_TABLE, table);
        }
        if (r.dst() != null) {
            m.attrBytes(RTA_DST, r.dst().getAddress());
        }
        if (r.gateway() != null) {
            m.attrBytes(RTA_GATEWAY, r.gateway().getAddress());
        }
        if (r.oif() > 0) {
            m.attrU32(RTA_OIF, r.oif());
        }
        if (r.metric() >= 0) {
            m.attrU32(RTA_PRIORITY, r.metric());
        }
        if (r.prefsrc() != null) {
            m.attrBytes(RTA_PREFSRC, r.prefsrc().getAddress());
        }
        return m;
    }

    private static final int TABLE_MAIN_IF_UNSET = Route.TABLE_MAIN;

    /** A route from one RTM_NEWROUTE message (starting at its nlmsghdr). */
    public static Route parse(ByteBuffer msg) {
        ByteBuffer b = msg.duplicate().order(ByteOrder.nativeOrder());
        int h = NetlinkMessage.HEADER_LEN;
        int family = Byte.toUnsignedInt(b.get(h));
        int dstLen = Byte.toUnsignedInt(b.get(h + 1));
        int rtmTable = Byte.toUnsignedInt(b.get(h + 4));
        int protocol = Byte.toUnsignedInt(b.get(h + 5));
        int scope = Byte.toUnsignedInt(b.get(h + 6));
        int type = Byte.toUnsignedInt(b.get(h + 7));
        int flags = b.getInt(h + 8);
        NetlinkAttributes a = new NetlinkAttributes(b, h + RTMSG_LEN, b.getInt(0));
        return new Route(family, inet(a.bytes(RTA_DST)), dstLen, inet(a.bytes(RTA_GATEWAY)), a.u32(RTA_OIF, 0),
                a.has(RTA_PRIORITY) ? a.u32(RTA_PRIORITY, 0) : -1, a.u32(RTA_TABLE, rtmTable),
                inet(a.bytes(RTA_PREFSRC)), protocol, scope, type, flags & 0xff);
    }

    /** rtm_flags of an RTM_NEWROUTE message (to skip cloned/cached entries). */
    static int rtmFlags(ByteBuffer msg) {
        return msg.duplicate().order(ByteOrder.nativeOrder()).getInt(NetlinkMessage.HEADER_LEN + 8);
    }
}
