package dev.jnet.rtnl;

import static dev.jnet.rtnl.Rtnl.*;

import dev.jnet.netlink.NetlinkAttributes;
import dev.jnet.netlink.NetlinkMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;

/**
 * RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK messages: {@code struct ifinfomsg} (16 bytes:
 * u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change) followed by IFLA_* attributes.
 */
public final class LinkCodec {
    private LinkCodec() {}

    /** A namespace as the kernel takes it: an open fd (IFLA_NET_NS_FD) or a pid (IFLA_NET_NS_PID). */
    public record NsRef(boolean byPid, int value) {
        public static NsRef fd(int fd) {
            return new NsRef(false, fd);
        }

        public static NsRef pid(int pid) {
            return new NsRef(true, pid);
        }
    }

    static void ifinfomsg(NetlinkMessage m, int family, int index, int flags, int change) {
        m.putU8(family).putU8(0).putU16(0).putU32(index).putU32(flags).putU32(change);
    }

    /** RTM_GETLINK of one link by name (the kernel looks it up: no dump). */
    public static NetlinkMessage getByName(String name) {
        NetlinkMessage m = new NetlinkMessage(RTM_GETLINK, 0, "get link " + name);
        ifinfomsg(m, AF_UNSPEC, 0, 0, 0);
        m.attrString(IFLA_IFNAME, name);
        return m;
    }

    public static NetlinkMessage getByIndex(int index) {
        NetlinkMessage m = new NetlinkMessage(RTM_GETLINK, 0, "get link " + index);
        ifinfomsg(m, AF_UNSPEC, index, 0, 0);
        return m;
    }

    public static NetlinkMessage dump() {
        NetlinkMessage m = new NetlinkMessage(RTM_GETLINK, NetlinkMessage.NLM_F_DUMP, "dump links");
        ifinfomsg(m, AF_UNSPEC, 0, 0, 0);
        return m;
    }

    /** RTM_DELLINK by name (index 0 + IFLA_IFNAME, resolved by the kernel). */
    public static NetlinkMessage delete(String name) {
        NetlinkMessage m = new NetlinkMessage(RTM_DELLINK, 0, "delete link " + name);
        ifinfomsg(m, AF_UNSPEC, 0, 0, 0);
        m.attrString(IFLA_IFNAME, name);
        return m;
    }

    static void putNs(NetlinkMessage m, NsRef ns) {
        if (ns != null) {
            m.attrU32(ns.byPid() ? IFLA_NET_NS_PID : IFLA_NET_NS_FD, ns.value());
        }
    }

    /**
     * RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL for every kind but tuntap.
     *
     * @param parentIndex IFLA_LINK for vlan/macvlan (ignored otherwise)
     * @param ns where to create the link, or null
     * @param peerNs where to create a veth peer, or null
     */
    public static NetlinkMessage newLink(LinkSpec spec, int parentIndex, NsRef ns, NsRef peerNs) {
        validate(spec);
        NetlinkMessage m = new NetlinkMessage(RTM_NEWLINK, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL,
                "add link " + spec.name());
        ifinfomsg(m, AF_UNSPEC, 0, 0, 0);
        m.attrString(IFLA_IFNAME, spec.name());
        if (spec.mtu() != 0) { // 0: the kernel's default
            m.attrU32(IFLA_MTU, spec.mtu());
        }
        if (spec.address() != null) {
            m.attrBytes(IFLA_ADDRESS, spec.address());
        }
        if (spec.txqlen() >= 0) {
            m.attrU32(IFLA_TXQLEN, spec.txqlen());
        }
        putNs(m, ns);
        LinkKind kind = spec.kind();
        if (kind instanceof LinkKind.Vlan || kind instanceof LinkKind.Macvlan) {
            m.attrU32(IFLA_LINK, parentIndex);
        }
        int info = m.beginNested(IFLA_LINKINFO);
        m.attrString(IFLA_INFO_KIND, kind.kindName());
        if (kind instanceof LinkKind.Veth v) {
            int data = m.beginNested(IFLA_INFO_DATA);
            int peer = m.beginNested(VETH_INFO_PEER);
            ifinfomsg(m, AF_UNSPEC, 0, 0, 0);
            m.attrString(IFLA_IFNAME, v.peerName());
            putNs(m, peerNs);
            m.endNested(peer);
            m.endNested(data);
        } else if (kind instanceof LinkKind.Vlan v) {
            int data = m.beginNested(IFLA_INFO_DATA);
            m.attrU16(IFLA_VLAN_ID, v.id());
            m.endNested(data);
        } else if (kind instanceof LinkKind.Macvlan mv) {
            if (mv.mode() != null) {
                int data = m.beginNested(IFLA_INFO_DATA);
                m.attrU32(IFLA_MACVLAN_MODE, macvlanMode(mv.mode()));
                m.endNested(data);
            }
        }
        m.endNested(info);
        return m;
    }

