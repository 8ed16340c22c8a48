package dev.jnet.rtnl;

import java.net.InetAddress;

/**
 * A neighbour (ARP / NDP) entry (RTM_NEWNEIGH). Field names follow {@code ip -j neigh}.
 *
 * @param family AF_INET (2) or AF_INET6 (10)
 * @param ifindex the link it is on
 * @param dst the neighbour's address (NDA_DST)
 * @param lladdr its link-layer address (NDA_LLADDR), or null
 * @param state NUD_* bits (ndm_state): {@link #NUD_PERMANENT}, {@link #NUD_REACHABLE}, ...
 * @param flags NTF_* bits (ndm_flags): {@link #NTF_ROUTER}, {@link #NTF_PROXY}, ...
 * @param protocol NDA_PROTOCOL, or 0
 * @param extFlags NDA_FLAGS_EXT (NTF_EXT_MANAGED), or 0
 */
public record Neighbour(int family, int ifindex, InetAddress dst, byte[] lladdr, int state, int flags, int protocol,
        int extFlags) {
    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_DELAY = 0x08;
    public static final int NUD_PROBE = 0x10;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    public static final int NUD_PERMANENT = 0x80;
    public static final int NUD_NONE = 0x00;

    public static final int NTF_USE = 0x01;
    public static final int NTF_PROXY = 0x08;
    public static final int NTF_EXT_LEARNED = 0x10;
    public static final int NTF_OFFLOADED = 0x20;
    public static final int NTF_ROUTER = 0x80;
    public static final int NTF_EXT_MANAGED = 0x01;

    /** A permanent entry {@code dst} → {@code lladdr} on {@code ifindex}, as {@code ip neigh add} makes by default. */
    public static Neighbour permanent(int ifindex, InetAddress dst, byte[] lladdr) {
        return new Neighbour(Rtnl.family(dst), ifindex, dst, lladdr, NUD_PERMANENT, 0, 0, 0);
    }
}
