package dev.jnet.usernet;

import dev.jnet.rtnl.Route;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The host's external IPv6 interface as pasta picks it (passt's {@code nl_get_ext_if} for
 * AF_INET6): the interface of the main table's IPv6 default route with the lowest metric, its
 * first global IPv6 address, and the route's gateway (global or link-local). pasta copies these
 * into the namespace unless {@code -4}.
 *
 * @param ifname      the interface's name
 * @param addressHigh the global address's high 64 bits (its /64 prefix)
 * @param addressLow  its low 64 bits
 * @param gatewayHigh the default route's gateway, high 64 bits
 * @param gatewayLow  its low 64 bits
 */
public record HostUplink6(String ifname, long addressHigh, long addressLow, long gatewayHigh, long gatewayLow) {

    /**
     * The current network namespace's IPv6 uplink, or empty when it has no IPv6 default route
     * with a gateway through an interface with a global IPv6 address.
     *
     * @throws UsernetException (TARGET) when the routes cannot be read
     */
    public static Optional<HostUplink6> lookup() {
        return HostUplink.external(Route.AF_INET6, "IPv6 ").filter(x -> x.gateway() instanceof Inet6Address).map(x -> {
            ByteBuffer a = ByteBuffer.wrap(x.address().local().getAddress());
            ByteBuffer g = ByteBuffer.wrap(x.gateway().getAddress());
            return new HostUplink6(x.ifname(), a.getLong(), a.getLong(), g.getLong(), g.getLong());
        });
    }
}
