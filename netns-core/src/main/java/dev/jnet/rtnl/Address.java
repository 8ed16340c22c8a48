package dev.jnet.rtnl;

import java.net.InetAddress;

/**
 * An interface address (RTM_NEWADDR), IPv4 or IPv6. Field names follow {@code ip -j addr}.
 *
 * @param ifindex the link it is on
 * @param local the address itself (IFA_LOCAL, or IFA_ADDRESS when there is no IFA_LOCAL)
 * @param prefixlen prefix length
 * @param peer the point-to-point peer (IFA_ADDRESS when it differs from local), or null
 * @param broadcast IPv4 broadcast, or null
 * @param scope RT_SCOPE_*: 0 global, 200 site, 253 link, 254 host
 * @param label IFA_LABEL, or null
 * @param flags IFA_F_* (from IFA_FLAGS when present)
 * @param validLft IFA_CACHEINFO's valid lifetime in seconds ({@link #FOREVER}), or -1 when not given
 * @param preferredLft IFA_CACHEINFO's preferred lifetime in seconds ({@link #FOREVER}), or -1 when not given
 */
public record Address(int ifindex, InetAddress local, int prefixlen, InetAddress peer, InetAddress broadcast,
        int scope, String label, int flags, long validLft, long preferredLft) {
    /** An infinite lifetime (INFINITY_LIFE_TIME). */
    public static final long FOREVER = 0xffffffffL;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_HOMEADDRESS = 0x10;
    public static final int IFA_F_DEPRECATED = 0x20;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;

    /** An address without lifetimes (the kernel's default: forever). */
    public Address(int ifindex, InetAddress local, int prefixlen, InetAddress peer, InetAddress broadcast,
            int scope, String label, int flags) {
        this(ifindex, local, prefixlen, peer, broadcast, scope, label, flags, -1, -1);
    }

    /** This address with lifetimes {@code valid} and {@code preferred} (seconds, or {@link #FOREVER}). */
    public Address withLifetimes(long valid, long preferred) {
        return new Address(ifindex, local, prefixlen, peer, broadcast, scope, label, flags, valid, preferred);
    }

    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;

    /** An address to add: {@code local/prefixlen} on {@code ifindex}, global scope. */
    public static Address of(int ifindex, InetAddress local, int prefixlen) {
        return new Address(ifindex, local, prefixlen, null, null, SCOPE_UNIVERSE, null, 0);
    }

    public boolean isIpv6() {
        return local instanceof java.net.Inet6Address;
    }
}
