package dev.jnet.it.rtnl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.LinkChange;
import dev.jnet.rtnl.LinkKind;
import dev.jnet.rtnl.LinkSpec;
import dev.jnet.rtnl.NetnsTarget;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlHandle;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Links and addresses made in-process carry traffic between our namespaces (ping as the oracle). */
@RequiresRoot
@JnetIntegrationTest
class RtnlConnectivityTest {
    private static final int NODAD = 0x02;

    @Test
    void vethBetweenTwoNamespacesCarriesIpv4(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("a");
            String b = rt.ns("b");
            RtnlHandle ha = rt.handle(a);
            RtnlHandle hb = rt.handle(b);
            ha.addLink(LinkSpec.of("va", new LinkKind.Veth("vb", new NetnsTarget.ByPath(HostNetns.path(b)))));
            ha.setLink("va", LinkChange.none().withUp(true));
            hb.setLink("vb", LinkChange.none().withUp(true));
            ha.setLink("lo", LinkChange.none().withUp(true));
            ha.addAddress(Address.of(ha.link("va").ifindex(), InetAddress.getByName("10.200.1.1"), 24));
            hb.addAddress(Address.of(hb.link("vb").ifindex(), InetAddress.getByName("10.200.1.2"), 24));

            Proc.Result ping = Rt.ping(a, "10.200.1.2");
            assertThat(ping.exit()).as(ping.describe()).isZero();
            Proc.Result back = Rt.ping(b, "10.200.1.1");
            assertThat(back.exit()).as(back.describe()).isZero();
        }
    }

    @Test
    void bridgeJoinsThreeNamespaces(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String hub = rt.ns("hub");
            RtnlHandle h = rt.handle(hub);
            h.addLink(LinkSpec.of("br0", new LinkKind.Bridge()));
            h.setLink("br0", LinkChange.none().withUp(true));
            String[] leaves = new String[3];
            for (int i = 0; i < 3; i++) {
                leaves[i] = rt.ns("leaf" + i);
                String port = "p" + i;
                h.addLink(LinkSpec.of(port,
                        new LinkKind.Veth("eth0", new NetnsTarget.ByPath(HostNetns.path(leaves[i])))));
                h.setLink(port, LinkChange.none().withMaster("br0").withUp(true));
                RtnlHandle l = rt.handle(leaves[i]);
                l.setLink("eth0", LinkChange.none().withUp(true));
                l.addAddress(Address.of(l.link("eth0").ifindex(), InetAddress.getByName("10.200.2." + (i + 1)), 24));
            }
            int br = h.link("br0").ifindex();
            for (int i = 0; i < 3; i++) {
                assertThat(h.link("p" + i).master()).hasValue(br);
            }
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    if (i != j) {
                        Proc.Result ping = Rt.ping(leaves[i], "10.200.2." + (j + 1));
                        assertThat(ping.exit()).as(ping.describe()).isZero();
                    }
                }
            }
            // nomaster releases a port
            h.setLink("p2", LinkChange.none().withMaster(LinkChange.NO_MASTER));
            assertThat(h.link("p2").master()).isEmpty();
        }
    }

    @Test
    void ipv6AddressesAndRoutes(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("a6");
            String b = rt.ns("b6");
            RtnlHandle ha = rt.handle(a);
            RtnlHandle hb = rt.handle(b);
            ha.addLink(LinkSpec.of("va", new LinkKind.Veth("vb", new NetnsTarget.ByPath(HostNetns.path(b)))));
            ha.setLink("va", LinkChange.none().withUp(true));
            hb.setLink("vb", LinkChange.none().withUp(true));
            int va = ha.link("va").ifindex();
            int vb = hb.link("vb").ifindex();
            ha.addAddress(new Address(va, InetAddress.getByName("fd00:200::1"), 64, null, null, 0, null, NODAD));
            hb.addAddress(new Address(vb, InetAddress.getByName("fd00:200::2"), 64, null, null, 0, null, NODAD));
            // a second prefix in b reachable from a only through a route via b
            hb.setLink("lo", LinkChange.none().withUp(true));
            hb.addAddress(new Address(1, InetAddress.getByName("fd00:200:1::1"), 128, null, null, 0, null, NODAD));
            Route r = Route.to(Route.AF_INET6, InetAddress.getByName("fd00:200:1::"), 64)
                    .via(InetAddress.getByName("fd00:200::2")).dev(va);
            ha.addRoute(r);
            assertThat(ha.routes(Route.AF_INET6, Route.TABLE_MAIN))
                    .anySatisfy(x -> {
                        assertThat(x.dst()).isEqualTo(InetAddress.getByName("fd00:200:1::"));
                        assertThat(x.dstLen()).isEqualTo(64);
                        assertThat(x.gateway()).isEqualTo(InetAddress.getByName("fd00:200::2"));
                        assertThat(x.oif()).isEqualTo(va);
                    });
            assertThat(ha.addresses(Route.AF_INET6, "va")).anySatisfy(x -> {
                assertThat(x.local()).isEqualTo(InetAddress.getByName("fd00:200::1"));
                assertThat(x.flags() & NODAD).isEqualTo(NODAD);
            });
            Proc.Result ping = Rt.ping(a, "fd00:200::2");
            assertThat(ping.exit()).as(ping.describe()).isZero();
            Proc.Result viaRoute = Rt.ping(a, "fd00:200:1::1");
            assertThat(viaRoute.exit()).as(viaRoute.describe()).isZero();

            ha.deleteRoute(r);
            assertThat(ha.routes(Route.AF_INET6, Route.TABLE_MAIN)).noneMatch(x -> x.dstLen() == 64
                    && InetAddressEq.eq(x.dst(), "fd00:200:1::"));
        }
    }

    @Test
    void ipv4RouteViaGatewayAddReplaceDelete(HostNetns host) throws Exception {
        try (Rt rt = new Rt(host)) {
            String a = rt.ns("a4");
            String b = rt.ns("b4");
            RtnlHandle ha = rt.handle(a);
            RtnlHandle hb = rt.handle(b);
            ha.addLink(LinkSpec.of("va", new LinkKind.Veth("vb", new NetnsTarget.ByPath(HostNetns.path(b)))));
            ha.setLink("va", LinkChange.none().withUp(true));
            hb.setLink("vb", LinkChange.none().withUp(true));
            hb.setLink("lo", LinkChange.none().withUp(true));
            int va = ha.link("va").ifindex();
            ha.addAddress(Address.of(va, InetAddress.getByName("10.200.3.1"), 24));
            hb.addAddress(Address.of(hb.link("vb").ifindex(), InetAddress.getByName("10.200.3.2"), 24));
            hb.addAddress(Address.of(1, InetAddress.getByName("10.200.4.1"), 32));
            Route r = Route.to(Route.AF_INET, InetAddress.getByName("10.200.4.0"), 24)
                    .via(InetAddress.getByName("10.200.3.2"));
            ha.addRoute(r);
            Proc.Result ping = Rt.ping(a, "10.200.4.1");
            assertThat(ping.exit()).as(ping.describe()).isZero();
            ha.replaceRoute(r.metric(5));
            assertThat(ha.routes(Route.AF_INET, Route.TABLE_MAIN)).filteredOn(x -> x.dstLen() == 24
                    && InetAddressEq.eq(x.dst(), "10.200.4.0")).hasSize(2);
            ha.deleteRoute(r.metric(5));
            ha.deleteRoute(r);
            assertThat(ha.routes(Route.AF_INET, Route.TABLE_MAIN)).noneMatch(x -> x.dstLen() == 24
                    && InetAddressEq.eq(x.dst(), "10.200.4.0"));
            // a table >= 256 goes in RTA_TABLE
            ha.addRoute(Route.to(Route.AF_INET, InetAddress.getByName("10.200.5.0"), 24).dev(va).table(1000));
            assertThat(ha.routes(Route.AF_INET, 1000)).singleElement()
                    .satisfies(x -> assertThat(x.oif()).isEqualTo(va));
            assertThat(ha.routes(Route.AF_INET, Route.TABLE_MAIN)).noneMatch(x -> x.table() == 1000);
            var ipSays = Rt.ipJson(a, "route", "show", "table", "1000");
            assertThat(ipSays).singleElement().satisfies(m -> assertThat(m.get("dst")).isEqualTo("10.200.5.0/24"));
        }
    }

    /** Literal comparison without name resolution. */
    static final class InetAddressEq {
        static boolean eq(InetAddress a, String literal) {
            try {
                return a != null && a.equals(InetAddress.getByName(literal));
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
    }
}
