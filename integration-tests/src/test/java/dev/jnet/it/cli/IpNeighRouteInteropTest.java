package dev.jnet.it.cli;

import static dev.jnet.it.cli.IpOracle.ipOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.JsonReader;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code jnet neigh}, {@code jnet route get} and {@code jnet addr add} with flags and lifetimes:
 * the same commands run by jnet in one namespace and by ip in a twin make the same kernel state,
 * and jnet prints what ip prints for it (text and -j), byte for byte.
 */
@RequiresRoot
@JnetIntegrationTest
class IpNeighRouteInteropTest {
    private static final List<String> NEIGH_ADDS = List.of(
            "neigh add 10.200.50.2 lladdr 02:00:00:00:50:02 dev va",
            "neigh add 10.200.50.3 lladdr 02:00:00:00:50:03 dev va nud stale",
            "n a 10.200.50.4 lladdr 02:00:00:00:50:04 dev va nud stale router",
            "neigh replace 10.200.50.5 lladdr 02:00:00:00:50:05 dev va proto static",
            "neigh add fd00:250::9 lladdr 02:00:00:00:50:09 dev va nud permanent",
            "neigh add 10.200.50.6 lladdr 02:00:00:00:50:06 dev vb nud noarp");
    private static final List<String> NEIGH_SHOWS = List.of("neigh", "neigh show", "n ls dev va", "-4 neigh",
            "-6 neigh", "-j neigh", "-j -p neigh", "neigh show nud all", "neigh show nud noarp",
            "neigh show to 10.200.50.0/30", "neigh show 10.200.50.3", "-j neigh show nud all dev vb");

    private static Proc.Result run(JnetCli jnet, boolean useIp, String ns, String line) {
        List<String> a = new ArrayList<>(List.of("-n", ns));
        a.addAll(List.of(line.split(" ")));
        return useIp ? IpOracle.ip(a.toArray(String[]::new)) : jnet.run(a.toArray(String[]::new));
    }

