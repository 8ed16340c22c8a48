package dev.jnet.wiring;

import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;

/**
 * What {@link NetnsConnector#connect} made, as recorded for {@link NetnsConnector#disconnect}.
 * The IPv6 addresses are null when not asked for.
 *
 * @param name the namespace
 * @param hostIfname the veth end in the host namespace
 * @param nsIfname the veth end in the namespace
 * @param hostAddress the host side address (on the bridge when there is one)
 * @param nsAddress the namespace side address; the namespace's default route goes via the host address
 * @param bridge the bridge the host end joined, or null
 * @param hostAddress6 IPv6 host side address, or null
 * @param nsAddress6 IPv6 namespace side address, or null
 */
public record Connection(String name, String hostIfname, String nsIfname, IpPrefix hostAddress, IpPrefix nsAddress,
        String bridge, IpPrefix hostAddress6, IpPrefix nsAddress6) {
    /** The host side address without its prefix length: what the namespace pings. */
    public IpAddress hostIp() {
        return hostAddress.address();
    }

    public IpAddress nsIp() {
        return nsAddress.address();
    }
}
