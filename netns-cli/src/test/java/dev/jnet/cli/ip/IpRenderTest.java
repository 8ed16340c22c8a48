package dev.jnet.cli.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Route;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Rendering of records built here, against what ip 6.1 printed for the same kernel state. */
class IpRenderTest {
    private static final int UP = 0x1;
    private static final int BROADCAST = 0x2;
    private static final int LOOPBACK = 0x8;
    private static final int RUNNING = 0x40;
    private static final int MULTICAST = 0x1000;
    private static final int LOWER_UP = 0x10000;

    static byte[] mac(String s) {
        return Parsers.mac(s);
    }

    static Link lo() {
        return new Link(1, "lo", LOOPBACK | UP | RUNNING | LOWER_UP, 65536, "noqueue", 0, 0, 0, 1000, 772,
                mac("00:00:00:00:00:00"), mac("00:00:00:00:00:00"), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), null, 0, 0, null);
    }

    static Link veth(int index, String name, int peer, int flags, int operstate, OptionalInt master) {
        return new Link(index, name, flags, 1500, (flags & UP) != 0 ? "noqueue" : "noop", operstate, 0, 0, 1000, 1,
                mac("92:84:24:e8:b7:9" + index), mac("ff:ff:ff:ff:ff:ff"), master, OptionalInt.of(peer),
                OptionalInt.empty(), "veth", 68, 65535, null);
    }

    static Map<Integer, Link> index(List<Link> links) {
        Map<Integer, Link> m = new HashMap<>();
        links.forEach(l -> m.put(l.ifindex(), l));
        return m;
    }

    @Test
    void loopbackTextAndJson() {
        Link lo = lo();
        Map<Integer, Link> idx = index(List.of(lo));
        assertThat(IpText.link(lo, idx, true)).isEqualTo(
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n"
                        + "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00");
        assertThat(IpJson.link(lo, idx, true).toString()).isEqualTo(
                "{\"ifindex\":1,\"ifname\":\"lo\",\"flags\":[\"LOOPBACK\",\"UP\",\"LOWER_UP\"],\"mtu\":65536,"
                        + "\"qdisc\":\"noqueue\",\"operstate\":\"UNKNOWN\",\"linkmode\":\"DEFAULT\",\"group\":\"default\","
                        + "\"txqlen\":1000,\"link_type\":\"loopback\",\"address\":\"00:00:00:00:00:00\","
                        + "\"broadcast\":\"00:00:00:00:00:00\"}");
    }

    @Test
    void vethPairWithMasterAndMDown() {
        Link v1 = veth(2, "v1", 3, BROADCAST | MULTICAST, 2, OptionalInt.of(4));
        Link v0 = veth(3, "v0", 2, BROADCAST | MULTICAST | UP, 3, OptionalInt.empty());
        Link br = new Link(4, "br9", BROADCAST | MULTICAST | UP, 1500, "noqueue", 2, 0, 0, 1000, 1,
                mac("92:84:24:e8:b7:97"), mac("ff:ff:ff:ff:ff:ff"), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), "bridge", 68, 65535, null);
        Map<Integer, Link> idx = index(List.of(v1, v0, br));
        assertThat(IpText.link(v1, idx, true)).startsWith(
                "2: v1@v0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop master br9 state DOWN mode DEFAULT group default qlen 1000");
        assertThat(IpText.link(v0, idx, true)).startsWith(
                "3: v0@v1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT");
        assertThat(IpJson.link(v1, idx, true).toString()).startsWith(
                "{\"ifindex\":2,\"link\":\"v0\",\"ifname\":\"v1\",\"flags\":[\"BROADCAST\",\"MULTICAST\"],\"mtu\":1500,"
                        + "\"qdisc\":\"noop\",\"master\":\"br9\",\"operstate\":\"DOWN\",\"linkmode\":\"DEFAULT\"");
        assertThat(IpJson.link(v1, idx, false).toString()).doesNotContain("linkmode");
    }

    @Test
    void peerInAnotherNamespace() {
        Link va = new Link(6, "va", BROADCAST | MULTICAST, 1500, "noop", 2, 0, 0, 1000, 1, mac("72:a8:dd:34:85:dd"),
                mac("ff:ff:ff:ff:ff:ff"), OptionalInt.empty(), OptionalInt.of(2), OptionalInt.of(0), "veth", 68, 65535,
                null);
        Map<Integer, Link> idx = index(List.of(va));
        assertThat(IpText.link(va, idx, true)).isEqualTo(
                "6: va@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n"
                        + "    link/ether 72:a8:dd:34:85:dd brd ff:ff:ff:ff:ff:ff link-netnsid 0");
        assertThat(IpJson.link(va, idx, true).toString()).isEqualTo(
                "{\"ifindex\":6,\"link_index\":2,\"ifname\":\"va\",\"flags\":[\"BROADCAST\",\"MULTICAST\"],\"mtu\":1500,"
                        + "\"qdisc\":\"noop\",\"operstate\":\"DOWN\",\"linkmode\":\"DEFAULT\",\"group\":\"default\","
                        + "\"txqlen\":1000,\"link_type\":\"ether\",\"address\":\"72:a8:dd:34:85:dd\","
                        + "\"broadcast\":\"ff:ff:ff:ff:ff:ff\",\"link_netnsid\":0}");
    }

    @Test
    void addresses() throws Exception {
        Address peer = new Address(2, InetAddress.getByName("10.200.1.1"), 24, InetAddress.getByName("10.200.1.2"),
                null, 0, "v1", 0x80).withLifetimes(Address.FOREVER, Address.FOREVER);
        assertThat(IpJson.address(peer).toString()).isEqualTo(
                "{\"family\":\"inet\",\"local\":\"10.200.1.1\",\"address\":\"10.200.1.2\",\"prefixlen\":24,"
                        + "\"scope\":\"global\",\"label\":\"v1\",\"valid_life_time\":4294967295,"
                        + "\"preferred_life_time\":4294967295}");
        assertThat(IpText.address(peer)).isEqualTo(
                "    inet 10.200.1.1 peer 10.200.1.2/24 scope global v1\n       valid_lft forever preferred_lft forever");
        Address brd = new Address(2, InetAddress.getByName("10.200.2.1"), 24, null,
                InetAddress.getByName("10.200.2.255"), 0, "v1", 0x80).withLifetimes(Address.FOREVER, Address.FOREVER);
        assertThat(IpText.address(brd)).startsWith("    inet 10.200.2.1/24 brd 10.200.2.255 scope global v1\n");
        Address v6 = new Address(4, InetAddress.getByName("fd00:200::1"), 64, null, null, 0, null, 0x80 | 0x40)
                .withLifetimes(Address.FOREVER, Address.FOREVER);
        assertThat(IpJson.address(v6).toString()).isEqualTo(
                "{\"family\":\"inet6\",\"local\":\"fd00:200::1\",\"prefixlen\":64,\"scope\":\"global\","
                        + "\"tentative\":true,\"valid_life_time\":4294967295,\"preferred_life_time\":4294967295}");
        assertThat(IpText.address(v6)).startsWith("    inet6 fd00:200::1/64 scope global tentative \n");
        // no IFA_CACHEINFO: no lifetimes line, as ip
        Address bare = new Address(4, InetAddress.getByName("fd00:200::2"), 64, null, null, 0, null, 0x80);
        assertThat(IpText.address(bare)).isEqualTo("    inet6 fd00:200::2/64 scope global ");
        // valid_lft/preferred_lft: dynamic, seconds; a deprecated address's preferred lifetime is signed
        Address dyn = new Address(4, InetAddress.getByName("fd00:200::3"), 64, null, null, 0, null, 0x02 | 0x200)
                .withLifetimes(300, 200);
        assertThat(IpText.address(dyn)).isEqualTo("    inet6 fd00:200::3/64 scope global nodad dynamic noprefixroute \n"
                + "       valid_lft 300sec preferred_lft 200sec");
        assertThat(IpJson.address(dyn).toString()).isEqualTo("{\"family\":\"inet6\",\"local\":\"fd00:200::3\","
                + "\"prefixlen\":64,\"scope\":\"global\",\"nodad\":true,\"dynamic\":true,\"noprefixroute\":true,"
                + "\"valid_life_time\":300,\"preferred_life_time\":200}");
        Address dep = new Address(4, InetAddress.getByName("fd00:200::4"), 64, null, null, 0, null, 0x20 | 0x10)
                .withLifetimes(30, 0xfffffff6L);
        assertThat(IpText.address(dep)).isEqualTo("    inet6 fd00:200::4/64 scope global home deprecated dynamic \n"
                + "       valid_lft 30sec preferred_lft -10sec");
    }

    @Test
    void ipv6Compression() throws Exception {
        assertThat(IpJson.addr(InetAddress.getByName("fd00:200:0:0:0:0:0:1"))).isEqualTo("fd00:200::1");
        assertThat(IpJson.addr(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(IpJson.addr(InetAddress.getByName("fe80::1:0:0:2"))).isEqualTo("fe80::1:0:0:2");
        assertThat(IpJson.addr(InetAddress.getByName("1:0:0:2:0:0:0:3"))).isEqualTo("1:0:0:2::3");
    }

    @Test
    void routes() throws Exception {
        Link v0 = veth(3, "v0", 2, BROADCAST | MULTICAST | UP, 3, OptionalInt.empty());
        Map<Integer, Link> idx = index(List.of(v0));
        Route def = new Route(2, null, 0, InetAddress.getByName("10.200.0.9"), 3, 7, 254, null, 3, 0, 1, 16);
        assertThat(IpText.route(def, idx, false)).isEqualTo("default via 10.200.0.9 dev v0 metric 7 linkdown ");
        assertThat(IpJson.route(def, idx, false).toString()).isEqualTo(
                "{\"dst\":\"default\",\"gateway\":\"10.200.0.9\",\"dev\":\"v0\",\"metric\":7,\"flags\":[\"linkdown\"]}");
        Route kernel = new Route(2, InetAddress.getByName("10.200.0.0"), 24, null, 3, -1, 254,
                InetAddress.getByName("10.200.0.1"), 2, 253, 1, 0);
        assertThat(IpText.route(kernel, idx, false)).isEqualTo(
                "10.200.0.0/24 dev v0 proto kernel scope link src 10.200.0.1 ");
        assertThat(IpJson.route(kernel, idx, false).toString()).isEqualTo(
                "{\"dst\":\"10.200.0.0/24\",\"dev\":\"v0\",\"protocol\":\"kernel\",\"scope\":\"link\","
                        + "\"prefsrc\":\"10.200.0.1\",\"flags\":[]}");
        Route local = new Route(2, InetAddress.getByName("10.200.0.1"), 32, null, 3, -1, 255,
                InetAddress.getByName("10.200.0.1"), 2, 254, 2, 0);
        assertThat(IpText.route(local, idx, true)).isEqualTo(
                "local 10.200.0.1 dev v0 table local proto kernel scope host src 10.200.0.1 ");
        Route v6 = new Route(10, InetAddress.getByName("fd00:200::"), 64, null, 3, 256, 254, null, 2, 0, 1, 16);
        assertThat(IpText.route(v6, idx, false)).isEqualTo("fd00:200::/64 dev v0 proto kernel metric 256 linkdown pref medium");
        assertThat(IpJson.route(v6, idx, false).toString()).isEqualTo(
                "{\"dst\":\"fd00:200::/64\",\"dev\":\"v0\",\"protocol\":\"kernel\",\"metric\":256,"
                        + "\"flags\":[\"linkdown\"],\"pref\":\"medium\"}");
    }
}
