package dev.jnet.it.cni;

import static dev.jnet.it.cni.CniSandbox.links;
import static dev.jnet.it.cni.CniSandbox.nsPath;
import static dev.jnet.it.cni.CniSandbox.sh;
import static dev.jnet.it.cni.CniSandbox.withPrev;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: jnet-bridge driven exactly as a runtime drives it (config on stdin, CNI_* env), IPAM
 * by the reference host-local plugin. Every namespace, link and rule lives in namespaces the
 * test makes and removes. {@code JNET_CNI_PLUGIN=/usr/lib/cni/bridge} runs the same tests against
 * the reference bridge plugin.
 */
@RequiresRoot
class CniBridgeTest {
    private CniSandbox box;

    @BeforeEach
    void setUp() throws Exception {
        box = new CniSandbox("b");
    }

    @AfterEach
    void tearDown() {
        if (box != null) {
            box.close();
        }
    }

    @Test
    void twoContainersOnOneBridgeReachEachOtherAndTheirGatewayAndDelGivesEverythingBack() throws Exception {
        String c1 = box.container("c1");
        String c2 = box.container("c2");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-two", "jcni-br0", 91);

        JsonNode r1 = box.call("ADD", "ctr-one", nsPath(c1), "eth0", conf).ok().out();
        JsonNode r2 = box.call("ADD", "ctr-two", nsPath(c2), "eth0", conf).ok().out();

        // the reference bridge plugin's result: bridge, host veth, container veth (with sandbox)
        assertThat(r1.get("cniVersion").asText()).isEqualTo("1.0.0");
        JsonNode ifs = r1.get("interfaces");
        assertThat(ifs).hasSize(3);
        assertThat(ifs.get(0).get("name").asText()).isEqualTo("jcni-br0");
        assertThat(ifs.get(1).get("name").asText()).startsWith("veth");
        assertThat(ifs.get(1).has("sandbox")).isFalse();
        assertThat(ifs.get(2).get("name").asText()).isEqualTo("eth0");
        assertThat(ifs.get(2).get("sandbox").asText()).isEqualTo(nsPath(c1));
        for (JsonNode i : ifs) {
            assertThat(i.get("mac").asText()).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
        }
        JsonNode ip1 = r1.get("ips").get(0);
        assertThat(ip1.get("interface").asInt()).isEqualTo(2);
        assertThat(ip1.get("address").asText()).isEqualTo("10.200.91.2/24");
        assertThat(ip1.get("gateway").asText()).isEqualTo("10.200.91.1");
        assertThat(ip1.has("version")).isFalse();
        assertThat(r1.get("routes").toString()).contains("\"dst\":\"0.0.0.0/0\"").contains("\"gw\":\"10.200.91.1\"");
        assertThat(r1.has("dns")).isTrue();
        assertThat(r2.get("ips").get(0).get("address").asText()).isEqualTo("10.200.91.3/24");

        // the kernel agrees with the result
        assertThat(sh("ip", "-n", c1, "-o", "-4", "addr", "show", "eth0").stdout()).contains("10.200.91.2/24");
        assertThat(sh("ip", "-n", c1, "route").stdout()).contains("default via 10.200.91.1 dev eth0");
        assertThat(sh("ip", "-n", c1, "-o", "link", "show", "eth0").stdout())
                .contains(ifs.get(2).get("mac").asText());
        assertThat(sh("ip", "-n", box.host, "-o", "addr", "show", "jcni-br0").stdout()).contains("10.200.91.1/24");
        assertThat(sh("ip", "-n", box.host, "-o", "link", "show", ifs.get(1).get("name").asText()).stdout())
                .contains("master jcni-br0");

        ping(c1, "10.200.91.3");
        ping(c2, "10.200.91.2");
        ping(c1, "10.200.91.1");
        ping(c2, "10.200.91.1");

        // CHECK against prevResult: both fine
        box.call("CHECK", "ctr-one", nsPath(c1), "eth0", withPrev(conf, r1)).ok();
        box.call("CHECK", "ctr-two", nsPath(c2), "eth0", withPrev(conf, r2)).ok();
        assertThat(box.reservations("jnet-it-two")).containsExactly("10.200.91.2", "10.200.91.3");
        assertThat(box.firewall()).contains("10.200.91.2").contains("10.200.91.3");

        // DEL: links, addresses and masquerading rules go; DEL again is still success
        box.call("DEL", "ctr-one", nsPath(c1), "eth0", withPrev(conf, r1)).ok();
        assertThat(links(c1)).doesNotContain("eth0");
        assertThat(links(box.host)).doesNotContain(ifs.get(1).get("name").asText());
        assertThat(box.reservations("jnet-it-two")).containsExactly("10.200.91.3");
        box.call("DEL", "ctr-one", nsPath(c1), "eth0", withPrev(conf, r1)).ok();
        box.call("DEL", "ctr-two", nsPath(c2), "eth0", withPrev(conf, r2)).ok();
        assertThat(box.reservations("jnet-it-two")).isEmpty();
        assertThat(box.firewall()).doesNotContain("10.200.91.");
        assertThat(links(box.host)).containsExactlyInAnyOrder("lo", "jcni-br0");
    }

