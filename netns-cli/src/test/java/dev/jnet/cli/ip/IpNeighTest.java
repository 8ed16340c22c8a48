package dev.jnet.cli.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.rtnl.Neighbour;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ip neigh's words and output, and route get's arguments, without a kernel. */
class IpNeighTest {
    @ParameterizedTest
    @CsvSource({"permanent, 128", "perm, 128", "p, 128", "reachable, 2", "r, 2", "noarp, 64", "none, 0",
        "stale, 4", "incomplete, 1", "delay, 8", "probe, 16", "failed, 32", "f, 32", "0x80, 128", "4, 4",
        "3, -1", "256, -1", "bogus, -1", "nore, -1"})
    void nudStatesAsIpReadsThem(String word, int state) {
        assertThat(IpNeigh.nudState(word)).isEqualTo(state);
    }

    @Test
    void entriesPrintAsIpPrintsThem() throws Exception {
        Neighbour n = new Neighbour(2, 3, InetAddress.getByName("10.0.0.2"), new byte[] {2, 0, 0, 0, 0, 2},
                Neighbour.NUD_REACHABLE, Neighbour.NTF_ROUTER, 4, 0);
        assertThat(IpNeigh.text(n, Map.of(), false)).isEqualTo("10.0.0.2 dev if3 lladdr 02:00:00:00:00:02 router "
                + "REACHABLE proto static ");
        assertThat(IpNeigh.text(n, Map.of(), true)).isEqualTo("10.0.0.2 lladdr 02:00:00:00:00:02 router REACHABLE "
                + "proto static ");
        assertThat(IpNeigh.json(n, Map.of(), false).toString()).isEqualTo("{\"dst\":\"10.0.0.2\",\"dev\":\"if3\","
                + "\"lladdr\":\"02:00:00:00:00:02\",\"router\":null,\"state\":[\"REACHABLE\"],\"protocol\":\"static\"}");
        Neighbour none = new Neighbour(10, 3, InetAddress.getByName("fd00::2"), null, 0, 0, 0, 0);
        assertThat(IpNeigh.text(none, Map.of(), false)).isEqualTo("fd00::2 dev if3 ");
        assertThat(IpNeigh.json(none, Map.of(), false).toString()).isEqualTo("{\"dst\":\"fd00::2\",\"dev\":\"if3\"}");
    }

    @Test
    void routeGetArguments() throws Exception {
        List<String> warnings = new ArrayList<>();
        IpRouteGet.Query q = IpRouteGet.parse(List.of("to", "10.0.0.9/24", "from", "10.0.0.1", "oif", "v0"), 0,
                warnings::add);
        assertThat(q.family()).isEqualTo(4);
        assertThat(q.dst()).isEqualTo(InetAddress.getByName("10.0.0.9"));
        assertThat(q.src()).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThat(q.srcLen()).isEqualTo(32);
        assertThat(q.oif()).isEqualTo("v0");
        assertThat(warnings).containsExactly("Warning: /24 as prefix is invalid, only /32 (or none) is supported.");
        assertThat(IpRouteGet.parse(List.of("fd00::1"), 0, warnings::add).family()).isEqualTo(6);
        assertThatThrownBy(() -> IpRouteGet.parse(List.of("from", "10.0.0.1"), 0, warnings::add))
                .isInstanceOf(IpError.class).hasMessage("need at least a destination address")
                .extracting(e -> ((IpError) e).exit()).isEqualTo(1);
        assertThatThrownBy(() -> IpRouteGet.parse(List.of("10.0.0.1"), 6, warnings::add))
                .isInstanceOf(IpError.class).hasMessage("Error: inet6 prefix is expected rather than \"10.0.0.1\".");
        assertThatThrownBy(() -> IpRouteGet.parse(List.of("10.0.0.1", "mark", "5"), 0, warnings::add))
                .isInstanceOf(IpError.class).extracting(e -> ((IpError) e).exit()).isEqualTo(255);
    }
}
