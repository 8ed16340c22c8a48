package dev.jnet.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Config, result, address and error codecs. */
class CodecTest {
    @Test
    void configDefaultsAreTheReferenceBridgePlugins() {
        BridgeConf c = BridgeConf.parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"jnet-bridge\"}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(c.bridge()).isEqualTo("cni0");
        assertThat(c.isGateway()).isFalse();
        assertThat(c.ipMasq()).isFalse();
        assertThat(c.mtu()).isZero();
        assertThat(c.ipamType()).isEmpty();
        assertThat(c.prevResult()).isNull();
    }

    @Test
    void isDefaultGatewayImpliesIsGatewayAndUnknownKeysPassThrough() {
        BridgeConf c = BridgeConf.parse(("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"isDefaultGateway\":true,"
                + "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.200.1.0/24\"}]]},"
                + "\"runtimeConfig\":{\"portMappings\":[]},\"x-extra\":[1,2]}").getBytes(StandardCharsets.UTF_8));
        assertThat(c.isGateway()).isTrue();
        assertThat(c.ipamType()).isEqualTo("host-local");
        // IPAM plugins get the document as it came
        assertThat(c.raw().get("x-extra").toString()).isEqualTo("[1,2]");
        assertThat(c.raw().get("ipam").get("ranges").toString()).isEqualTo("[[{\"subnet\":\"10.200.1.0/24\"}]]");
    }

    @Test
    void resultShapesPerVersion() throws Exception {
        JsonNode prev = BridgeConf.JSON.readTree("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br\","
                + "\"mac\":\"02:00:00:00:00:01\"},{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
                + "\"ips\":[{\"address\":\"10.200.1.2/24\",\"gateway\":\"10.200.1.1\",\"interface\":1},"
                + "{\"address\":\"2001:db8:0:0::2/64\",\"interface\":1}],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.200.1.1\",\"mtu\":1400},{\"dst\":\"198.51.100.0/24\"}],"
                + "\"dns\":{\"nameservers\":[\"192.0.2.53\"]}}");
        CniResult r = CniResult.parse(prev);
        assertThat(r.ips).hasSize(2);
        assertThat(r.ips.get(1).address().toString()).isEqualTo("2001:db8::2/64");
        String v1 = r.toJson("1.0.0").toString();
        assertThat(v1).isEqualTo("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br\",\"mac\":\"02:00:00:00:00:01\"},"
                + "{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
                + "\"ips\":[{\"interface\":1,\"address\":\"10.200.1.2/24\",\"gateway\":\"10.200.1.1\"},"
                + "{\"interface\":1,\"address\":\"2001:db8::2/64\"}],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.200.1.1\",\"mtu\":1400},{\"dst\":\"198.51.100.0/24\"}],"
                + "\"dns\":{\"nameservers\":[\"192.0.2.53\"]}}");
        JsonNode v04 = r.toJson("0.4.0");
        assertThat(v04.get("ips").get(0).get("version").asText()).isEqualTo("4");
        assertThat(v04.get("ips").get(1).get("version").asText()).isEqualTo("6");
        assertThat(r.toJson("1.1.0").get("ips").get(0).has("version")).isFalse();
    }

    @Test
    void malformedResultsAreCode6() throws Exception {
        JsonNode bad = BridgeConf.JSON.readTree("{\"ips\":[{\"address\":\"10.200.1.2\"}]}");
        assertThatThrownBy(() -> CniResult.parse(bad)).isInstanceOfSatisfying(CniException.class,
                e -> assertThat(e.code()).isEqualTo(6));
        JsonNode bad2 = BridgeConf.JSON.readTree("{\"routes\":{}}");
        assertThatThrownBy(() -> CniResult.parse(bad2)).isInstanceOf(CniException.class);
    }

    @Test
    void addressesAndGateways() {
        IpNet n = IpNet.parse("10.200.3.77/24");
        assertThat(n.network().toString()).isEqualTo("10.200.3.0/24");
        assertThat(IpNet.str(n.firstHost())).isEqualTo("10.200.3.1");
        assertThat(n.contains(IpNet.parseIp("10.200.3.200"))).isTrue();
        assertThat(n.contains(IpNet.parseIp("10.200.4.1"))).isFalse();
        assertThat(IpNet.str(IpNet.parse("2001:db8:1::5/64").firstHost())).isEqualTo("2001:db8:1::1");
        assertThat(IpNet.parse("fd00:0:0:0:0:0:0:1/128").toString()).isEqualTo("fd00::1/128");
        assertThatThrownBy(() -> IpNet.parse("example.com/24")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpNet.parse("10.0.0.256/24")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpNet.parse("10.0.0.1/33")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void delegatedErrorsKeepTheirCode() {
        CniException e = Delegate.errorOf("host-local", 1,
                "{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"busy\",\"details\":\"later\"}");
        assertThat(e.code()).isEqualTo(11);
        assertThat(e.getMessage()).isEqualTo("busy");
        assertThat(e.details()).isEqualTo("later");
        CniException raw = Delegate.errorOf("dhcp", 2, "panic: oops");
        assertThat(raw.code()).isEqualTo(999);
        assertThat(raw.getMessage()).contains("dhcp").contains("panic: oops");
    }

    @Test
    void masqueradeNamesAreTheReferences() {
        assertThat(IpMasq.chainName("net", "id")).startsWith("CNI-").hasSize(28);
        assertThat(IpMasq.comment("net", "id")).isEqualTo("name: \"net\" id: \"id\"");
        assertThat(IpMasq.Iptables.splitRule("-s 10.200.0.2/32 -m comment --comment \"name: \\\"n\\\" id: \\\"c\\\"\" -j CNI-x"))
                .containsExactly("-s", "10.200.0.2/32", "-m", "comment", "--comment", "name: \"n\" id: \"c\"", "-j",
                        "CNI-x");
    }

    @Test
    void versions() {
        assertThat(CniVersions.compare("0.4.0", "1.0.0")).isNegative();
        assertThat(CniVersions.compare("1.1.0", "1.0.0")).isPositive();
        assertThat(CniVersions.allows("0.4.0", "CHECK")).isTrue();
        assertThat(CniVersions.allows("1.0.0", "GC")).isFalse();
    }
}
