package dev.jnet.usernet;

import dev.jnet.linux.SyscallException;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlException;
import dev.jnet.rtnl.RtnlHandle;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.Comparator;
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
        try (RtnlHandle rtnl = RtnlHandle.open()) {
            Optional<Route> best = rtnl.routes(Route.AF_INET6, Route.TABLE_MAIN).stream()
                    .filter(r -> r.dstLen() == 0 && r.oif() != 0 && r.type() == Route.TYPE_UNICAST
                            && r.gateway() instanceof Inet6Address)
                    .min(Comparator.comparingInt(r -> Math.max(r.metric(), 0)));
            if (best.isEmpty()) {
                return Optional.empty();
            }
            Route route = best.get();
            Link link = rtnl.link(route.oif());
            Optional<Address> addr = rtnl.addresses(Route.AF_INET6, link.ifname()).stream()
                    .filter(a -> a.scope() == Address.SCOPE_UNIVERSE && a.local() instanceof Inet6Address)
                    .findFirst();
            if (addr.isEmpty()) {
                return Optional.empty();
            }
            ByteBuffer a = ByteBuffer.wrap(addr.get().local().getAddress());
            ByteBuffer g = ByteBuffer.wrap(route.gateway().getAddress());
            return Optional.of(new HostUplink6(link.ifname(), a.getLong(), a.getLong(), g.getLong(), g.getLong()));
        } catch (RtnlException | SyscallException e) {
            throw new UsernetException(UsernetException.Kind.TARGET, "reading the host's IPv6 routes: " + e.getMessage(), e);
        }
    }
}
