package dev.jnet.usernet;

import dev.jnet.linux.SyscallException;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlException;
import dev.jnet.rtnl.RtnlHandle;
import dev.jnet.usernet.wire.Ipv4Packet;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
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
        return external(Route.AF_INET, "").map(x -> new HostUplink(x.ifname(),
                Ipv4Packet.fromInetAddress((Inet4Address) x.address().local()), x.address().prefixlen(),
                x.gateway() instanceof Inet4Address g ? Ipv4Packet.fromInetAddress(g) : 0));
    }

    /** The external interface of one family: its name, first global address, and the default route's gateway. */
    record External(String ifname, Address address, InetAddress gateway) {}

    /**
     * passt's {@code nl_get_ext_if} for {@code family}: the main table's default route with the
     * lowest metric, its interface's first global address of that family; empty without either.
     * {@code what} names the family in errors ("" or "IPv6 ").
     *
     * @throws UsernetException (TARGET) when the routes cannot be read
     */
    static Optional<External> external(int family, String what) {
        Class<? extends InetAddress> type = family == Route.AF_INET ? Inet4Address.class : Inet6Address.class;
        try (RtnlHandle rtnl = RtnlHandle.open()) {
            Optional<Route> best = rtnl.routes(family, Route.TABLE_MAIN).stream()
                    .filter(r -> r.dstLen() == 0 && r.oif() != 0 && r.type() == Route.TYPE_UNICAST)
                    .min(Comparator.comparingInt(r -> Math.max(r.metric(), 0)));
            if (best.isEmpty()) {
                return Optional.empty();
            }
            Link link = rtnl.link(best.get().oif());
            return rtnl.addresses(family, link.ifname()).stream()
                    .filter(a -> a.scope() == Address.SCOPE_UNIVERSE && type.isInstance(a.local()))
                    .findFirst()
                    .map(a -> new External(link.ifname(), a, best.get().gateway()));
        } catch (RtnlException | SyscallException e) {
            throw new UsernetException(UsernetException.Kind.TARGET, "reading the host's " + what + "routes: "
                    + e.getMessage(), e);
        }
    }
}
