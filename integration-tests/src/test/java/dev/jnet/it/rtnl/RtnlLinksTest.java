package dev.jnet.it.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.netlink.NetlinkException;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.LinkChange;
import dev.jnet.rtnl.LinkKind;
import dev.jnet.rtnl.LinkSpec;
import dev.jnet.rtnl.NetnsTarget;
import dev.jnet.rtnl.RtnlException;
import dev.jnet.rtnl.RtnlHandle;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Links made, changed, moved and deleted in-process, checked against {@code ip -j -d link}. */
@RequiresRoot
@JnetIntegrationTest
class RtnlLinksTest {

    @SuppressWarnings("unchecked")
    private static String ipKind(String ns, String dev) {
        Map<String, Object> l = Rt.ipJson(ns, "-d", "link", "show", "dev", dev).get(0);
        Map<String, Object> info = (Map<String, Object>) l.get("linkinfo");
        return info == null ? null : (String) info.get("info_kind");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ipInfoData(String ns, String dev) {
        Map<String, Object> l = Rt.ipJson(ns, "-d", "link", "show", "dev", dev).get(0);
        return (Map<String, Object>) ((Map<String, Object>) l.get("linkinfo")).get("info_data");
    }

    @Test
    void everyKindIsCreatedWithTheRightKind(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("kinds");
            RtnlHandle h = rt.handle(a);
            h.addLink(LinkSpec.of("v0", new LinkKind.Veth("v1")));
            h.addLink(LinkSpec.of("br0", new LinkKind.Bridge()));
            boolean dummy = createdOrUnsupported(h, a, LinkSpec.of("d0", new LinkKind.Dummy()), "dummy");
            boolean vlan = createdOrUnsupported(h, a, LinkSpec.of("v0.42", new LinkKind.Vlan("v0", 42)), "vlan");
            h.addLink(LinkSpec.of("mv0", new LinkKind.Macvlan("v0", "bridge")));
            h.addLink(LinkSpec.of("tun0", new LinkKind.Tuntap(false, 0, -1)));
            h.addLink(LinkSpec.of("tap0", new LinkKind.Tuntap(true, -1, 0)));

            assertThat(ipKind(a, "v0")).isEqualTo("veth");
            assertThat(ipKind(a, "v1")).isEqualTo("veth");
            assertThat(ipKind(a, "br0")).isEqualTo("bridge");
            if (dummy) {
                assertThat(ipKind(a, "d0")).isEqualTo("dummy");
            }
            if (vlan) {
                assertThat(ipKind(a, "v0.42")).isEqualTo("vlan");
                assertThat(ipInfoData(a, "v0.42").get("id")).isEqualTo(42L);
            }
            assertThat(ipKind(a, "mv0")).isEqualTo("macvlan");
            assertThat(ipInfoData(a, "mv0").get("mode")).isEqualTo("bridge");
            assertThat(ipKind(a, "tun0")).isEqualTo("tun");
            assertThat(ipInfoData(a, "tun0").get("type")).isEqualTo("tun");
            assertThat(ipInfoData(a, "tun0").get("user")).isEqualTo("root");
            assertThat(ipInfoData(a, "tap0").get("type")).isEqualTo("tap");
            assertThat(ipInfoData(a, "tap0").get("group")).isEqualTo("root");
            assertThat(ipInfoData(a, "tap0").get("persist")).isEqualTo(true);

            Map<String, String> kinds = new HashMap<>();
            for (Link l : h.links()) {
                kinds.put(l.ifname(), l.kind());
            }
            assertThat(kinds).containsEntry("v0", "veth").containsEntry("br0", "bridge")
                    .containsEntry("mv0", "macvlan").containsEntry("tun0", "tun").containsEntry("tap0", "tun");
            if (dummy) {
                assertThat(kinds).containsEntry("d0", "dummy");
            }
            if (vlan) {
                assertThat(kinds).containsEntry("v0.42", "vlan");
            }
            assertThat(h.link("v0").link()).hasValue(h.link("v1").ifindex());

            for (String n : List.of("mv0", "br0", "v0", "tun0", "tap0")) {
                h.deleteLink(n);
            }
            if (dummy) {
                h.deleteLink("d0");
            }
            assertThat(h.links()).extracting(Link::ifname).containsExactly("lo");
        }
    }