    @Test
    void addFailsCleanlyWhenTheInterfaceExists() throws Exception {
        String c1 = box.container("c1");
        sh("ip", "-n", c1, "link", "add", "eth0", "type", "veth", "peer", "name", "other0");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-exists", "jcni-br1", 92);

        CniSandbox.Call c = box.call("ADD", "ctr-x", nsPath(c1), "eth0", conf).failed();
        assertThat(c.out().get("msg").asText()).contains("eth0").contains("already exists");

        // nothing half-made: no veth on the host side, no address reserved, no masquerading rule
        assertThat(links(box.host)).allMatch(n -> !n.startsWith("veth"));
        assertThat(box.reservations("jnet-it-exists")).isEmpty();
        assertThat(box.firewall()).doesNotContain("10.200.92.");
        assertThat(sh("ip", "-n", c1, "-o", "link", "show", "eth0").stdout()).contains("eth0@other0");
    }

    @Test
    void addFailsCleanlyWhenIpamFails() throws Exception {
        String c1 = box.container("c1");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-ipam", "jcni-br2", 93);
        ((ObjectNode) conf.get("ipam")).put("subnet", "not-a-subnet");

        CniSandbox.Call c = box.call("ADD", "ctr-y", nsPath(c1), "eth0", conf).failed();
        assertThat(c.out().get("msg").asText()).isNotEmpty();
        // the reference plugin (1.1.1) leaves the veth pair behind here; jnet-bridge must not
        if (!CniSandbox.isReference()) {
            assertThat(links(c1)).containsExactly("lo");
            assertThat(links(box.host)).allMatch(n -> !n.startsWith("veth"));
        }
    }

    @Test
    void delIsIdempotentAndBestEffort() throws Exception {
        String c1 = box.container("c1");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-del", "jcni-br3", 94);
        JsonNode r = box.call("ADD", "ctr-z", nsPath(c1), "eth0", conf).ok().out();
        String hostVeth = r.get("interfaces").get(1).get("name").asText();
        assertThat(box.reservations("jnet-it-del")).containsExactly("10.200.94.2");

        // the container's namespace is gone before DEL (its veth pair went with it)
        box.deleteNetns(c1);
        box.call("DEL", "ctr-z", nsPath(c1), "eth0", withPrev(conf, r)).ok();
        assertThat(box.reservations("jnet-it-del")).isEmpty();
        CniSandbox.awaitGone(box.host, hostVeth);
        // the reference plugin (1.1.1) needs the namespace to learn which rules to remove, and leaves
        // them; jnet-bridge names them by network and container ID only
        if (!CniSandbox.isReference()) {
            assertThat(box.firewall()).doesNotContain("10.200.94.");
        }
        // again, and without any CNI_NETNS at all
        box.call("DEL", "ctr-z", nsPath(c1), "eth0", conf).ok();
        box.call("DEL", "ctr-z", null, "eth0", conf).ok();
        // an existing namespace without the interface
        String c2 = box.container("c2");
        box.call("DEL", "ctr-w", nsPath(c2), "eth0", conf).ok();
    }

    @Test
    void checkFindsWhatChangedSinceAdd() throws Exception {
        String c1 = box.container("c1");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-check", "jcni-br4", 95);
        JsonNode r = box.call("ADD", "ctr-c", nsPath(c1), "eth0", conf).ok().out();
        box.call("CHECK", "ctr-c", nsPath(c1), "eth0", withPrev(conf, r)).ok();

        sh("ip", "-n", c1, "addr", "del", "10.200.95.2/24", "dev", "eth0");
        CniSandbox.Call bad = box.call("CHECK", "ctr-c", nsPath(c1), "eth0", withPrev(conf, r)).failed();
        assertThat(bad.out().get("msg").asText()).contains("10.200.95.2");

        // CHECK needs a prevResult
        box.call("CHECK", "ctr-c", nsPath(c1), "eth0", conf).failed();
        box.call("DEL", "ctr-c", nsPath(c1), "eth0", withPrev(conf, r)).ok();
    }

    @Test
    void errorsAreSpecErrorObjects() throws Exception {
        String c1 = box.container("c1");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-err", "jcni-br5", 96);
        // required env missing: code 4
        CniSandbox.Call c = box.exec(box.plugin, "ADD", "ctr-e", nsPath(c1), null, conf, Map.of()).failed();
        assertThat(c.out().get("code").asInt()).isEqualTo(4);
        // a version the plugin does not speak: code 1
        ObjectNode v = conf.deepCopy();
        v.put("cniVersion", "9.9.9");
        assertThat(box.call("ADD", "ctr-e", nsPath(c1), "eth0", v).failed().out().get("code").asInt()).isEqualTo(1);
        // VERSION
        JsonNode ver = box.call("VERSION", null, null, null, conf).ok().out();
        assertThat(ver.get("supportedVersions").toString()).contains("1.0.0");
        assertThat(links(c1)).containsExactly("lo");
    }

