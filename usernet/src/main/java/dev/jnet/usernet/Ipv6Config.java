package dev.jnet.usernet;

import dev.jnet.usernet.wire.Ipv6Packet;

/**
 * IPv6 settings. By default libslirp's meanings: the guest's prefix fd00::/64 is advertised by
 * router advertisements (the guest configures itself by SLAAC), the gateway is prefix::2 (maps
 * to the host's ::1 unless host loopback is disabled), DNS is prefix::3. pasta's plan
 * ({@link #pasta}) instead copies the host's: the guest has the host's address (configured,
 * not learnt), its gateway is the host's gateway (global or link-local), there is no DNS
 * address of ours, and every other address of the prefix is a neighbour the stack answers
 * NDP for and reaches as itself on the host side, as pasta does. Addresses are two
 * {@code long}s (high, low 64 bits) as in the wire layer.
 *
 * @param prefixHigh    the high 64 bits of the prefix (the low 64 are the interface id)
 * @param prefixLength  the prefix length; 64, as SLAAC needs
 * @param gatewayHigh   the gateway's high 64 bits (the prefix's, or fe80:: for a link-local one)
 * @param gatewayLow    the gateway's low 64 bits
 * @param dnsLow        the DNS server's interface id in the prefix, or 0 for none
 * @param guestLow      the guest's interface id when it is given (pasta), or 0 (SLAAC)
 */
public record Ipv6Config(long prefixHigh, int prefixLength, long gatewayHigh, long gatewayLow, long dnsLow,
        long guestLow) {
    /** fd00:: */
    public static final long DEFAULT_PREFIX_HIGH = 0xfd00_0000_0000_0000L;
    /** Interface id (low 64 bits) of libslirp's gateway: prefix::2. */
    public static final long GATEWAY_LOW = 2;
    /** Interface id (low 64 bits) of libslirp's DNS server: prefix::3. */
    public static final long DNS_LOW = 3;

    public Ipv6Config {
        if (prefixLength != 64) {
            throw new IllegalArgumentException("IPv6 prefix length " + prefixLength + " is not 64 (SLAAC needs /64)");
        }
        if (guestLow != 0 && gatewayHigh == prefixHigh && gatewayLow == guestLow) {
            throw new IllegalArgumentException("the gateway " + Ipv6Packet.toInetAddress(gatewayHigh, gatewayLow)
                    .getHostAddress() + " is the guest's own address");
        }
    }

    /** libslirp's plan in the prefix {@code prefixHigh}::/64: gateway ::2, DNS ::3, the guest by SLAAC. */
    public Ipv6Config(long prefixHigh, int prefixLength) {
        this(prefixHigh, prefixLength, prefixHigh, GATEWAY_LOW, DNS_LOW, 0);
    }

    public static Ipv6Config defaults() {
        return new Ipv6Config(DEFAULT_PREFIX_HIGH, 64);
    }

    /** pasta's plan: the guest at {@code guestHigh:guestLow}/64, its gateway {@code gatewayHigh:gatewayLow}. */
    public static Ipv6Config pasta(long guestHigh, long guestLow, long gatewayHigh, long gatewayLow) {
        if (guestLow == 0) {
            throw new IllegalArgumentException("the guest's IPv6 address has interface id 0");
        }
        return new Ipv6Config(guestHigh, 64, gatewayHigh, gatewayLow, 0, guestLow);
    }

    /** Whether the guest's address is given (pasta) rather than chosen by the guest (SLAAC). */
    public boolean isPasta() {
        return guestLow != 0;
    }

    /** Whether a DNS address of ours is in the prefix. */
    public boolean hasDns() {
        return dnsLow != 0;
    }

    /** Whether {@code high:low} lies in the guest's prefix. */
    public boolean inPrefix(long high, long low) {
        return high == prefixHigh;
    }

    public boolean isGateway(long high, long low) {
        return high == gatewayHigh && low == gatewayLow;
    }

    public boolean isDns(long high, long low) {
        return dnsLow != 0 && high == prefixHigh && low == dnsLow;
    }

    /**
     * pasta's neighbours: an address of the prefix that is neither the guest's, the gateway, the
     * DNS address nor the subnet-router anycast (interface id 0); reached as itself on the host.
     */
    public boolean isNeighbour(long high, long low) {
        return guestLow != 0 && high == prefixHigh && low != guestLow && low != 0 && !isGateway(high, low)
                && !isDns(high, low);
    }

    @Override
    public String toString() {
        return Ipv6Packet.toInetAddress(prefixHigh, 0).getHostAddress() + "/" + prefixLength;
    }
}