    /**
     * One RTM_NEWLINK (no NLM_F_CREATE) applying every set field of {@code c}, as {@code ip link set}.
     *
     * @param index the link's index, or 0 to have the kernel find {@code name} (not with a rename)
     * @param masterIndex IFLA_MASTER value (0 releases), or -1 to leave it
     */
    public static NetlinkMessage set(int index, String name, LinkChange c, int masterIndex, NsRef ns) {
        validate(c);
        if (index == 0 && c.newName() != null) {
            throw new IllegalArgumentException("a rename needs the link's index");
        }
        NetlinkMessage m = new NetlinkMessage(RTM_NEWLINK, 0, "set link " + name);
        int flags = 0;
        int change = 0;
        if (c.up() != null) {
            change = Link.IFF_UP;
            flags = c.up() ? Link.IFF_UP : 0;
        }
        ifinfomsg(m, AF_UNSPEC, index, flags, change);
        if (index == 0) {
            m.attrString(IFLA_IFNAME, name);
        } else if (c.newName() != null) {
            m.attrString(IFLA_IFNAME, c.newName());
        }
        if (c.mtu() != null) {
            m.attrU32(IFLA_MTU, c.mtu());
        }
        if (c.address() != null) {
            m.attrBytes(IFLA_ADDRESS, c.address());
        }
        if (c.txqlen() != null) {
            m.attrU32(IFLA_TXQLEN, c.txqlen());
        }
        if (masterIndex >= 0) {
            m.attrU32(IFLA_MASTER, masterIndex);
        }
        putNs(m, ns);
        return m;
    }

