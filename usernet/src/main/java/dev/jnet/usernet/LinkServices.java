package dev.jnet.usernet;

/**
 * What the stack answers on the guest's link besides routing: the DHCPv4 server, the DHCPv6
 * server, neighbour discovery (neighbour and router solicitations) and router advertisements.
 * All on by default; pasta's {@code --no-dhcp}, {@code --no-dhcpv6}, {@code --no-ndp} and
 * {@code --no-ra} turn one off each, for a guest configured statically ({@code --config-net}).
 * Without NDP the stack answers no solicitation at all, router ones included (pasta(1): "NDP
 * messages coming from guest or target namespace will be ignored").
 *
 * @param dhcp4 the DHCPv4 server on the gateway
 * @param dhcp6 the DHCPv6 server on the gateway
 * @param ndp   neighbour and router solicitations answered
 * @param ra    router advertisements, periodic and solicited
 * @param dns   what DHCP, DHCPv6 and router advertisements tell of DNS (pasta's), or null for
 *              the stack's own DNS address ({@link UsernetConfig#dnsAnnouncement()})
 */
public record LinkServices(boolean dhcp4, boolean dhcp6, boolean ndp, boolean ra, DnsAnnouncement dns) {
    public static final LinkServices ALL = new LinkServices(true, true, true, true);

    /** These services announcing the stack's own DNS address. */
    public LinkServices(boolean dhcp4, boolean dhcp6, boolean ndp, boolean ra) {
        this(dhcp4, dhcp6, ndp, ra, null);
    }

    /** Whether router advertisements go out: asked for, and neighbour discovery on. */
    public boolean advertises() {
        return ndp && ra;
    }
}
