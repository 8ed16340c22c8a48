package dev.jnet.usernet;

import dev.jnet.linux.SyscallException;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlException;
import dev.jnet.rtnl.RtnlHandle;
import dev.jnet.usernet.wire.Ipv4Packet;
import java.net.Inet4Address;
import java.util.Comparator;
import java.util.Optional;

/**
 * The host's external, routable IPv4 interface as pasta picks it (passt's {@code nl_get_ext_if}):
 * the interface of the main table's default route with the lowest metric, its first global
 * address and prefix, and the route's gateway. pasta copies these into the namespace unless
 * told otherwise ({@code -a}, {@code -n}, {@code -g}).
 *
 * @param ifname       the interface's name (pasta names the namespace's tap after it)
 * @param address      its first global IPv4 address
 * @param prefixLength that address's prefix length
 * @param gateway      the default route's gateway (0 when the route has none)
 */
public record HostUplink(String ifname, int address, int prefixLength, int gateway) {

    /**
     * The current network namespace's uplink, or empty when it has no IPv4 default route
     * through an interface with a global IPv4 address.
     *
     * @throws UsernetException (TARGET) when the routes cannot be read
     */
    public static Optional<HostUplink> lookup() {
        try (RtnlHandle rtnl = RtnlHandle.open()) {
            Optional<Route> best = rtnl.routes(Route.AF_INET, Route.TABLE_MAIN).stream()
                    .filter(r -> r.dstLen() == 0 && r.oif() != 0 && r.type() == Route.TYPE_UNICAST)
                    .min(Comparator.comparingInt(r -> Math.max(r.metric(), 0)));
            if (best.isEmpty()) {
                return Optional.empty();
            }
            Route route = best.get();
            Link link = rtnl.link(route.oif());
            Optional<Address> addr = rtnl.addresses(Route.AF_INET, link.ifname()).stream()
                    .filter(a -> a.scope() == Address.SCOPE_UNIVERSE && a.local() instanceof Inet4Address)
                    .findFirst();
            if (addr.isEmpty()) {
                return Optional.empty();
            }
            int gw = route.gateway() instanceof Inet4Address g ? Ipv4Packet.fromInetAddress(g) : 0;
            return Optional.of(new HostUplink(link.ifname(), Ipv4Packet.fromInetAddress((Inet4Address) addr.get().local()),
                    addr.get().prefixlen(), gw));
        } catch (RtnlException | SyscallException e) {
            throw new UsernetException(UsernetException.Kind.TARGET, "reading the host's routes: " + e.getMessage(), e);
        }
    }
}
