package dev.jnet.rtnl;

import static dev.jnet.rtnl.Rtnl.*;

import dev.jnet.netlink.NetlinkAttributes;
import dev.jnet.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR: {@code struct ifaddrmsg} (8 bytes: u8 family,
 * u8 prefixlen, u8 flags, u8 scope, u32 index) followed by IFA_* attributes.
 */
public final class AddressCodec {
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_PERMANENT = 0x80;

    private AddressCodec() {}

    public static NetlinkMessage dump(int family) {
        NetlinkMessage m = new NetlinkMessage(RTM_GETADDR, NetlinkMessage.NLM_F_DUMP, "dump addresses");
        m.putU8(family).putU8(0).putU8(0).putU8(0).putU32(0);
        return m;
    }

    /** RTM_NEWADDR (NLM_F_CREATE|NLM_F_EXCL, as {@code ip addr add}). */
    public static NetlinkMessage add(Address a) {
        return build(RTM_NEWADDR, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL, a, "add address ");
    }

    public static NetlinkMessage delete(Address a) {
        return build(RTM_DELADDR, 0, a, "delete address ");
    }

    static void validate(Address a) {
        for (long lft : new long[] {a.validLft(), a.preferredLft()}) {
            if (lft < -1 || lft > Address.FOREVER) {
                throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid lifetime " + lft);
            }
        }
        if (a.validLft() == 0) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "valid_lft is zero");
        }
        long valid = a.validLft() >= 0 ? a.validLft() : Address.FOREVER;
        long preferred = a.preferredLft() >= 0 ? a.preferredLft() : Address.FOREVER;
        if (valid < preferred && (a.validLft() >= 0 || a.preferredLft() >= 0)) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "preferred_lft is greater than valid_lft");
        }
        if (a.local() == null) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "address is missing");
        }
        int max = a.isIpv6() ? 128 : 32;
        if (a.prefixlen() < 0 || a.prefixlen() > max) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT,
                    "invalid prefix length " + a.prefixlen() + " for " + a.local().getHostAddress());
        }
        int fam = family(a.local());
        for (InetAddress o : new InetAddress[] {a.peer(), a.broadcast()}) {
            if (o != null && family(o) != fam) {
                throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT,
                        "address family mismatch: " + a.local().getHostAddress() + " and " + o.getHostAddress());
            }
        }
        if (a.broadcast() != null && fam == AF_INET6) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "broadcast is IPv4 only");
        }
        if (a.scope() < 0 || a.scope() > 255) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid scope " + a.scope());
        }
        if (a.label() != null && a.label().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 15) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "label \"" + a.label() + "\" is too long");
        }
    }

    private static NetlinkMessage build(int type, int flags, Address a, String what) {
        validate(a);
        NetlinkMessage m = new NetlinkMessage(type, flags,
                what + a.local().getHostAddress() + "/" + a.prefixlen() + " on " + a.ifindex());
        int fam = family(a.local());
        m.putU8(fam).putU8(a.prefixlen()).putU8(a.flags() & 0xff).putU8(a.scope()).putU32(a.ifindex());
        m.attrBytes(IFA_LOCAL, a.local().getAddress());
        m.attrBytes(IFA_ADDRESS, (a.peer() != null ? a.peer() : a.local()).getAddress());
        if (a.broadcast() != null) {
            m.attrBytes(IFA_BROADCAST, a.broadcast().getAddress());
        }
        if (a.label() != null && fam == AF_INET) {
            m.attrString(IFA_LABEL, a.label());
        }
        if ((a.flags() & ~0xff) != 0) {
            m.attrU32(IFA_FLAGS, a.flags());
        }
        if (a.validLft() >= 0 || a.preferredLft() >= 0) {
            long valid = a.validLft() >= 0 ? a.validLft() : Address.FOREVER;
            long preferred = a.preferredLft() >= 0 ? a.preferredLft() : Address.FOREVER;
            byte[] ci = new byte[16]; // struct ifa_cacheinfo: prefered, valid, cstamp, tstamp
            ByteBuffer.wrap(ci).order(ByteOrder.nativeOrder()).putInt((int) preferred).putInt((int) valid);
            m.attrBytes(IFA_CACHEINFO, ci);
        }
        return m;
    }

    /** An address from one RTM_NEWADDR message (starting at its nlmsghdr). */
    public static Address parse(ByteBuffer msg) {
        ByteBuffer b = msg.duplicate().order(ByteOrder.nativeOrder());
        int h = NetlinkMessage.HEADER_LEN;
        int prefixlen = Byte.toUnsignedInt(b.get(h + 1));
        int flags = Byte.toUnsignedInt(b.get(h + 2));
        int scope = Byte.toUnsignedInt(b.get(h + 3));
        int index = b.getInt(h + 4);
        NetlinkAttributes a = new NetlinkAttributes(b, h + IFADDRMSG_LEN, b.getInt(0));
        InetAddress local = inet(a.bytes(IFA_LOCAL));
        InetAddress address = inet(a.bytes(IFA_ADDRESS));
        InetAddress peer = null;
        if (local == null) {
            local = address;
        } else if (address != null && !address.equals(local)) {
            peer = address;
        }
        long valid = -1;
        long preferred = -1;
        int ci = a.find(IFA_CACHEINFO);
        if (ci >= 0 && a.length(ci) >= 8) {
            preferred = Integer.toUnsignedLong(b.getInt(ci));
            valid = Integer.toUnsignedLong(b.getInt(ci + 4));
        }
        return new Address(index, local, prefixlen, peer, inet(a.bytes(IFA_BROADCAST)), scope, a.string(IFA_LABEL),
                a.u32(IFA_FLAGS, flags), valid, preferred);
    }

    /** The address family of an RTM_NEWADDR message. */
    static int familyOf(ByteBuffer msg) {
        return Byte.toUnsignedInt(msg.get(NetlinkMessage.HEADER_LEN));
    }
}
