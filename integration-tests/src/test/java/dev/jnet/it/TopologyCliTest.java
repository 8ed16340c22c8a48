package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.junit.Netns;
import dev.jnet.junit.Topology;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The CLI inside a jnet-junit topology's namespaces (unnamed: no /run/netns entry): it shows
 * what the library made, and what it changes carries traffic.
 */
@RequiresRoot
@JnetIntegrationTest
class TopologyCliTest {
    private static String run(JnetCli jnet, Netns ns, String... args) throws Exception {
        Process p = ns.start(new ProcessBuilder().redirectErrorStream(true).directory(jnet.dist().dir().toFile()),
                jnet.commandLine(args).toArray(String[]::new));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("jnet %s in %s:%n%s", String.join(" ", args), ns.name(), out).isZero();
        return out;
    }

    @Test
    void theCliSeesAndChangesATopologysNamespace(JnetCli jnet, Topology t) throws Exception {
        Netns a = t.namespace("a");
        Netns b = t.namespace("b");
        t.veth(a, "eth0", b, "eth0");
        a.address("eth0", "10.9.0.1/24");
        assertThat(run(jnet, a, "addr", "show", "dev", "eth0")).contains("inet 10.9.0.1/24");
        run(jnet, b, "addr", "add", "10.9.0.2/24", "dev", "eth0");
        Process ping = a.start(new ProcessBuilder().redirectErrorStream(true), "ping", "-c1", "-W5", "10.9.0.2");
        String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ping.waitFor()).as(out).isZero();
        assertThat(t.captures()).singleElement().satisfies(p -> assertThat(p.getFileName().toString())
                .isEqualTo("veth-a-eth0--b-eth0.pcap"));
    }
}