    @Test
    void olderResultVersionsCarryIpVersions() throws Exception {
        String c1 = box.container("c1");
        ObjectNode conf = box.conf("0.4.0", "jnet-it-old", "jcni-br6", 97);
        JsonNode r = box.call("ADD", "ctr-o", nsPath(c1), "eth0", conf).ok().out();
        assertThat(r.get("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(r.get("ips").get(0).get("version").asText()).isEqualTo("4");
        box.call("CHECK", "ctr-o", nsPath(c1), "eth0", withPrev(conf, r)).ok();
        box.call("DEL", "ctr-o", nsPath(c1), "eth0", withPrev(conf, r)).ok();
    }

    @Test
    void hairpinAndMtuAreApplied() throws Exception {
        String c1 = box.container("c1");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-opts", "jcni-br7", 98);
        conf.put("mtu", 1400);
        conf.put("hairpinMode", true);
        conf.put("isDefaultGateway", false);
        conf.put("isGateway", false);
        conf.put("ipMasq", false);
        JsonNode r = box.call("ADD", "ctr-h", nsPath(c1), "eth0", conf).ok().out();
        String hostVeth = r.get("interfaces").get(1).get("name").asText();
        assertThat(sh("ip", "-n", c1, "-o", "link", "show", "eth0").stdout()).contains("mtu 1400");
        assertThat(sh("ip", "-n", box.host, "-o", "link", "show", hostVeth).stdout()).contains("mtu 1400");
        Proc.Result detail = sh("ip", "-n", box.host, "-d", "-o", "link", "show", hostVeth);
        assertThat(detail.stdout()).contains("hairpin on");
        box.call("DEL", "ctr-h", nsPath(c1), "eth0", withPrev(conf, r)).ok();
    }

    @Test
    void promiscModeIsSetOnTheBridge() throws Exception {
        String c1 = box.container("c1");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-promisc", "jcni-br8", 99);
        conf.put("promiscMode", true);
        JsonNode r = box.call("ADD", "ctr-p", nsPath(c1), "eth0", conf).ok().out();
        assertThat(sh("ip", "-n", box.host, "-o", "link", "show", "jcni-br8").stdout()).contains("PROMISC");
        box.call("DEL", "ctr-p", nsPath(c1), "eth0", withPrev(conf, r)).ok();
    }

    /** Bridge VLAN filtering is a kernel option (CONFIG_BRIDGE_VLAN_FILTERING): tested where the kernel has it. */
    @Test
    void vlanMakesThePortAnUntaggedPvidMember() throws Exception {
        String probe = box.container("probe");
        boolean kernelHasIt = Proc.run("ip", "-n", probe, "link", "add", "brprobe", "type", "bridge",
                "vlan_filtering", "1").exit() == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(kernelHasIt,
                "this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)");
        String c1 = box.container("c1");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-vlan", "jcni-br9", 100);
        conf.put("vlan", 42);
        conf.put("isDefaultGateway", false);
        conf.put("isGateway", false);
        conf.put("ipMasq", false);
        JsonNode r = box.call("ADD", "ctr-v", nsPath(c1), "eth0", conf).ok().out();
        String hostVeth = r.get("interfaces").get(1).get("name").asText();
        Proc.Result vlans = sh("ip", "netns", "exec", box.host, "bridge", "vlan", "show", "dev", hostVeth);
        assertThat(vlans.stdout()).contains("42").contains("PVID").contains("Egress Untagged");
        box.call("DEL", "ctr-v", nsPath(c1), "eth0", withPrev(conf, r)).ok();
    }

    @Test
    void vlanOnAKernelWithoutVlanFilteringFailsCleanly() throws Exception {
        String probe = box.container("probe");
        boolean kernelHasIt = Proc.run("ip", "-n", probe, "link", "add", "brprobe", "type", "bridge",
                "vlan_filtering", "1").exit() == 0;
        org.junit.jupiter.api.Assumptions.assumeFalse(kernelHasIt, "this kernel has bridge VLAN filtering");
        String c1 = box.container("c1");
        ObjectNode conf = box.conf("1.0.0", "jnet-it-novlan", "jcni-bra", 101);
        conf.put("vlan", 42);
        box.call("ADD", "ctr-nv", nsPath(c1), "eth0", conf).failed();
        assertThat(links(c1)).containsExactly("lo");
        assertThat(links(box.host)).containsExactly("lo");
        assertThat(box.reservations("jnet-it-novlan")).isEmpty();
    }

    private static void ping(String ns, String addr) {
        Proc.Result r = Proc.run("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "2", addr);
        assertThat(r.exit()).as("ping from %s to %s\n%s", ns, addr, r.describe()).isZero();
    }
}
