package dev.jnet.usernet;

import dev.jnet.usernet.wire.Ipv4Packet;

/**
 * pasta's IPv4 address plan (passt's conf.c and pasta(1)) instead of slirp4netns's fixed
 * .2/.3/.100 one. The guest has an address of its own choosing, usually the host's own
 * (copied from the host's default-route interface); every other address of the guest's
 * subnet is a neighbour the stack answers ARP for and reaches as itself on the host side; the
 * gateway reaches the host's loopback only while host loopback is on ({@code --map-gw}, the
 * default; under {@code --no-map-gw} it is the real gateway); DNS to {@code dnsForward} port 53
 * goes to the host's resolvers ({@code --dns-forward}); {@code mapGuestAddr} reaches the host's
 * own address ({@code --map-guest-addr}, podman's {@code host.containers.internal}).
 * {@code dnsForward} may be the gateway itself: pasta's answer to a host whose first resolver
 * is a loopback one (systemd-resolved's 127.0.0.53), which the namespace reaches at the gateway
 * (passt's conf.c, {@code add_dns4}); then port 53 of the gateway is DNS, the rest the host.
 * Addresses are host-order {@code int}s as in {@link UsernetConfig}; 0 means "none".
 *
 * @param guest        the guest's address
 * @param gateway      the guest's default gateway
 * @param dnsForward   where the guest's DNS queries are forwarded from, or 0
 * @param mapGuestAddr the address that reaches the host's own address, or 0
 * @param hostAddress  the host's own address {@code mapGuestAddr} leads to (0 when none)
 * @param ipv4         whether the guest's interface gets this IPv4 plan configured (pasta's
 *                     {@code -6}, IPv6 only: it does not)
 */
public record PastaAddresses(int guest, int gateway, int dnsForward, int mapGuestAddr, int hostAddress, boolean ipv4) {
    /** A plan configured in the guest. */
    public PastaAddresses(int guest, int gateway, int dnsForward, int mapGuestAddr, int hostAddress) {
        this(guest, gateway, dnsForward, mapGuestAddr, hostAddress, true);
    }

    public PastaAddresses {
        if (guest == 0 || gateway == 0) {
            throw new IllegalArgumentException("pasta addresses need a guest address and a gateway");
        }
        if (guest == gateway) {
            throw new IllegalArgumentException("the gateway " + Ipv4Packet.addressToString(gateway)
                    + " is the guest's own address");
        }
        if (mapGuestAddr != 0 && hostAddress == 0) {
            throw new IllegalArgumentException("--map-guest-addr " + Ipv4Packet.addressToString(mapGuestAddr)
                    + " without a host address to map it to");
        }
    }

    /** Whether {@code dst} is the address that reaches the host's own address. */
    public boolean isMappedGuestAddr(int dst) {
        return mapGuestAddr != 0 && dst == mapGuestAddr;
    }
}
