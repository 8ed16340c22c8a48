package dev.jnet.it.cni;

import static dev.jnet.it.cni.CniSandbox.nsPath;
import static dev.jnet.it.cni.CniSandbox.sh;
import static dev.jnet.it.cni.CniSandbox.withPrev;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Chaining, as a runtime runs a conflist: jnet-bridge, then the reference portmap with
 * jnet-bridge's result as prevResult. A fake host (TEST-NET-2, in its own namespace, wired to the
 * test's host namespace) reaches the container's published port, and the container reaches the
 * fake host through masquerading (the fake host has no route back to the container subnet).
 */
@RequiresRoot
class CniPortmapChainTest {
    private static final Path PORTMAP = CniSandbox.REFERENCE_DIR.resolve("portmap");
    private static final String SERVER = "import socket\n"
            + "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            + "s.bind(('0.0.0.0', 80)); s.listen(4); s.settimeout(60)\n"
            + "while True:\n"
            + "    c, a = s.accept(); c.sendall(b'hello from the container\\n'); c.close()\n";
    private static final String CLIENT = "import socket, sys\n"
            + "c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)\n"
            + "print(c.recv(100).decode().strip())\n";

    private CniSandbox box;
    private Proc.Running server;

    @BeforeEach
    void setUp() throws Exception {
        box = new CniSandbox("p");
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            Proc.killTree(server.process());
        }
        if (box != null) {
            box.close();
        }
    }

    @Test
    void chainedWithPortmapAPublishedPortAnswersAndTheContainerReachesAFakeHost() throws Exception {
        String c1 = box.container("c1");
        String fake = fakeHost();
        ObjectNode bridgeConf = box.conf("1.0.0", "jnet-it-chain", "jcni-brp", 110);
        ObjectNode portmapConf = portmapConf("1.0.0", "jnet-it-chain", 18080);

        // ADD down the chain: each plugin gets the previous one's result
        JsonNode r1 = box.call("ADD", "ctr-pm", nsPath(c1), "eth0", bridgeConf).ok().out();
        JsonNode r2 = box.exec(PORTMAP, "ADD", "ctr-pm", nsPath(c1), "eth0", withPrev(portmapConf, r1), Map.of())
                .ok().out();
        assertThat(r2.get("ips").get(0).get("address").asText()).isEqualTo("10.200.110.2/24");
        assertThat(r2.get("interfaces")).hasSize(3);

        server = Proc.start(List.of("ip", "netns", "exec", c1, "python3", "-c", SERVER), null);
        awaitListening(c1);

        // the fake host reaches the container's port 80 through the host's published 18080
        Proc.Result got = Proc.run(Duration.ofSeconds(30),
                List.of("ip", "netns", "exec", fake, "python3", "-c", CLIENT, "198.51.100.1", "18080"));
        assertThat(got.exit()).as(got.describe()).isZero();
        assertThat(got.stdout().strip()).isEqualTo("hello from the container");

        // and the container reaches the fake host (masqueraded: the fake host has no route to 10.200.110.0/24)
        Proc.Result ping = Proc.run("ip", "netns", "exec", c1, "ping", "-c", "1", "-W", "2", "198.51.100.2");
        assertThat(ping.exit()).as(ping.describe()).isZero();

        // CHECK with the chain's final result (Debian's portmap 1.1.1 fails its own CHECK on an IPv4-only
        // attachment, "could not check ipv6 dnat": it is left out)
        box.call("CHECK", "ctr-pm", nsPath(c1), "eth0", withPrev(bridgeConf, r2)).ok();

        // DEL in reverse order: nothing of the attachment stays
        box.exec(PORTMAP, "DEL", "ctr-pm", nsPath(c1), "eth0", withPrev(portmapConf, r2), Map.of()).ok();
        box.call("DEL", "ctr-pm", nsPath(c1), "eth0", withPrev(bridgeConf, r2)).ok();
        String fw = box.firewall();
        assertThat(fw).doesNotContain("18080").doesNotContain("10.200.110.");
        assertThat(box.reservations("jnet-it-chain")).isEmpty();
    }

    /** portmap's config as a conflist entry with the runtime's port mappings. */
    private ObjectNode portmapConf(String version, String network, int hostPort) {
        ObjectNode c = CniSandbox.JSON.createObjectNode();
        c.put("cniVersion", version);
        c.put("name", network);
        c.put("type", "portmap");
        c.putObject("capabilities").put("portMappings", true);
        ObjectNode m = c.putObject("runtimeConfig").putArray("portMappings").addObject();
        m.put("hostPort", hostPort);
        m.put("containerPort", 80);
        m.put("protocol", "tcp");
        return c;
    }

    /** A namespace with 198.51.100.2/24, wired to the host namespace's 198.51.100.1/24, no default route. */
    private String fakeHost() {
        String fake = box.container("fake");
        sh("ip", "-n", box.host, "link", "add", "fk0", "type", "veth", "peer", "name", "eth0", "netns", fake);
        sh("ip", "-n", box.host, "addr", "add", "198.51.100.1/24", "dev", "fk0");
        sh("ip", "-n", box.host, "link", "set", "fk0", "up");
        sh("ip", "-n", fake, "addr", "add", "198.51.100.2/24", "dev", "eth0");
        sh("ip", "-n", fake, "link", "set", "eth0", "up");
        return fake;
    }

    private static void awaitListening(String ns) throws InterruptedException {
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end) {
            if (Proc.run("ip", "netns", "exec", ns, "ss", "-Hltn", "sport", "= :80").stdout().contains(":80")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the container's server did not listen on :80 within 20 s");
    }
}
