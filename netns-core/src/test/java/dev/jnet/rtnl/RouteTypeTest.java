package dev.jnet.rtnl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteTypeTest {
    @Test
    void codesAreLinuxRtnValues() {
        assertThat(RouteType.UNICAST.code()).isEqualTo(Route.TYPE_UNICAST);
        assertThat(RouteType.LOCAL.code()).isEqualTo(2);
        assertThat(RouteType.NAT.code()).isEqualTo(10);
        assertThat(RouteType.ofCode(7)).isEqualTo(RouteType.UNREACHABLE);
        assertThat(RouteType.ofCode(12)).isNull();
    }

    @Test
    void keywordsBeforeAPrefixAreUnicastToNat() {
        assertThat(RouteType.ofKeyword("blackhole")).isEqualTo(RouteType.BLACKHOLE);
        assertThat(RouteType.ofKeyword("none")).isNull();
        assertThat(RouteType.ofKeyword("xresolve")).isNull();
        assertThat(RouteType.ofKeyword("10.0.0.0/8")).isNull();
    }
}
