package dev.jnet.wiring;

/**
 * What {@link NetnsConnector#connect} made, as recorded for {@link NetnsConnector#disconnect}.
 * Addresses are {@code ADDR/PLEN}; the IPv6 ones null when not asked for.
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
public record Connection(String name, String hostIfname, String nsIfname, String hostAddress, String nsAddress,
        String bridge, String hostAddress6, String nsAddress6) {
    /** The host side address without its prefix length: what the namespace pings. */
    public String hostIp() {
        return hostAddress.substring(0, hostAddress.indexOf('/'));
    }

    public String nsIp() {
        return nsAddress.substring(0, nsAddress.indexOf('/'));
    }
}
