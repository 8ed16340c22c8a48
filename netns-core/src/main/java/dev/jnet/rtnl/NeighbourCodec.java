package dev.jnet.rtnl;

import static dev.jnet.rtnl.Rtnl.*;

import dev.jnet.netlink.NetlinkAttributes;
import dev.jnet.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH: {@code struct ndmsg} (12 bytes: u8 family, u8 pad,
 * u16 pad, s32 ifindex, u16 state, u8 flags, u8 type) followed by NDA_* attributes.
 */
public final class NeighbourCodec {
    static final int RTM_NEWNEIGH = 28;
    static final int RTM_DELNEIGH = 29;
    static final int RTM_GETNEIGH = 30;
    private static final int NDMSG_LEN = 12;
    private static final int NDA_DST = 1;
    private static final int NDA_LLADDR = 2;
    private static final int NDA_PROTOCOL = 12;
    private static final int NDA_FLAGS_EXT = 15;

    private NeighbourCodec() {}

    /** A dump of the neighbour tables of {@code family} (0: all). */
    public static NetlinkMessage dump(int family) {
        NetlinkMessage m = new NetlinkMessage(RTM_GETNEIGH, NetlinkMessage.NLM_F_DUMP, "dump neighbours");
        ndmsg(m, family, 0, 0, 0);
        return m;
    }

    private static void ndmsg(NetlinkMessage m, int family, int ifindex, int state, int flags) {
        m.putU8(family).putU8(0).putU16(0).putU32(ifindex).putU16(state).putU8(flags).putU8(0);
    }

    /** RTM_NEWNEIGH with {@code nlFlags} (NLM_F_CREATE|NLM_F_EXCL for add, NLM_F_CREATE|NLM_F_REPLACE for replace). */
    public static NetlinkMessage add(Neighbour n, int nlFlags) {
        return build(RTM_NEWNEIGH, nlFlags, n, "add neighbour ");
    }

    public static NetlinkMessage delete(Neighbour n) {
        return build(RTM_DELNEIGH, 0, n, "delete neighbour ");
    }

    static void validate(Neighbour n) {
        if (n.dst() == null) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "neighbour address is missing");
        }
        if (n.ifindex() <= 0) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "neighbour needs a device");
        }
        if (n.lladdr() != null && (n.lladdr().length == 0 || n.lladdr().length > 32)) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT,
                    "invalid link-layer address length " + n.lladdr().length);
        }
        if (n.state() < 0 || n.state() > 0xffff || n.flags() < 0 || n.flags() > 0xff || n.protocol() < 0
                || n.protocol() > 0xff) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid neighbour state, flags or protocol");
        }
    }

    private static NetlinkMessage build(int type, int nlFlags, Neighbour n, String what) {
        validate(n);
        NetlinkMessage m = new NetlinkMessage(type, nlFlags, what + n.dst().getHostAddress() + " on " + n.ifindex());
        ndmsg(m, family(n.dst()), n.ifindex(), n.state(), n.flags());
        m.attrBytes(NDA_DST, n.dst().getAddress());
        if (n.lladdr() != null) {
            m.attrBytes(NDA_LLADDR, n.lladdr());
        }
        if (n.protocol() != 0) {
            m.attrBytes(NDA_PROTOCOL, new byte[] {(byte) n.protocol()});
        }
        if (n.extFlags() != 0) {
            m.attrU32(NDA_FLAGS_EXT, n.extFlags());
        }
        return m;
    }

    /** A neighbour from one RTM_NEWNEIGH message (starting at its nlmsghdr); null without NDA_DST. */
    public static Neighbour parse(ByteBuffer msg) {
        ByteBuffer b = msg.duplicate().order(ByteOrder.nativeOrder());
        int h = NetlinkMessage.HEADER_LEN;
        int family = Byte.toUnsignedInt(b.get(h));
        int ifindex = b.getInt(h + 4);
        int state = Short.toUnsignedInt(b.getShort(h + 8));
        int flags = Byte.toUnsignedInt(b.get(h + 10));
        NetlinkAttributes a = new NetlinkAttributes(b, h + NDMSG_LEN, b.getInt(0));
        InetAddress dst = inet(a.bytes(NDA_DST));
        if (dst == null) {
            return null;
        }
        return new Neighbour(family, ifindex, dst, a.bytes(NDA_LLADDR), state, flags, a.u8(NDA_PROTOCOL, 0),
                a.u32(NDA_FLAGS_EXT, 0));
    }

    static boolean isNewNeigh(int type) {
        return type == RTM_NEWNEIGH;
    }
}