    private static void ok(Proc.Result r) {
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stderr()).as(r.describe()).isEmpty();
    }

    /** A namespace with a veth pair va/vb up and addresses on va. */
    private static String twin(JnetCli jnet, HostNetns host, String tag) {
        String ns = host.name(tag);
        ok(jnet.run("netns", "add", ns));
        for (String l : List.of("link set lo up", "link add va type veth peer name vb", "link set va up",
                "link set vb up", "addr add 10.200.50.1/24 dev va", "addr add fd00:250::1/64 dev va nodad",
                "route add 10.200.51.0/24 via 10.200.50.254 metric 7")) {
            ok(run(jnet, true, ns, l));
        }
        return ns;
    }

    @Test
    void neighboursAddedByJnetAreIpsAndListTheSame(JnetCli jnet, HostNetns host) {
        String mine = twin(jnet, host, "nj");
        String theirs = twin(jnet, host, "ni");
        for (String l : NEIGH_ADDS) {
            ok(run(jnet, false, mine, l));
            ok(run(jnet, true, theirs, l));
        }
        assertThat(neighState(mine)).isEqualTo(neighState(theirs)).hasSize(6);
        for (String l : NEIGH_SHOWS) {
            Proc.Result ip = run(jnet, true, mine, l);
            Proc.Result j = run(jnet, false, mine, l);
            assertThat(j.stdout()).as("jnet %s", l).isEqualTo(ip.stdout());
            assertThat(j.exit()).as(j.describe()).isEqualTo(ip.exit()).isZero();
        }
        ok(run(jnet, false, mine, "neigh del 10.200.50.3 dev va"));
        ok(run(jnet, true, theirs, "neigh del 10.200.50.3 dev va"));
        assertThat(neighState(mine)).isEqualTo(neighState(theirs)).hasSize(5);
        // flush spares permanent and noarp entries unless asked; -s reports the round as ip does
        Proc.Result jf = run(jnet, false, mine, "-s neigh flush dev va");
        Proc.Result ipf = run(jnet, true, theirs, "-s neigh flush dev va");
        assertThat(jf.stdout()).isEqualTo(ipf.stdout()).contains("deleting 1 entries");
        assertThat(neighState(mine)).isEqualTo(neighState(theirs)).hasSize(4);
        ok(run(jnet, false, mine, "neigh flush dev va nud all"));
        ok(run(jnet, true, theirs, "neigh flush dev va nud all"));
        assertThat(neighState(mine)).isEqualTo(neighState(theirs)).hasSize(1);
    }

    /** The namespace's neighbour entries as ip -j shows them, without the multicast NOARP ones the kernel adds. */
    private static List<Map<String, Object>> neighState(String ns) {
        return JsonReader.objects(ipOk("-n", ns, "-j", "neigh", "show", "nud", "all").stdout()).stream()
                .filter(m -> !String.valueOf(m.get("dst")).startsWith("ff") && !String.valueOf(m.get("dst")).startsWith("224."))
                .sorted(java.util.Comparator.comparing(m -> String.valueOf(m.get("dst")))) // hash order differs per namespace
                .toList();
    }

    @Test
    void routeGetPrintsWhatIpPrints(JnetCli jnet, HostNetns host) {
        String ns = twin(jnet, host, "rg");
        for (String q : List.of("route get 10.200.50.2", "r g 10.200.50.2", "-j route get 10.200.50.2",
                "-j -p route get 10.200.50.7", "route get 127.0.0.1", "-j route get 127.0.0.1",
                "route get fd00:250::2", "-j route get fd00:250::2", "route get 10.200.50.2 from 10.200.50.1",
                "route get 10.200.50.9 oif va", "route get 10.200.50.1", "-o route get 10.200.50.2",
                "route get 10.200.51.9", "route get to 10.200.50.9/24", "route get 10.200.50.255")) {
            Proc.Result ip = run(jnet, true, ns, q);
            Proc.Result j = run(jnet, false, ns, q);
            assertThat(j.stdout()).as("jnet %s", q).isEqualTo(ip.stdout());
            assertThat(j.stderr()).as("jnet %s", q).isEqualTo(ip.stderr());
            assertThat(j.exit()).as(j.describe()).isEqualTo(ip.exit()).isZero();
        }
        // an input-route lookup: whatever the kernel answers here (a route, or No route to host), the same
        Proc.Result ipIif = run(jnet, true, ns, "route get 10.200.50.2 from 10.200.50.1 iif va");
        Proc.Result jIif = run(jnet, false, ns, "route get 10.200.50.2 from 10.200.50.1 iif va");
        assertThat(jIif.stdout() + jIif.stderr()).isEqualTo(ipIif.stdout() + ipIif.stderr()).isNotEmpty();
        assertThat(jIif.exit()).as(jIif.describe()).isEqualTo(ipIif.exit());
        Proc.Result ip = run(jnet, true, ns, "route get 198.51.100.1");
        Proc.Result j = run(jnet, false, ns, "route get 198.51.100.1");
        assertThat(j.stderr()).isEqualTo(ip.stderr()).isEqualTo("RTNETLINK answers: Network is unreachable\n");
        assertThat(j.exit()).isEqualTo(ip.exit()).isEqualTo(2);
    }

    @Test
    void addressFlagsAndLifetimesAreIps(JnetCli jnet, HostNetns host) {
        String mine = twin(jnet, host, "fj");
        String theirs = twin(jnet, host, "fi");
        for (String l : List.of("addr add fd00:251::5/64 dev va nodad",
                "addr add fd00:251::6/64 dev va nodad noprefixroute valid_lft 3000 preferred_lft 2000",
                "a add fd00:251::7/64 dev va home nodad valid_lft forever preferred_lft 1000",
                "addr add 10.200.52.1/24 dev va noprefixroute",
                "addr add 10.200.53.1/24 dev va valid_lft 1000 preferred_lft 0",
                "-6 addr add nodad fd00:251::8/64 dev va")) {
            ok(run(jnet, false, mine, l));
            ok(run(jnet, true, theirs, l));
        }
        // an IPv6-only flag on IPv4 is ip's warning, and the address is added without it
        Proc.Result warnJ = run(jnet, false, mine, "addr add 10.200.54.1/24 dev va nodad");
        Proc.Result warnIp = run(jnet, true, theirs, "addr add 10.200.54.1/24 dev va nodad");
        assertThat(warnJ.stderr()).isEqualTo(warnIp.stderr())
                .isEqualTo("Warning: nodad option can be set only for IPv6 addresses\n");
        assertThat(warnJ.exit()).isEqualTo(warnIp.exit()).isZero();
        assertThat(addrInfo(mine)).isEqualTo(addrInfo(theirs));
        // the display, lifetimes included: jnet reads between two ip readings, so it prints one of them
        // (a lifetime second may tick in between; bounded retries while more than one does)
        for (String l : List.of("addr show dev va", "-j addr show dev va", "-o addr show dev va", "-br addr")) {
            String before = null;
            String after = null;
            String jOut = null;
            for (int attempt = 0; attempt < 5 && (before == null || !(jOut.equals(before) || jOut.equals(after)));
                    attempt++) {
                before = run(jnet, true, mine, l).stdout();
                jOut = run(jnet, false, mine, l).stdout();
                after = run(jnet, true, mine, l).stdout();
            }
            assertThat(List.of(before, after)).as("jnet %s", l).contains(jOut);
            assertThat(jOut).contains("fd00:251::6");
        }
    }

    /** addr_info of va without the lifetimes that count down. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> addrInfo(String ns) {
        Map<String, Object> va = JsonReader.objects(ipOk("-n", ns, "-j", "addr", "show", "dev", "va").stdout()).get(0);
        return ((List<Map<String, Object>>) va.get("addr_info")).stream().map(m -> {
            Map<String, Object> c = new java.util.LinkedHashMap<>(m);
            for (String k : List.of("valid_life_time", "preferred_life_time")) {
                Object v = c.get(k);
                if (v instanceof Number n && n.longValue() != 4294967295L) {
                    c.put(k, Math.round(n.longValue() / 100.0)); // seconds tick between the two namespaces' readings
                }
            }
            return c;
        }).filter(m -> !String.valueOf(m.get("local")).startsWith("fe80")).toList();
    }
}
