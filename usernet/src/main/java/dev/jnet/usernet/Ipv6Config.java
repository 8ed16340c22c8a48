package dev.jnet.usernet;

import dev.jnet.usernet.wire.Ipv6Packet;
import java.net.Inet6Address;

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
 * @param dnsHigh       the DNS server's high 64 bits (the prefix's for libslirp's ::3; pasta's
 *                      {@code --dns-forward} may name any address)
 * @param dnsLow        the DNS server's low 64 bits, or 0 for none
 * @param guestLow      the guest's interface id when it is given (pasta), or 0 (SLAAC)
 */
public record Ipv6Config(long prefixHigh, int prefixLength, long gatewayHigh, long gatewayLow, long dnsHigh,
        long dnsLow, long guestLow) {
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
        this(prefixHigh, prefixLength, prefixHigh, GATEWAY_LOW, prefixHigh, DNS_LOW, 0);
    }

    public static Ipv6Config defaults() {
        return new Ipv6Config(DEFAULT_PREFIX_HIGH, 64);
    }

    /** pasta's plan: the guest at {@code guestHigh:guestLow}/64, its gateway {@code gatewayHigh:gatewayLow}. */
    public static Ipv6Config pasta(long guestHigh, long guestLow, long gatewayHigh, long gatewayLow) {
        if (guestLow == 0) {
            throw new IllegalArgumentException("the guest's IPv6 address has interface id 0");
        }
        return new Ipv6Config(guestHigh, 64, gatewayHigh, gatewayLow, 0, 0, guestLow);
    }

    /**
     * This plan with the stack's DNS at {@code high:low} (pasta's {@code --dns-forward}): queries
     * to its port 53 go to the host's resolvers.
     */
    public Ipv6Config withDns(long high, long low) {
        if (low == 0) {
            throw new IllegalArgumentException("the DNS address " + Ipv6Packet.toInetAddress(high, low).getHostAddress()
                    + " has interface id 0");
        }
        if (isGateway(high, low) || (guestLow != 0 && high == prefixHigh && low == guestLow)) {
            throw new IllegalArgumentException("the DNS address " + Ipv6Packet.toInetAddress(high, low).getHostAddress()
                    + " is the gateway's or the guest's");
        }
        return new Ipv6Config(prefixHigh, prefixLength, gatewayHigh, gatewayLow, high, low, guestLow);
    }

    /** Whether the guest's address is given (pasta) rather than chosen by the guest (SLAAC). */
    public boolean isPasta() {
        return guestLow != 0;
    }

    /** The guest's address when it is given (pasta), else {@code null} (SLAAC: the guest picks it). */
    public Inet6Address guestAddress() {
        return isPasta() ? Ipv6Packet.toInetAddress(prefixHigh, guestLow) : null;
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
        return dnsLow != 0 && high == dnsHigh && low == dnsLow;
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
