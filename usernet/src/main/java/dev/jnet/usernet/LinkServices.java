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
 */
public record LinkServices(boolean dhcp4, boolean dhcp6, boolean ndp, boolean ra) {
    public static final LinkServices ALL = new LinkServices(true, true, true, true);

    /** Whether router advertisements go out: asked for, and neighbour discovery on. */
    public boolean advertises() {
        return ndp && ra;
    }
}
