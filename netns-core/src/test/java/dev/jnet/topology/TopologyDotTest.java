package dev.jnet.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopologyDotTest {
    private static Topology twoJoined() {
        return new Topology(List.of(
                new Topology.Namespace("ns0", "host", Topology.Kind.HOST, 1, List.of(
                        new Topology.Iface(1, "lo", "loopback", true, 0, List.of("127.0.0.1/8")),
                        new Topology.Iface(5, "br0", "bridge", true, 0, List.of()),
                        new Topology.Iface(6, "jn-a", "veth", true, 5, List.of()))),
                new Topology.Namespace("ns1", "we\"b\\x", Topology.Kind.NAMED, 2, List.of(
                        new Topology.Iface(2, "eth0", "veth", false, 0, List.of("10.0.0.2/24", "fd00::2/64"))))),
                List.of(new Topology.Edge(Topology.EdgeKind.VETH, "ns0", 6, "ns1", 2),
                        new Topology.Edge(Topology.EdgeKind.BRIDGE_PORT, "ns0", 6, "ns0", 5)));
    }

    @Test
    void namespacesAreClustersLinksNodesAndJoinsEdges() {
        String dot = TopologyDot.render(twoJoined());
        assertThat(dot).startsWith("graph jnet {\n").endsWith("}\n");
        assertThat(dot).contains("subgraph \"cluster_ns0\" {\n    label=\"host\";");
        assertThat(dot).contains("label=\"we\\\"b\\\\x\";"); // quotes and backslashes escaped
        assertThat(dot).contains("\"ns1_2\" [label=\"eth0 (veth) DOWN\\n10.0.0.2/24\\nfd00::2/64\", fillcolor=\"#ffffff\"];");
        assertThat(dot).contains("\"ns0_6\" -- \"ns1_2\" [label=\"veth\", penwidth=2];");
        assertThat(dot).contains("\"ns0_6\" -- \"ns0_5\" [style=dashed, label=\"port\"];");
    }

    @Test
    void aNamespaceWithoutLinksStillShows() {
        String dot = TopologyDot.render(new Topology(List.of(new Topology.Namespace("ns3", "gone", Topology.Kind.NAMED, 3,
                List.of())), List.of()));
        assertThat(dot).contains("label=\"gone\";", "\"ns3_none\" [label=\"(no links)\", style=dotted];");
    }

    @Test
    void controlCharactersCannotBreakTheGraph() {
        assertThat(TopologyDot.quote("a\nb\tc")).isEqualTo("\"a\\nb c\"");
    }
}
