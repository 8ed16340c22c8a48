package dev.jnet.usernet;

import dev.jnet.usernet.wire.Ipv6Packet;

/**
 * IPv6 settings, with libslirp's meanings and defaults: the guest's prefix fd00::/64 is
 * advertised by router advertisements (the guest configures itself by SLAAC), the gateway
 * is prefix::2 (maps to the host's ::1 unless host loopback is disabled), DNS is prefix::3.
 * Addresses are two {@code long}s (high, low 64 bits) as in the wire layer.
 *
 * @param prefixHigh    the high 64 bits of the prefix (the low 64 are the interface id)
 * @param prefixLength  the prefix length; 64, as SLAAC needs
 */
public record Ipv6Config(long prefixHigh, int prefixLength) {
    /** fd00:: */
    public static final long DEFAULT_PREFIX_HIGH = 0xfd00_0000_0000_0000L;

    public Ipv6Config {
        if (prefixLength != 64) {
            throw new IllegalArgumentException("IPv6 prefix length " + prefixLength + " is not 64 (SLAAC needs /64)");
        }
    }

    public static Ipv6Config defaults() {
        return new Ipv6Config(DEFAULT_PREFIX_HIGH, 64);
    }

    /** Interface id (low 64 bits) of the gateway: prefix::2. */
    public static final long GATEWAY_LOW = 2;
    /** Interface id (low 64 bits) of the DNS server: prefix::3. */
    public static final long DNS_LOW = 3;

    /** Whether {@code high:low} lies in the guest's prefix. */
    public boolean inPrefix(long high, long low) {
        return high == prefixHigh;
    }

    public boolean isGateway(long high, long low) {
        return high == prefixHigh && low == GATEWAY_LOW;
    }

    public boolean isDns(long high, long low) {
        return high == prefixHigh && low == DNS_LOW;
    }

    @Override
    public String toString() {
        return Ipv6Packet.toInetAddress(prefixHigh, 0).getHostAddress() + "/" + prefixLength;
    }
}
