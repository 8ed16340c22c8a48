package dev.jnet.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin's stdin/env/stdout contract without a kernel: every failure here happens before any change. */
class CniMainTest {
    record Call(int rc, JsonNode out) {}

    static Call call(Map<String, String> env, String stdin) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int rc = CniMain.run(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(b, true, StandardCharsets.UTF_8));
        String text = b.toString(StandardCharsets.UTF_8);
        return new Call(rc, text.isBlank() ? null : BridgeConf.JSON.readTree(text));
    }

    static Map<String, String> env(String cmd) {
        Map<String, String> e = new HashMap<>();
        e.put("CNI_COMMAND", cmd);
        e.put("CNI_CONTAINERID", "c0ffee");
        e.put("CNI_NETNS", "/nonexistent/netns");
        e.put("CNI_IFNAME", "eth0");
        e.put("CNI_PATH", "/nonexistent");
        return e;
    }

    static final String CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"jnet-bridge\"}";

    @Test
    void versionListsTheSpokenVersionsUnderTheAskedOne() throws Exception {
        Call c = call(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.4.0\"}");
        assertThat(c.rc()).isZero();
        assertThat(c.out().get("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(c.out().get("supportedVersions").toString())
                .isEqualTo("[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]");
        assertThat(call(Map.of("CNI_COMMAND", "VERSION"), "").out().get("cniVersion").asText()).isEqualTo("1.1.0");
    }

    @Test
    void missingEnvironmentIsCode4WithTheMissingNames() throws Exception {
        Call c = call(Map.of("CNI_COMMAND", "ADD"), CONF);
        assertThat(c.rc()).isEqualTo(1);
        assertThat(c.out().get("code").asInt()).isEqualTo(4);
        assertThat(c.out().get("msg").asText())
                .isEqualTo("required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,CNI_PATH] missing");
        assertThat(call(Map.of(), CONF).out().get("msg").asText())
                .isEqualTo("required env variables [CNI_COMMAND] missing");
        Map<String, String> del = env("DEL");
        del.remove("CNI_NETNS"); // DEL may come without a namespace
        del.put("CNI_COMMAND", "BOGUS");
        assertThat(call(del, CONF).out().get("code").asInt()).isEqualTo(4);
    }

    @Test
    void badContainerIdAndIfnameAreCode4() throws Exception {
        Map<String, String> e = env("ADD");
        e.put("CNI_CONTAINERID", "-bad id");
        Call c = call(e, CONF);
        assertThat(c.out().get("code").asInt()).isEqualTo(4);
        assertThat(c.out().get("msg").asText()).isEqualTo("invalid characters in containerID");
        assertThat(c.out().get("details").asText()).isEqualTo("-bad id");
        e = env("ADD");
        e.put("CNI_IFNAME", "a-name-longer-than-15");
        assertThat(call(e, CONF).out().get("code").asInt()).isEqualTo(4);
        e.put("CNI_IFNAME", "eth/0");
        assertThat(call(e, CONF).out().get("code").asInt()).isEqualTo(4);
    }

    @Test
    void undecodableConfigIsCode6() throws Exception {
        Call c = call(env("ADD"), "{\"cniVersion\":");
        assertThat(c.rc()).isEqualTo(1);
        assertThat(c.out().get("code").asInt()).isEqualTo(6);
        assertThat(c.out().get("msg").asText()).isEqualTo("error decoding network config");
        assertThat(call(env("ADD"), "[1]").out().get("code").asInt()).isEqualTo(6);
    }

    @Test
    void unknownVersionIsCode1AndTheErrorIsInTheLatestVersion() throws Exception {
        Call c = call(env("ADD"), "{\"cniVersion\":\"2.0.0\",\"name\":\"n\"}");
        assertThat(c.out().get("code").asInt()).isEqualTo(1);
        assertThat(c.out().get("cniVersion").asText()).isEqualTo("1.1.0");
        assertThat(c.out().get("msg").asText()).startsWith("incompatible CNI versions; config is \"2.0.0\"");
    }

    @Test
    void commandsNewerThanTheConfigVersionAreCode1() throws Exception {
        Call c = call(env("CHECK"), "{\"cniVersion\":\"0.3.1\",\"name\":\"n\"}");
        assertThat(c.out().get("code").asInt()).isEqualTo(1);
        assertThat(c.out().get("cniVersion").asText()).isEqualTo("0.3.1");
        Map<String, String> e = Map.of("CNI_COMMAND", "STATUS", "CNI_PATH", "/nonexistent");
        assertThat(call(e, CONF).out().get("code").asInt()).isEqualTo(1);
        e = Map.of("CNI_COMMAND", "GC", "CNI_PATH", "/nonexistent");
        assertThat(call(e, CONF).out().get("code").asInt()).isEqualTo(1);
    }

    @Test
    void wrongFieldTypesAndConflictsAreCode7() throws Exception {
        assertThat(call(env("ADD"), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":\"big\"}").out()
                .get("code").asInt()).isEqualTo(7);
        assertThat(call(env("ADD"), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"isGateway\":\"yes\"}").out()
                .get("code").asInt()).isEqualTo(7);
        Call c = call(env("ADD"),
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"hairpinMode\":true,\"promiscMode\":true}");
        assertThat(c.out().get("code").asInt()).isEqualTo(7);
        assertThat(c.out().get("msg").asText()).contains("hairpin mode and promiscuous mode");
        assertThat(call(env("ADD"), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"vlan\":4095}").out()
                .get("code").asInt()).isEqualTo(7);
        assertThat(call(env("ADD"), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"bridge\":\"a/b\"}").out()
                .get("code").asInt()).isEqualTo(7);
    }

    @Test
    void checkWithoutPrevResultFails() throws Exception {
        Call c = call(env("CHECK"), CONF);
        assertThat(c.rc()).isEqualTo(1);
        assertThat(c.out().get("msg").asText()).isEqualTo("Required prevResult missing");
    }

    @Test
    void addIntoAMissingNamespaceFailsWithoutDetailsKeyWhenThereAreNone() throws Exception {
        Call c = call(env("ADD"), CONF);
        assertThat(c.rc()).isEqualTo(1);
        assertThat(c.out().get("code").asInt()).isEqualTo(999);
        assertThat(c.out().get("msg").asText()).startsWith("failed to open netns \"/nonexistent/netns\"");
        assertThat(c.out().has("details")).isFalse();
    }

    @Test
    void delOfAMissingNamespaceWithoutIpamSucceedsSilently() throws Exception {
        Call c = call(env("DEL"), CONF);
        assertThat(c.rc()).isZero();
        assertThat(c.out()).isNull();
        Map<String, String> e = env("DEL");
        e.remove("CNI_NETNS");
        assertThat(call(e, CONF).rc()).isZero();
    }

    @Test
    void untypedFailuresBecomeCode999() {
        CniException c = CniMain.toCni(new IllegalStateException("boom"));
        assertThat(c.code()).isEqualTo(999);
        assertThat(c.getMessage()).isEqualTo("boom");
        assertThat(CniMain.toCni(new NullPointerException()).getMessage()).contains("NullPointerException");
    }
}
