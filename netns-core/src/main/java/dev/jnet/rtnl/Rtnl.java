package dev.jnet.rtnl;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** rtnetlink constants from the kernel's uapi headers (rtnetlink.h, if_link.h, if_addr.h). */
final class Rtnl {
    private Rtnl() {}

    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;
    static final int RTM_NEWROUTE = 24;
    static final int RTM_DELROUTE = 25;
    static final int RTM_GETROUTE = 26;

    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    /** struct ifinfomsg: family, pad, type, index, flags, change. */
    static final int IFINFOMSG_LEN = 16;
    /** struct ifaddrmsg: family, prefixlen, flags, scope, index. */
    static final int IFADDRMSG_LEN = 8;
    /** struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
    static final int RTMSG_LEN = 12;

    static final int IFLA_ADDRESS = 1;
    static final int IFLA_BROADCAST = 2;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_LINK = 5;
    static final int IFLA_QDISC = 6;
    static final int IFLA_MASTER = 10;
    static final int IFLA_TXQLEN = 13;
    static final int IFLA_OPERSTATE = 16;
    static final int IFLA_LINKMODE = 17;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_NET_NS_PID = 19;
    static final int IFLA_STATS64 = 23;
    static final int IFLA_GROUP = 27;
    static final int IFLA_NET_NS_FD = 28;
    static final int IFLA_EXT_MASK = 29;
    static final int IFLA_LINK_NETNSID = 37;
    static final int IFLA_AF_SPEC = 26;
    static final int IFLA_PROMISCUITY = 30;
    static final int IFLA_NUM_TX_QUEUES = 31;
    static final int IFLA_NUM_RX_QUEUES = 32;
    static final int IFLA_CARRIER_CHANGES = 35;
    static final int IFLA_GSO_MAX_SEGS = 40;
    static final int IFLA_GSO_MAX_SIZE = 41;
    static final int IFLA_PARENT_DEV_NAME = 56;
    static final int IFLA_PARENT_DEV_BUS_NAME = 57;
    static final int IFLA_GRO_MAX_SIZE = 58;
    static final int IFLA_TSO_MAX_SIZE = 59;
    static final int IFLA_TSO_MAX_SEGS = 60;
    static final int IFLA_ALLMULTI = 61;
    static final int IFLA_INET6_ADDR_GEN_MODE = 8;
    static final int IFLA_INFO_SLAVE_KIND = 4;
    static final int IFLA_MIN_MTU = 50;
    static final int IFLA_MAX_MTU = 51;

    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int VETH_INFO_PEER = 1;
    static final int IFLA_VLAN_ID = 1;
    static final int IFLA_MACVLAN_MODE = 1;

    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_LABEL = 3;
    static final int IFA_BROADCAST = 4;
    static final int IFA_CACHEINFO = 6;
    static final int IFA_FLAGS = 8;

    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_PREFSRC = 7;
    static final int RTA_TABLE = 15;

    static final int RT_TABLE_UNSPEC = 0;
    static final int RT_SCOPE_NOWHERE = 255;
    static final int RTM_F_CLONED = 0x200;
    static final int NLM_F_DUMP_INTR = 0x10;

    static int family(InetAddress a) {
        return a instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    /** An address from raw bytes, never turning an IPv4-mapped IPv6 address into IPv4, never resolving names. */
    static InetAddress inet(byte[] b) {
        if (b == null) {
            return null;
        }
        try {
            if (b.length == 16) {
                return Inet6Address.getByAddress(null, b, -1);
            }
            if (b.length == 4) {
                return InetAddress.getByAddress(b);
            }
            return null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    static byte[] raw(InetAddress a) {
        return a instanceof Inet4Address ? a.getAddress() : a.getAddress();
    }
}