    /** ip-link(8)'s macvlan mode names to MACVLAN_MODE_* bits. */
    public static int macvlanMode(String mode) {
        return switch (mode) {
            case "private" -> 1;
            case "vepa" -> 2;
            case "bridge" -> 4;
            case "passthru" -> 8;
            case "source" -> 16;
            default -> throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT,
                    "Unknown macvlan mode \"" + mode + "\": expected private, vepa, bridge, passthru or source");
        };
    }

    /** iproute2's check_ifname: 1-15 bytes, no '/', ':' or whitespace. */
    public static void checkName(String name, String what) {
        if (name == null || name.isEmpty()) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, what + " name is missing");
        }
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        boolean ok = b.length < 16 && !name.equals(".") && !name.equals("..");
        for (int i = 0; ok && i < name.length(); i++) {
            char ch = name.charAt(i);
            ok = ch != '/' && ch != ':' && !Character.isWhitespace(ch) && ch != 0;
        }
        if (!ok) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "\"" + name + "\" is not a valid ifname");
        }
    }

    /** Any non-negative value goes to the kernel: its per-device limits decide, with its own message (as ip). */
    static void checkMtu(long mtu) {
        if (mtu < 0) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid mtu " + mtu);
        }
    }

    static void checkAddress(byte[] a) {
        if (a.length == 0 || a.length > 32) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT,
                    "invalid hardware address length " + a.length);
        }
    }

    static void checkTxqlen(long q) {
        if (q < 0) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid txqlen " + q);
        }
    }

    static void validate(LinkSpec spec) {
        checkName(spec.name(), "link");
        if (spec.kind() == null) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "link kind is missing");
        }
        checkMtu(spec.mtu());
        if (spec.address() != null) {
            checkAddress(spec.address());
        }
        if (spec.txqlen() < -1) {
            checkTxqlen(spec.txqlen());
        }
        LinkKind k = spec.kind();
        if (k instanceof LinkKind.Veth v) {
            checkName(v.peerName(), "peer");
        } else if (k instanceof LinkKind.Vlan v) {
            checkName(v.parent(), "parent");
            if (v.id() < 1 || v.id() > 4094) {
                throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT,
                        "invalid VLAN id " + v.id() + ": expected 1-4094");
            }
        } else if (k instanceof LinkKind.Macvlan mv) {
            checkName(mv.parent(), "parent");
            if (mv.mode() != null) {
                macvlanMode(mv.mode());
            }
        }
    }

    static void validate(LinkChange c) {
        if (c.mtu() != null) {
            checkMtu(c.mtu());
        }
        if (c.address() != null) {
            checkAddress(c.address());
        }
        if (c.txqlen() != null) {
            checkTxqlen(c.txqlen());
        }
        if (c.newName() != null) {
            checkName(c.newName(), "new");
        }
    }

    /** A link from one RTM_NEWLINK message (starting at its nlmsghdr). */
    public static Link parse(ByteBuffer msg) {
        ByteBuffer b = msg.duplicate().order(ByteOrder.nativeOrder());
        int h = NetlinkMessage.HEADER_LEN;
        int type = Short.toUnsignedInt(b.getShort(h + 2));
        int index = b.getInt(h + 4);
        int flags = b.getInt(h + 8);
        NetlinkAttributes a = new NetlinkAttributes(b, h + IFINFOMSG_LEN, b.getInt(0));
        NetlinkAttributes info = a.nested(IFLA_LINKINFO);
        String kind = info == null ? null : info.string(IFLA_INFO_KIND);
        Link.LinkStats stats = null;
        int at = a.find(IFLA_STATS64);
        if (at >= 0) {
            long[] v = new long[Math.min(a.length(at) / 8, Link.Counter.values().length)];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getLong(at + 8 * i);
            }
            stats = new Link.LinkStats(v, u32OrNone(a, IFLA_CARRIER_CHANGES));
        }
        return new Link(index, a.string(IFLA_IFNAME), flags, a.u32(IFLA_MTU, 0), a.string(IFLA_QDISC),
                a.u8(IFLA_OPERSTATE, 0), a.u8(IFLA_LINKMODE, 0), a.u32(IFLA_GROUP, 0), a.u32(IFLA_TXQLEN, 0), type,
                a.bytes(IFLA_ADDRESS), a.bytes(IFLA_BROADCAST), opt(a, IFLA_MASTER), opt(a, IFLA_LINK),
                opt(a, IFLA_LINK_NETNSID), kind, a.u32(IFLA_MIN_MTU, 0), a.u32(IFLA_MAX_MTU, 0), stats,
                details(a, info));
    }

    private static long u32OrNone(NetlinkAttributes a, int type) {
        return a.has(type) ? Integer.toUnsignedLong(a.u32(type, 0)) : -1;
    }

    private static Link.Details details(NetlinkAttributes a, NetlinkAttributes info) {
        NetlinkAttributes af = a.nested(IFLA_AF_SPEC);
        NetlinkAttributes inet6 = af == null ? null : af.nested(AF_INET6);
        int genMode = inet6 == null ? -1 : inet6.u8(IFLA_INET6_ADDR_GEN_MODE, -1);
        return new Link.Details(u32OrNone(a, IFLA_PROMISCUITY), u32OrNone(a, IFLA_ALLMULTI),
                u32OrNone(a, IFLA_NUM_TX_QUEUES), u32OrNone(a, IFLA_NUM_RX_QUEUES), u32OrNone(a, IFLA_GSO_MAX_SIZE),
                u32OrNone(a, IFLA_GSO_MAX_SEGS), u32OrNone(a, IFLA_TSO_MAX_SIZE), u32OrNone(a, IFLA_TSO_MAX_SEGS),
                u32OrNone(a, IFLA_GRO_MAX_SIZE), genMode, info != null && info.has(IFLA_INFO_DATA),
                info == null ? null : info.string(IFLA_INFO_SLAVE_KIND), a.string(IFLA_PARENT_DEV_BUS_NAME),
                a.string(IFLA_PARENT_DEV_NAME), a.has(IFLA_MIN_MTU), macvlan(info));
    }

    private static Link.Macvlan macvlan(NetlinkAttributes info) {
        NetlinkAttributes data = info == null || !"macvlan".equals(info.string(IFLA_INFO_KIND)) ? null
                : info.nested(IFLA_INFO_DATA);
        if (data == null) {
            return null;
        }
        return new Link.Macvlan(u32OrNone(data, IFLA_MACVLAN_MODE), data.u16(2, 0), u32OrNone(data, 7),
                u32OrNone(data, 8)); // IFLA_MACVLAN_FLAGS, _BC_QUEUE_LEN, _BC_QUEUE_LEN_USED
    }

    private static OptionalInt opt(NetlinkAttributes a, int type) {
        return a.has(type) ? OptionalInt.of(a.s32(type, 0)) : OptionalInt.empty();
    }
}
