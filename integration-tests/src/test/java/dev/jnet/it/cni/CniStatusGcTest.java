package dev.jnet.it.cni;

import static dev.jnet.it.cni.CniSandbox.nsPath;
import static dev.jnet.it.cni.CniSandbox.withPrev;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnet.it.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Spec 1.1.0's STATUS and GC. Debian's reference plugins (1.1.1) speak up to 1.0.0: host-local is
 * asked as 1.0.0 for ADD/DEL and skipped for STATUS/GC; the reference bridge cannot run these.
 */
@RequiresRoot
class CniStatusGcTest {
    private CniSandbox box;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeFalse(CniSandbox.isReference(), "the reference bridge plugin 1.1.1 predates spec 1.1.0");
        box = new CniSandbox("s");
    }

    @AfterEach
    void tearDown() {
        if (box != null) {
            box.close();
        }
    }

    @Test
    void statusIsReadyAndPrintsNothing() throws Exception {
        ObjectNode conf = box.conf("1.1.0", "jnet-it-status", "jcni-brs", 120);
        CniSandbox.Call c = box.call("STATUS", null, null, null, conf).ok();
        assertThat(c.out()).isNull();
        // an IPAM plugin that is not there: not ready
        ObjectNode gone = conf.deepCopy();
        ((ObjectNode) gone.get("ipam")).put("type", "no-such-ipam");
        box.call("STATUS", null, null, null, gone).failed();
        // before 1.1.0 there is no STATUS
        ObjectNode old = conf.deepCopy();
        old.put("cniVersion", "1.0.0");
        assertThat(box.call("STATUS", null, null, null, old).failed().out().get("code").asInt()).isEqualTo(1);
    }

    @Test
    void addUnder110AndGcRemovesWhatIsNoLongerValid() throws Exception {
        String a = box.container("a");
        String b = box.container("b");
        ObjectNode conf = box.conf("1.1.0", "jnet-it-gc", "jcni-brg", 121);
        JsonNode ra = box.call("ADD", "ctr-a", nsPath(a), "eth0", conf).ok().out();
        JsonNode rb = box.call("ADD", "ctr-b", nsPath(b), "eth0", conf).ok().out();
        assertThat(ra.get("cniVersion").asText()).isEqualTo("1.1.0");
        assertThat(ra.get("ips").get(0).get("address").asText()).isEqualTo("10.200.121.2/24");
        assertThat(box.firewall()).contains("10.200.121.2").contains("10.200.121.3");

        // the runtime knows only ctr-a now: ctr-b's masquerading goes, ctr-a's stays
        ObjectNode gc = conf.deepCopy();
        ArrayNode valid = gc.putArray("cni.dev/valid-attachments");
        valid.addObject().put("containerID", "ctr-a").put("ifname", "eth0");
        CniSandbox.Call c = box.call("GC", null, null, null, gc).ok();
        assertThat(c.out()).isNull();
        assertThat(box.firewall()).contains("10.200.121.2").doesNotContain("10.200.121.3");

        box.call("DEL", "ctr-a", nsPath(a), "eth0", withPrev(conf, ra)).ok();
        box.call("DEL", "ctr-b", nsPath(b), "eth0", withPrev(conf, rb)).ok();
        assertThat(box.firewall()).doesNotContain("10.200.121.");
        assertThat(box.reservations("jnet-it-gc")).isEmpty();
    }
}
