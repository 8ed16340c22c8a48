package dev.jnet.wiring;

import dev.jnet.net.IpPrefix;

/**
 * How {@link NetnsConnector#connect} wires a namespace. Null fields take the defaults: host end
 * {@code jn-<id of NAME>}, namespace end {@code eth0}, a free 10.200.N.0/24 (host .1, namespace
 * .2), no bridge, no IPv6.
 *
 * @param hostIfname name of the veth end that stays in the host namespace (max 15 bytes)
 * @param nsIfname name of the end inside the namespace
 * @param hostAddress host side IPv4 address with prefix length, e.g. {@code 10.200.3.1/24}
 * @param nsAddress namespace side IPv4 address with prefix length (set both or neither)
 * @param bridge a bridge the host end joins (created when missing); it then carries the host address
 * @param hostAddress6 IPv6 host side address with prefix length, or null
 * @param nsAddress6 IPv6 namespace side address with prefix length (set both or neither)
 */
public record ConnectOptions(String hostIfname, String nsIfname, IpPrefix hostAddress, IpPrefix nsAddress,
        String bridge, IpPrefix hostAddress6, IpPrefix nsAddress6) {
    public static ConnectOptions defaults() {
        return new ConnectOptions(null, null, null, null, null, null, null);
    }

    public ConnectOptions withHostIfname(String v) {
        return new ConnectOptions(v, nsIfname, hostAddress, nsAddress, bridge, hostAddress6, nsAddress6);
    }

    public ConnectOptions withNsIfname(String v) {
        return new ConnectOptions(hostIfname, v, hostAddress, nsAddress, bridge, hostAddress6, nsAddress6);
    }

    public ConnectOptions withAddresses(IpPrefix host, IpPrefix ns) {
        return new ConnectOptions(hostIfname, nsIfname, host, ns, bridge, hostAddress6, nsAddress6);
    }

    public ConnectOptions withBridge(String v) {
        return new ConnectOptions(hostIfname, nsIfname, hostAddress, nsAddress, v, hostAddress6, nsAddress6);
    }

    public ConnectOptions withIpv6(IpPrefix host, IpPrefix ns) {
        return new ConnectOptions(hostIfname, nsIfname, hostAddress, nsAddress, bridge, host, ns);
    }
}