    /**
     * Creates {@code spec}; when this kernel lacks the driver (EOPNOTSUPP), checks that iproute2
     * cannot create it either and returns false.
     */
    private static boolean createdOrUnsupported(RtnlHandle h, String ns, LinkSpec spec, String type) {
        try {
            h.addLink(spec);
            return true;
        } catch (NetlinkException e) {
            assertThat(e.errno()).as(e.getMessage()).isEqualTo(95);
            Proc.Result ip = Proc.run("ip", "-n", ns, "link", "add", "zz", "type", type);
            assertThat(ip.exit()).as("iproute2 cannot make a %s either: %s", type, ip.describe()).isNotZero();
            return false;
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeTheKernel(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("bad");
            RtnlHandle h = rt.handle(a);
            h.addLink(LinkSpec.of("d0", new LinkKind.Bridge()));
            assertThatThrownBy(() -> h.addLink(LinkSpec.of("d0.1", new LinkKind.Vlan("v0", 4095))))
                    .isInstanceOfSatisfying(RtnlException.class,
                            e -> assertThat(e.kind()).isEqualTo(RtnlException.Kind.INVALID_ARGUMENT))
                    .hasMessageContaining("VLAN id 4095");
            assertThatThrownBy(() -> h.addLink(LinkSpec.of("mv0", new LinkKind.Macvlan("v0", "bogus"))))
                    .isInstanceOf(RtnlException.class).hasMessageContaining("macvlan mode \"bogus\"");
            assertThatThrownBy(() -> h.setLink("d0", LinkChange.none().withMtu(-5)))
                    .isInstanceOfSatisfying(RtnlException.class,
                            e -> assertThat(e.kind()).isEqualTo(RtnlException.Kind.INVALID_ARGUMENT));
            assertThatThrownBy(() -> h.setLink("d0", LinkChange.none().withTxqlen(-1)))
                    .isInstanceOf(RtnlException.class);
            assertThatThrownBy(() -> h.addLink(LinkSpec.of("a-name-much-too-long", new LinkKind.Bridge())))
                    .isInstanceOf(RtnlException.class);
            // the kernel's own rule: an MTU below the device minimum
            h.addLink(LinkSpec.of("v0", new LinkKind.Veth("v1")));
            assertThatThrownBy(() -> h.setLink("v0", LinkChange.none().withMtu(10)))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(22));
            assertThatThrownBy(() -> h.addLink(LinkSpec.of("d1.5", new LinkKind.Vlan("nosuch", 5))))
                    .isInstanceOf(RtnlException.class).hasMessage("Cannot find device \"nosuch\"");
            assertThatThrownBy(() -> h.link("nosuch")).isInstanceOfSatisfying(RtnlException.class,
                    e -> assertThat(e.kind()).isEqualTo(RtnlException.Kind.NO_DEVICE));
            assertThatThrownBy(() -> h.deleteLink("nosuch")).isInstanceOf(RtnlException.class)
                    .hasMessage("Cannot find device \"nosuch\"");
            assertThatThrownBy(() -> h.setLink("nosuch", LinkChange.none().withUp(true)))
                    .isInstanceOf(RtnlException.class).hasMessage("Cannot find device \"nosuch\"");
        }
    }

