package dev.jnet.it.rtnl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.netlink.NetlinkException;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.LinkChange;
import dev.jnet.rtnl.LinkKind;
import dev.jnet.rtnl.LinkSpec;
import dev.jnet.rtnl.NetnsTarget;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlHandle;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** addresses()/routes() against {@code ip -j addr/route}; batches of many requests. */
@RequiresRoot
@JnetIntegrationTest
class RtnlAddrRouteBatchTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no resolution
    }

    @Test
    @SuppressWarnings("unchecked")
    void addressesAndRoutesMatchIproute2(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("ar");
            RtnlHandle h = rt.handle(a);
            h.setLink("lo", LinkChange.none().withUp(true));
            h.addLink(LinkSpec.of("v0", new LinkKind.Veth("v1")));
            h.setLink("v0", LinkChange.none().withUp(true));
            h.setLink("v1", LinkChange.none().withUp(true));
            int v0 = h.link("v0").ifindex();
            h.addAddress(new Address(v0, ip("10.200.7.1"), 24, null, ip("10.200.7.255"), 0, "v0:a", 0));
            h.addAddress(new Address(v0, ip("10.200.8.1"), 32, ip("10.200.8.2"), null, 0, null, 0));
            h.addAddress(new Address(v0, ip("fd00:200:7::1"), 64, null, null, 0, null, 0x02));
            h.addRoute(Route.to(Route.AF_INET, ip("10.200.9.0"), 24).via(ip("10.200.7.2")).metric(7));
            h.addRoute(Route.to(Route.AF_INET6, ip("fd00:200:9::"), 48).via(ip("fd00:200:7::2")));

            Map<Integer, String> names = new HashMap<>();
            for (Link l : h.links()) {
                names.put(l.ifindex(), l.ifname());
            }
            List<Address> mine = h.addresses(0, null);
            List<Map<String, Object>> ipAddr = Rt.ipJson(a, "addr", "show");
            List<String> theirs = new ArrayList<>();
            for (Map<String, Object> link : ipAddr) {
                for (Map<String, Object> ai : (List<Map<String, Object>>) link.get("addr_info")) {
                    theirs.add(link.get("ifindex") + " " + ai.get("family") + " " + ip((String) ai.get("local")).getHostAddress()
                            + "/" + ai.get("prefixlen") + " peer=" + (ai.get("address") == null ? null
                                    : ip((String) ai.get("address")).getHostAddress())
                            + " brd=" + ai.get("broadcast") + " scope=" + ai.get("scope") + " label=" + ai.get("label"));
                }
            }
            List<String> ours = new ArrayList<>();
            for (Address x : mine) {
                ours.add(x.ifindex() + " " + (x.isIpv6() ? "inet6" : "inet") + " " + x.local().getHostAddress() + "/"
                        + x.prefixlen() + " peer=" + (x.peer() == null ? null : x.peer().getHostAddress())
                        + " brd=" + (x.broadcast() == null ? null : x.broadcast().getHostAddress())
                        + " scope=" + scopeName(x.scope()) + " label=" + x.label());
            }
            assertThat(ours).containsExactlyInAnyOrderElementsOf(theirs);
            assertThat(h.addresses(Route.AF_INET6, "v0")).allMatch(Address::isIpv6).isNotEmpty();
            assertThat(h.addresses(Route.AF_INET, "v1")).isEmpty();

            for (int fam : new int[] {Route.AF_INET, Route.AF_INET6}) {
                List<Route> routes = h.routes(fam, Route.TABLE_MAIN);
                List<Map<String, Object>> ipRoutes = Rt.ipJson(a, fam == Route.AF_INET ? "-4" : "-6", "route", "show");
                List<String> want = new ArrayList<>();
                for (Map<String, Object> m : ipRoutes) {
                    String dst = (String) m.get("dst");
                    if (!dst.equals("default") && !dst.contains("/")) {
                        dst = dst + (fam == Route.AF_INET ? "/32" : "/128");
                    }
                    String[] d = dst.split("/");
                    want.add(ip(d[0]).getHostAddress() + "/" + d[1] + " via=" + (m.get("gateway") == null ? null
                            : ip((String) m.get("gateway")).getHostAddress()) + " dev=" + m.get("dev")
                            + " metric=" + m.get("metric") + " scope=" + m.getOrDefault("scope", "global")
                            + " src=" + m.get("prefsrc"));
                }
                List<String> got = new ArrayList<>();
                for (Route r : routes) {
                    got.add(r.dst().getHostAddress() + "/" + r.dstLen() + " via="
                            + (r.gateway() == null ? null : r.gateway().getHostAddress()) + " dev=" + names.get(r.oif())
                            + " metric=" + (r.metric() < 0 ? null : (long) r.metric()) + " scope=" + scopeName(r.scope())
                            + " src=" + (r.prefsrc() == null ? null : r.prefsrc().getHostAddress()));
                }
                assertThat(got).as("family %d", fam).containsExactlyInAnyOrderElementsOf(want);
            }

            h.flushAddresses(Route.AF_INET, "v0");
            assertThat(h.addresses(Route.AF_INET, "v0")).isEmpty();
            assertThat(h.addresses(Route.AF_INET6, "v0")).isNotEmpty();
            h.deleteAddress(new Address(v0, ip("fd00:200:7::1"), 64, null, null, 0, null, 0));
            assertThat(h.addresses(Route.AF_INET6, "v0")).noneMatch(x -> x.scope() == 0);
        }
    }

    private static String scopeName(int s) {
        return switch (s) {
            case 0 -> "global";
            case 200 -> "site";
            case 253 -> "link";
            case 254 -> "host";
            default -> Integer.toString(s);
        };
    }

    @Test
    void batchOf500WithOneBadRequestFailsExactlyThatIndex(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("batch");
            RtnlHandle h = rt.handle(a);
            h.addLink(LinkSpec.of("br0", new LinkKind.Bridge()));
            int br = h.link("br0").ifindex();
            h.beginBatch();
            for (int i = 0; i < 500; i++) {
                if (i == 250) {
                    h.addLink(LinkSpec.of("br0", new LinkKind.Bridge())); // exists
                } else {
                    h.addAddress(Address.of(br, ip("10.200." + (100 + i / 250) + "." + (i % 250 + 1)), 16));
                }
            }
            List<RtnlHandle.BatchFailure> failures = h.endBatch();
            assertThat(failures).singleElement().satisfies(f -> {
                assertThat(f.index()).isEqualTo(250);
                assertThat(f.error()).isInstanceOfSatisfying(NetlinkException.class,
                        e -> assertThat(e.errno()).isEqualTo(17));
            });
            assertThat(h.addresses(Route.AF_INET, "br0")).hasSize(499);
            // unknown device inside a batch is a failure at its index, not an exception
            h.beginBatch();
            h.deleteLink("nosuch");
            h.setLink("br0", LinkChange.none().withUp(true));
            h.setLink("nosuch2", LinkChange.none().withUp(true));
            failures = h.endBatch();
            assertThat(failures).extracting(RtnlHandle.BatchFailure::index).containsExactly(0, 2);
            assertThat(failures.get(0).error()).hasMessage("Cannot find device \"nosuch\"");
            assertThat(h.link("br0").isUp()).isTrue();
        }
    }

    @Test
    void batchWhereEveryRequestFailsReportsEachAtItsOwnIndex(HostNetns host) throws Exception {
        // 300 refusals: many more than fit unread in the socket at once (NetlinkSocket.WINDOW)
        try (Rt rt = new Rt(host)) {
            RtnlHandle h = rt.handle(rt.ns("allfail"));
            int n = 300;
            h.beginBatch();
            for (int i = 0; i < n; i++) {
                h.deleteLink("nx" + i);
            }
            List<RtnlHandle.BatchFailure> failures = h.endBatch();
            assertThat(failures).hasSize(n);
            for (int i = 0; i < n; i++) {
                assertThat(failures.get(i).index()).isEqualTo(i);
                assertThat(failures.get(i).error()).hasMessage("Cannot find device \"nx" + i + "\"");
            }
            assertThat(h.link("lo").ifindex()).isEqualTo(1); // the socket is still in step
        }
    }

    @Test
    void queryInsideABatchSeesEarlierRequestsAndPeersMoveByPath(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("mixa");
            String b = rt.ns("mixb");
            RtnlHandle h = rt.handle(a);
            h.beginBatch();
            h.addLink(LinkSpec.of("brq", new LinkKind.Bridge()));                 // 0
            assertThat(h.link("brq").kind()).isEqualTo("bridge");                // a query, no index
            h.addLink(LinkSpec.of("brq", new LinkKind.Bridge()));                 // 1: exists
            for (int i = 0; i < 70; i++) {                                        // 2..71: more than one window
                // every tenth peer is made in b, named by path: its fd must outlive the send
                NetnsTarget peerNs = i % 10 == 0 ? new NetnsTarget.ByPath(Rt.NM.path(b)) : null;
                h.addLink(LinkSpec.of("va" + i, new LinkKind.Veth("vb" + i, peerNs)));
            }
            h.setLink("va5", LinkChange.none().withUp(true));                     // 72
            h.setLink("nosuch", LinkChange.none().withUp(true));                  // 73
            List<RtnlHandle.BatchFailure> failures = h.endBatch();
            assertThat(failures).extracting(RtnlHandle.BatchFailure::index).containsExactly(1, 73);
            assertThat(failures.get(0).error()).isInstanceOfSatisfying(NetlinkException.class,
                    e -> assertThat(e.errno()).isEqualTo(17));
            assertThat(failures.get(1).error()).hasMessage("Cannot find device \"nosuch\"");
            List<String> inB = new ArrayList<>();
            for (Map<String, Object> l : Rt.ipJson(b, "link", "show")) {
                inB.add((String) l.get("ifname"));
            }
            List<String> expected = new ArrayList<>(List.of("lo"));
            for (int i = 0; i < 70; i += 10) {
                expected.add("vb" + i);
            }
            assertThat(inB).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(h.links()).hasSize(1 + 1 + 70 + (70 - 7));
            assertThat(h.link("va5").isUp()).isTrue();
        }
    }

    @Test
    void fiveHundredVethsFromOneJvmVersusIpBatch(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("perf-a");
            String b = rt.ns("perf-b");
            RtnlHandle h = rt.handle(a);
            int n = 500;
            long t0 = System.nanoTime();
            h.beginBatch();
            for (int i = 0; i < n; i++) {
                h.addLink(LinkSpec.of("va" + i, new LinkKind.Veth("vb" + i)));
            }
            assertThat(h.endBatch()).isEmpty();
            long jnet = System.nanoTime() - t0;
            assertThat(h.links()).hasSize(2 * n + 1); // a dump spanning many recv()s

            Path script = Files.createTempFile("jit-batch", ".txt");
            try {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    sb.append("link add va").append(i).append(" type veth peer name vb").append(i).append('\n');
                }
                Files.writeString(script, sb);
                long t1 = System.nanoTime();
                Proc.Result r = Proc.run(Duration.ofSeconds(120), List.of("ip", "-n", b, "-batch", script.toString()));
                long ip = System.nanoTime() - t1;
                assertThat(r.exit()).as(r.describe()).isZero();
                System.out.printf("500 veth adds: jnet in-process batch %d ms, ip -batch %d ms%n", jnet / 1_000_000,
                        ip / 1_000_000);
                // generous bound: the point is "not slower", kernel time dominates both
                assertThat(jnet).isLessThan(Math.max(ip * 2, 2_000_000_000L));
            } finally {
                Files.deleteIfExists(script);
            }
        }
    }
}
