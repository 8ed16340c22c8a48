package dev.jnet.rtnl;

import static dev.jnet.rtnl.Rtnl.*;

import dev.jnet.netlink.NetlinkAttributes;
import dev.jnet.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The kernel's answer to RTM_GETROUTE for one destination ({@code ip route get}): the route a
 * packet would take, with what the lookup adds (source, uid, cache flags, input interface).
 * Unset fields are null, 0 or -1.
 *
 * @param route the route fields as {@link Route} has them (rtm_flags in {@link Route#flags()} are the low byte)
 * @param src RTA_SRC (the {@code from} given), or null
 * @param srcLen rtm_src_len
 * @param rtmFlags all of rtm_flags (RTM_F_CLONED 0x200, RTCF_* cache flags in the high bits)
 * @param uid RTA_UID, or -1
 * @param iif RTA_IIF, or 0
 * @param pref RTA_PREF, or -1
 * @param expires rta_cacheinfo's rta_expires (clock ticks), error its rta_error, id its rta_id, ts and tsage; 0 when absent
 */
public record RouteLookup(Route route, InetAddress src, int srcLen, int rtmFlags, long uid, int iif, int pref,
        long expires, long error, long id, long ts, long tsage) {
    private static final int RTA_SRC = 2;
    private static final int RTA_IIF = 3;
    private static final int RTA_CACHEINFO = 12;
    private static final int RTA_PREF = 20;
    private static final int RTA_UID = 25;
    /** rtm_flags: set rtm_table to the FIB lookup result (IPv4). */
    private static final int RTM_F_LOOKUP_TABLE = 0x1000;

    /**
     * RTM_GETROUTE for {@code dst} (family AF_INET or AF_INET6), from {@code src} ({@code srcLen}
     * bits; null for none), arriving on {@code iif} / leaving by {@code oif} (0: any).
     */
    public static NetlinkMessage request(int family, InetAddress dst, InetAddress src, int srcLen, int iif, int oif) {
        if (family != AF_INET && family != AF_INET6) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid route family " + family);
        }
        for (InetAddress a : new InetAddress[] {dst, src}) {
            if (a != null && family(a) != family) {
                throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "address family mismatch: " + a.getHostAddress());
            }
        }
        NetlinkMessage m = new NetlinkMessage(RTM_GETROUTE, 0, "get route " + (dst == null ? "" : dst.getHostAddress()));
        int max = family == AF_INET6 ? 128 : 32;
        m.putU8(family).putU8(dst == null ? 0 : max).putU8(src == null ? 0 : srcLen).putU8(0);
        m.putU8(0).putU8(0).putU8(0).putU8(0).putU32(family == AF_INET ? RTM_F_LOOKUP_TABLE : 0);
        if (dst != null) {
            m.attrBytes(RTA_DST, dst.getAddress());
        }
        if (src != null) {
            m.attrBytes(RTA_SRC, src.getAddress());
        }
        if (iif > 0) {
            m.attrU32(RTA_IIF, iif);
        }
        if (oif > 0) {
            m.attrU32(RTA_OIF, oif);
        }
        return m;
    }

    /** The answer in one RTM_NEWROUTE message (starting at its nlmsghdr). */
    public static RouteLookup parse(ByteBuffer msg) {
        ByteBuffer b = msg.duplicate().order(ByteOrder.nativeOrder());
        int h = NetlinkMessage.HEADER_LEN;
        NetlinkAttributes a = new NetlinkAttributes(b, h + RTMSG_LEN, b.getInt(0));
        long[] ci = new long[5];
        int at = a.find(RTA_CACHEINFO);
        if (at >= 0 && a.length(at) >= 32) { // struct rta_cacheinfo: clntref, lastuse, expires, error, used, id, ts, tsage
            ci[0] = b.getInt(at + 8);
            ci[1] = Integer.toUnsignedLong(b.getInt(at + 12));
            ci[2] = Integer.toUnsignedLong(b.getInt(at + 20));
            ci[3] = Integer.toUnsignedLong(b.getInt(at + 24));
            ci[4] = Integer.toUnsignedLong(b.getInt(at + 28));
        }
        return new RouteLookup(RouteCodec.parse(msg), inet(a.bytes(RTA_SRC)), Byte.toUnsignedInt(b.get(h + 2)),
                b.getInt(h + 8), a.has(RTA_UID) ? Integer.toUnsignedLong(a.u32(RTA_UID, 0)) : -1, a.u32(RTA_IIF, 0),
                a.has(RTA_PREF) ? a.u8(RTA_PREF, 0) : -1, ci[0], ci[1], ci[2], ci[3], ci[4]);
    }
}
