package dev.jnet.netlink;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalInt;

/** RTM_GETNSID / RTM_NEWNSID: the ids by which the current namespace knows other namespaces. */
public final class NsidRequests {
    private static final int RTM_NEWNSID = 88;
    private static final int RTM_GETNSID = 90;
    private static final int NETNSA_NSID = 1;
    private static final int NETNSA_FD = 3;
    /** Asks the kernel to pick an id (as {@code ip netns set NAME auto}). */
    public static final int NSID_AUTO = -1;
    private static final int AF_UNSPEC = 0;
    private static final int RTGENMSG_LEN = 4; // struct rtgenmsg, padded

    private NsidRequests() {}

    /** The nsid the socket's namespace assigned to the namespace open at {@code nsFd}, if any. */
    public static OptionalInt get(NetlinkSocket nl, int nsFd, String name) {
        NetlinkMessage m = new NetlinkMessage(RTM_GETNSID, 0, "get nsid of " + name);
        m.putU8(AF_UNSPEC).align();
        m.attrU32(NETNSA_FD, nsFd);
        List<ByteBuffer> replies = nl.request(m);
        for (ByteBuffer r : replies) {
            int start = NetlinkMessage.HEADER_LEN + RTGENMSG_LEN;
            int id = new NetlinkAttributes(r, start, r.limit()).s32(NETNSA_NSID, -1);
            if (id >= 0) {
                return OptionalInt.of(id);
            }
        }
        return OptionalInt.empty();
    }

    /** Assigns {@code id} (or {@link #NSID_AUTO}) to the namespace open at {@code nsFd}. */
    public static void set(NetlinkSocket nl, int nsFd, int id, String name) {
        NetlinkMessage m = new NetlinkMessage(RTM_NEWNSID, NetlinkMessage.NLM_F_CREATE | NetlinkMessage.NLM_F_EXCL,
                "set nsid of " + name);
        m.putU8(AF_UNSPEC).align();
        m.attrU32(NETNSA_FD, nsFd);
        m.attrU32(NETNSA_NSID, id);
        nl.request(m);
    }
}