    @Test
    void existingLinkIsEexistAndAFailedVethLeavesNoPeer(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("exist");
            RtnlHandle h = rt.handle(a);
            h.addLink(LinkSpec.of("d0", new LinkKind.Bridge()));
            assertThatThrownBy(() -> h.addLink(LinkSpec.of("d0", new LinkKind.Bridge())))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> {
                        assertThat(e.errno()).isEqualTo(17);
                        assertThat(e.reason()).isEqualTo("File exists");
                    });
            // the peer name is taken: nothing of the pair may remain
            assertThatThrownBy(() -> h.addLink(LinkSpec.of("vnew", new LinkKind.Veth("d0"))))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(17));
            assertThat(h.links()).extracting(Link::ifname).containsExactlyInAnyOrder("lo", "d0");
            // the local name is taken, the peer would go to another namespace: nothing there either
            String b = rt.ns("exist-b");
            assertThatThrownBy(() -> h.addLink(LinkSpec.of("d0",
                    new LinkKind.Veth("peer", new NetnsTarget.ByPath(HostNetns.path(b))))))
                    .isInstanceOf(NetlinkException.class);
            assertThat(rt.handle(b).links()).extracting(Link::ifname).containsExactly("lo");
            assertThatThrownBy(() -> h.addLink(LinkSpec.of("d0", new LinkKind.Tuntap(true, -1, -1))))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errno()).isEqualTo(17));
        }
    }

    @Test
    void setLinkAppliesEveryChange(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("set");
            RtnlHandle h = rt.handle(a);
            h.addLink(new LinkSpec("d0", new LinkKind.Bridge(), 1400, new byte[] {2, 0, 0, 0, 0, 7}, 77, null));
            Link d = h.link("d0");
            assertThat(d.mtu()).isEqualTo(1400);
            assertThat(d.txqlen()).isEqualTo(77);
            assertThat(d.addressString()).isEqualTo("02:00:00:00:00:07");
            h.setLink("d0", LinkChange.none().withUp(true).withMtu(1300).withTxqlen(55).withName("d9")
                    .withAddress(new byte[] {2, 0, 0, 0, 0, 9}));
            Link e = h.link("d9");
            assertThat(e.ifindex()).isEqualTo(d.ifindex());
            assertThat(e.isUp()).isTrue();
            assertThat(e.mtu()).isEqualTo(1300);
            assertThat(e.txqlen()).isEqualTo(55);
            assertThat(e.addressString()).isEqualTo("02:00:00:00:00:09");
            var ip = Rt.ipJson(a, "link", "show", "dev", "d9").get(0);
            assertThat(ip.get("mtu")).isEqualTo(1300L);
            assertThat(ip.get("address")).isEqualTo("02:00:00:00:00:09");
            assertThat(ip.get("flags")).isEqualTo(e.flagNames());
            h.setLink("d9", LinkChange.none().withUp(false));
            assertThat(h.link("d9").isUp()).isFalse();
        }
    }

    @Test
    void moveLinkIntoNamespaceByPathAndByPid(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("mv-a");
            String b = rt.ns("mv-b");
            String c = rt.ns("mv-c");
            RtnlHandle h = rt.handle(a);
            h.addLink(LinkSpec.of("d1", new LinkKind.Veth("d1p"))); // bridges are netns-local: veths move
            h.addLink(LinkSpec.of("d2", new LinkKind.Veth("d2p")));
            h.setLink("d1", LinkChange.none().withNetns(new NetnsTarget.ByPath(HostNetns.path(b))));
            assertThat(rt.handle(b).links()).extracting(Link::ifname).contains("d1");
            assertThat(h.links()).extracting(Link::ifname).doesNotContain("d1");

            Proc.Running sleep = Proc.start(List.of("ip", "netns", "exec", c, "sleep", "30"), null);
            try {
                long pid = sleep.process().pid(); // ip netns exec execs sleep in the same process
                RtnlHandle hc = rt.handle(c);
                boolean moved = false;
                for (int i = 0; i < 50 && !moved; i++) { // until ip has entered the namespace and exec'd
                    String comm = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/comm")).strip();
                    if (comm.equals("sleep")) {
                        h.setLink("d2", LinkChange.none().withNetns(new NetnsTarget.ByPid(pid)));
                        moved = true;
                    } else {
                        Thread.sleep(100);
                    }
                }
                assertThat(moved).as("sleep started in %s", c).isTrue();
                assertThat(hc.links()).extracting(Link::ifname).contains("d2");
                assertThat(Rt.ipJson(c, "link", "show", "dev", "d2")).hasSize(1);
            } finally {
                sleep.kill9();
                sleep.process().waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            // created directly in another namespace
            h.addLink(new LinkSpec("d3", new LinkKind.Bridge(), 0, null, -1, new NetnsTarget.ByPath(HostNetns.path(b))));
            assertThat(Rt.ipJson(b, "link", "show", "dev", "d3")).hasSize(1);
        }
    }

    @Test
    void linksMatchIproute2FieldByField(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("cmp");
            String b = rt.ns("cmp-b");
            RtnlHandle h = rt.handle(a);
            h.setLink("lo", LinkChange.none().withUp(true));
            h.addLink(LinkSpec.of("br0", new LinkKind.Bridge()));
            h.addLink(LinkSpec.of("v0", new LinkKind.Veth("v1")));
            h.addLink(LinkSpec.of("x0", new LinkKind.Veth("x1", new NetnsTarget.ByPath(HostNetns.path(b)))));
            h.setLink("v0", LinkChange.none().withMaster("br0").withUp(true));
            h.setLink("x0", LinkChange.none().withUp(true)); // peer down: NO-CARRIER
            h.addLink(LinkSpec.of("d0", new LinkKind.Bridge()));
            h.addLink(LinkSpec.of("m0", new LinkKind.Macvlan("v1", "private"))); // parent down: M-DOWN
            h.addLink(LinkSpec.of("t0", new LinkKind.Tuntap(false, -1, -1)));
            for (int i = 0; i < 60; i++) { // let linkwatch settle operstates (bounded: 3 s)
                if (h.link("x0").operstate() != 0 && h.link("v0").operstate() != 0) {
                    break;
                }
                Thread.sleep(50);
            }
            List<Link> mine = h.links();
            Map<Integer, Link> byIndex = new HashMap<>();
            mine.forEach(l -> byIndex.put(l.ifindex(), l));
            List<Map<String, Object>> ip = Rt.ipJson(a, "link", "show");
            assertThat(mine).hasSameSizeAs(ip);
            for (Map<String, Object> m : ip) {
                Link l = byIndex.get(((Long) m.get("ifindex")).intValue());
                assertThat(l).as("link %s", m).isNotNull();
                String what = l.ifname();
                assertThat(l.ifname()).as(what).isEqualTo(m.get("ifname"));
                assertThat((long) l.mtu()).as(what).isEqualTo(m.get("mtu"));
                assertThat(l.operstateName()).as(what).isEqualTo(m.get("operstate"));
                assertThat(l.linkTypeName()).as(what).isEqualTo(m.get("link_type"));
                assertThat(l.addressString()).as(what).isEqualTo(m.get("address"));
                assertThat(l.qdisc()).as(what).isEqualTo(m.get("qdisc"));
                assertThat((long) l.txqlen()).as(what).isEqualTo(m.get("txqlen"));
                boolean mdown = l.link().isPresent() && l.linkNetnsid().isEmpty() && byIndex.containsKey(l.link().getAsInt())
                        && !byIndex.get(l.link().getAsInt()).isUp();
                assertThat(l.flagNames(mdown)).as(what).isEqualTo(m.get("flags"));
                if (l.master().isPresent()) {
                    assertThat(byIndex.get(l.master().getAsInt()).ifname()).as(what).isEqualTo(m.get("master"));
                } else {
                    assertThat(m.get("master")).as(what).isNull();
                }
                if (l.linkNetnsid().isPresent()) {
                    assertThat((long) l.linkNetnsid().getAsInt()).as(what).isEqualTo(m.get("link_netnsid"));
                }
            }
            assertThat(byIndex.values()).anySatisfy(l -> assertThat(l.flagNames()).first().isEqualTo("NO-CARRIER"));
            assertThat(ip).anySatisfy(m -> assertThat(m.get("flags").toString()).contains("M-DOWN"));
        }
    }

    @SuppressWarnings("unused")
    private static final Duration UNUSED = Duration.ZERO;
}
