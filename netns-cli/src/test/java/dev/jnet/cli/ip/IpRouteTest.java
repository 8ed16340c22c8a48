package dev.jnet.cli.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RouteScope;
import dev.jnet.rtnl.RouteType;
import org.junit.jupiter.api.Test;

/** ip route add's scope when none is given (iproute2's iproute_modify). */
class IpRouteTest {
    @Test
    void defaultScopeAsIproute2() {
        assertThat(IpRoute.defaultScope(Route.AF_INET, RouteType.UNICAST, true)).isEqualTo(RouteScope.UNIVERSE);
        assertThat(IpRoute.defaultScope(Route.AF_INET, RouteType.UNICAST, false)).isEqualTo(RouteScope.LINK);
        assertThat(IpRoute.defaultScope(Route.AF_INET, RouteType.LOCAL, false)).isEqualTo(RouteScope.HOST);
        assertThat(IpRoute.defaultScope(Route.AF_INET, RouteType.NAT, true)).isEqualTo(RouteScope.HOST);
        assertThat(IpRoute.defaultScope(Route.AF_INET, RouteType.BROADCAST, true)).isEqualTo(RouteScope.LINK);
        assertThat(IpRoute.defaultScope(Route.AF_INET, RouteType.BLACKHOLE, false)).isEqualTo(RouteScope.LINK);
        assertThat(IpRoute.defaultScope(Route.AF_INET6, RouteType.LOCAL, false)).isEqualTo(RouteScope.UNIVERSE);
    }
}
