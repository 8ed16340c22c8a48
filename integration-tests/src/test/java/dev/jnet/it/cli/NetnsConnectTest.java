package dev.jnet.it.cli;

import dev.jnet.it.JsonReader;
import static dev.jnet.it.cli.IpOracle.ipOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jnet netns connect/disconnect}: a pingable link with defaults, a shared bridge, refusals
 * that leave nothing behind, and a disconnect that leaves no link, address or state file. Pings
 * go only to 10.200.x.y / fd00:200:: addresses inside namespaces this test made.
 */
@RequiresRoot
@JnetIntegrationTest
class NetnsConnectTest {
    private static final Path STATE = Path.of("/run/jnet/connect");
    private static final String BRIDGE = "jitbr" + ProcessHandle.current().pid() % 100000;

    private JnetCli cli;

    @AfterEach
    void cleanUp() {
        // whatever a failed test left: our connections (by name prefix), then the bridge
        if (cli != null && Files.isDirectory(STATE)) {
            try (var ds = Files.newDirectoryStream(STATE)) {
                for (Path p : ds) {
                    if (HostNetns.ours(p.getFileName().toString())) {
                        cli.run("netns", "disconnect", p.getFileName().toString());
                    }
                }
            } catch (java.io.IOException ignored) {
                // best effort
            }
        }
        IpOracle.ip("link", "del", BRIDGE);
        IpOracle.ip("route", "del", "blackhole", HOST_ROUTE);
    }

    /** A host route a subnet must not overlap (blackhole: it sends nothing anywhere). */
    private static final String HOST_ROUTE = "10.200.2.0/24";

    /** Everything in {@code ns} (null: the host) a subnet could collide with: addresses and routes, all tables. */
    private static List<String> addressesAndRoutes(String ns) {
        List<String> pre = ns == null ? List.of() : List.of("-n", ns);
        List<String> out = new java.util.ArrayList<>();
        for (List<String> show : List.of(List.of("-o", "addr", "show"), List.of("route", "show", "table", "all"),
                List.of("-6", "route", "show", "table", "all"))) {
            List<String> cmd = new java.util.ArrayList<>(pre);
            cmd.addAll(show);
            out.addAll(ipOk(cmd.toArray(String[]::new)).stdout().lines().filter(l -> !l.contains("fe80:")).toList());
        }
        return out;
    }

    /** A namespace already using 10.200.0.1/24 (on a veth pair inside) and a route to 10.200.1.0/24. */
    private static String crowded(JnetCli jnet, HostNetns host, String tag) {
        String ns = host.name(tag);
        ok(jnet, "netns", "add", ns);
        ipOk("-n", ns, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
        ipOk("-n", ns, "addr", "add", "10.200.0.1/24", "dev", "d0");
        ipOk("-n", ns, "link", "set", "d0", "up");
        ipOk("-n", ns, "link", "set", "d1", "up");
        ipOk("-n", ns, "route", "add", "10.200.1.0/24", "via", "10.200.0.9");
        ipOk("-n", ns, "link", "set", "lo", "up"); // connect brings lo up and disconnect leaves it so
        return ns;
    }

    private static String hostLinks() {
        return ipOk("-o", "link", "show").stdout().lines().map(l -> l.split(": ")[1]).sorted().toList().toString();
    }

    private static String hostAddrs() {
        return ipOk("-o", "addr", "show").stdout().lines().filter(l -> !l.contains(" fe80:")).toList().toString();
    }

    private static Proc.Result ok(JnetCli jnet, String... args) {
        Proc.Result r = jnet.run(args);
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }

    @Test
    void connectPingDisconnect(JnetCli jnet, HostNetns host) {
        cli = jnet;
        String ns = host.name("con");
        ok(jnet, "netns", "add", ns);
        String linksBefore = hostLinks();
        String addrsBefore = hostAddrs();
        Proc.Result c = ok(jnet, "netns", "connect", ns);
        // "NAME: jn-xxxxxxxx 10.200.N.1/24 <-> eth0 10.200.N.2/24"
        String[] words = c.stdout().trim().split(" ");
        String hostIf = words[1];
        String hostIp = words[2].substring(0, words[2].indexOf('/'));
        assertThat(hostIf).startsWith("jn-").hasSizeLessThanOrEqualTo(15);
        assertThat(hostIp).startsWith("10.200.").endsWith(".1");
        assertThat(STATE.resolve(ns)).exists();
        Proc.Result ping = ok(jnet, "netns", "exec", ns, "ping", "-c1", "-W2", hostIp);
        assertThat(ping.stdout()).contains("1 received");
        assertThat(ipOk("-n", ns, "route", "show").stdout()).contains("default via " + hostIp + " dev eth0");

        // a second connect, and connecting a missing namespace, are refused and change nothing
        Proc.Result again = jnet.run("netns", "connect", ns);
        assertThat(again.exit()).isNotZero();
        assertThat(again.stderrLines()).hasSize(1).allMatch(l -> l.contains("already connected"));
        String missing = host.name("missing");
        Proc.Result none = jnet.run("netns", "connect", missing);
        assertThat(none.exit()).isNotZero();
        assertThat(none.stderrLines())
                .containsExactly("Cannot open network namespace \"" + missing + "\": No such file or directory");
        assertThat(STATE.resolve(missing)).doesNotExist();

        ok(jnet, "netns", "disconnect", ns);
        assertThat(hostLinks()).isEqualTo(linksBefore);
        assertThat(hostAddrs()).isEqualTo(addrsBefore);
        assertThat(STATE.resolve(ns)).doesNotExist();
        assertThat(IpOracle.linkNames(ns)).containsExactly("lo");
        Proc.Result twice = jnet.run("netns", "disconnect", ns);
        assertThat(twice.exit()).isNotZero();
        assertThat(twice.stderrLines()).hasSize(1);
    }

    @Test
    void deletingAConnectedNamespaceUndoesItsConnection(JnetCli jnet, HostNetns host) {
        cli = jnet;
        String ns = host.name("delc");
        ok(jnet, "netns", "add", ns);
        String linksBefore = hostLinks();
        String addrsBefore = hostAddrs();
        ok(jnet, "netns", "connect", ns, "--bridge", BRIDGE);
        assertThat(STATE.resolve(ns)).exists();
        ok(jnet, "netns", "del", ns);
        assertThat(STATE.resolve(ns)).doesNotExist();
        assertThat(hostLinks()).isEqualTo(linksBefore); // the bridge it made went too
        assertThat(hostAddrs()).isEqualTo(addrsBefore);
        // the name is free again, for a new namespace and its connection
        ok(jnet, "netns", "add", ns);
        ok(jnet, "netns", "connect", ns);
        ok(jnet, "netns", "disconnect", ns);
        ok(jnet, "netns", "del", ns);
    }

    @Test
    void picksASubnetFreeInHostAndNamespaceAndDisconnectRestoresBoth(JnetCli jnet, HostNetns host) {
        cli = jnet;
        String ns = crowded(jnet, host, "crowd");
        ipOk("route", "add", "blackhole", HOST_ROUTE);
        List<String> nsBefore = addressesAndRoutes(ns);
        List<String> hostBefore = addressesAndRoutes(null);
        Proc.Result c = ok(jnet, "netns", "connect", ns);
        String hostA = c.stdout().trim().split(" ")[2];
        String subnet = hostA.substring(0, hostA.lastIndexOf('.'));
        // neither the namespace's 10.200.0 and 10.200.1 nor the host's 10.200.2
        assertThat(subnet).startsWith("10.200.").isNotIn("10.200.0", "10.200.1", "10.200.2");
        for (String line : hostBefore) {
            assertThat(line).as("host before connect").doesNotContain(subnet + ".");
        }
        String hostIp = hostA.substring(0, hostA.indexOf('/'));
        assertThat(ipOk("-n", ns, "route", "show", "default").stdout().trim()).isEqualTo("default via " + hostIp + " dev eth0");
        // the reply comes from the host end, not from the namespace itself
        assertThat(ok(jnet, "netns", "exec", ns, "ping", "-c1", "-W2", hostIp).stdout()).contains("1 received");
        assertThat(ipOk("-n", ns, "route", "get", hostIp).stdout()).contains("dev eth0").doesNotContain("local");

        ok(jnet, "netns", "disconnect", ns);
        assertThat(addressesAndRoutes(ns)).as("namespace after disconnect").isEqualTo(nsBefore);
        assertThat(addressesAndRoutes(null)).as("host after disconnect").isEqualTo(hostBefore);
        assertThat(STATE.resolve(ns)).doesNotExist();
    }

    @Test
    void aGivenSubnetInUseIsRefusedAndNothingIsMade(JnetCli jnet, HostNetns host) {
        cli = jnet;
        String ns = crowded(jnet, host, "given");
        ipOk("route", "add", "blackhole", HOST_ROUTE);
        List<String> nsBefore = addressesAndRoutes(ns);
        List<String> hostBefore = addressesAndRoutes(null);
        String linksBefore = hostLinks();
        record Case(List<String> args, int exit, String line) {}
        String in = " in namespace \"" + ns + "\".";
        for (Case k : List.of(
                new Case(List.of("--addr", "10.200.0.5/24", "--peer-addr", "10.200.0.6/24"), 1,
                        "Error: 10.200.0.5/24 overlaps address 10.200.0.1/24 on d0" + in),
                new Case(List.of("--addr", "10.200.1.129/25", "--peer-addr", "10.200.1.130/25"), 1,
                        "Error: 10.200.1.129/25 overlaps route 10.200.1.0/24 dev d0" + in),
                new Case(List.of("--addr", "10.200.2.1/30", "--peer-addr", "10.200.2.2/30"), 1,
                        "Error: 10.200.2.1/30 overlaps route " + HOST_ROUTE + " in the host namespace."),
                new Case(List.of("--addr", "10.201.0.1/24", "--peer-addr", "10.200.0.66/23"), 1,
                        "Error: 10.200.0.66/23 overlaps address 10.200.0.1/24 on d0" + in),
                new Case(List.of("--addr", "10.1/24", "--peer-addr", "10.0.0.2/24"), 255,
                        "Invalid --addr \"10.1/24\": 2 dot-separated parts, a dotted quad has 4 (ADDR/PLEN expected)"),
                new Case(List.of("--addr", "10.201.0.1/24", "--peer-addr", "10.201.0.02/24"), 255,
                        "Invalid --peer-addr \"10.201.0.02/24\": part \"02\" has a leading zero (ADDR/PLEN expected)"))) {
            List<String> args = new java.util.ArrayList<>(List.of("netns", "connect", ns));
            args.addAll(k.args());
            Proc.Result r = jnet.run(args.toArray(String[]::new));
            assertThat(r.exit()).as(r.describe()).isEqualTo(k.exit());
            assertThat(r.stderrLines()).as(r.describe()).containsExactly(k.line());
            assertThat(addressesAndRoutes(ns)).as("namespace after %s", k.args()).isEqualTo(nsBefore);
            assertThat(addressesAndRoutes(null)).as("host after %s", k.args()).isEqualTo(hostBefore);
            assertThat(hostLinks()).isEqualTo(linksBefore);
            assertThat(STATE.resolve(ns)).doesNotExist();
        }
        // a namespace with a default route of its own: connect's would clash
        ipOk("-n", ns, "route", "add", "default", "via", "10.200.0.9");
        Proc.Result r = jnet.run("netns", "connect", ns);
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly("Namespace \"" + ns + "\" already has an IPv4 default route");
        assertThat(hostLinks()).isEqualTo(linksBefore);
        assertThat(STATE.resolve(ns)).doesNotExist();
    }

    @Test
    void takenNameRollsBack(JnetCli jnet, HostNetns host) {
        cli = jnet;
        String ns = host.name("taken");
        ok(jnet, "netns", "add", ns);
        ipOk("-n", ns, "link", "add", "eth0", "type", "bridge"); // the namespace end's name is taken
        String linksBefore = hostLinks();
        String addrsBefore = hostAddrs();
        Proc.Result r = jnet.run("netns", "connect", ns, "--bridge", BRIDGE);
        assertThat(r.exit()).as(r.describe()).isNotZero();
        assertThat(r.stderrLines()).as(r.describe()).hasSize(1);
        assertThat(hostLinks()).isEqualTo(linksBefore);
        assertThat(hostAddrs()).isEqualTo(addrsBefore);
        assertThat(STATE.resolve(ns)).doesNotExist();
        assertThat(IpOracle.linkNames(ns)).containsExactly("eth0", "lo");
        // explicit host end name that exists on the host
        Proc.Result r2 = jnet.run("netns", "connect", ns, "--ns-ifname", "veth0", "--host-ifname", "lo");
        assertThat(r2.exit()).isNotZero();
        assertThat(r2.stderrLines()).containsExactly("Device \"lo\" already exists in the host namespace");
        assertThat(STATE.resolve(ns)).doesNotExist();
    }

    @Test
    void bridgeSharedByTwoNamespaces(JnetCli jnet, HostNetns host) {
        cli = jnet;
        String a = host.name("bra");
        String b = host.name("brb");
        ok(jnet, "netns", "add", a);
        ok(jnet, "netns", "add", b);
        String linksBefore = hostLinks();
        String addrsBefore = hostAddrs();
        ok(jnet, "netns", "connect", a, "--bridge", BRIDGE, "--ipv6", "fd00:200:7::1/64,fd00:200:7::2/64");
        ok(jnet, "netns", "connect", b, "--bridge", BRIDGE);
        String bIp = ipOk("-n", b, "-j", "-4", "addr", "show", "dev", "eth0").stdout();
        String aIp = ipOk("-n", a, "-j", "-4", "addr", "show", "dev", "eth0").stdout();
        String aAddr = JsonReader.objects(aIp).get(0).get("addr_info").toString().replaceAll(".*local=([0-9.]+).*", "$1");
        String bAddr = JsonReader.objects(bIp).get(0).get("addr_info").toString().replaceAll(".*local=([0-9.]+).*", "$1");
        assertThat(aAddr).startsWith("10.200.").isNotEqualTo(bAddr);
        assertThat(bAddr).startsWith("10.200.");
        assertThat(ok(jnet, "netns", "exec", a, "ping", "-c1", "-W2", bAddr).stdout()).contains("1 received");
        assertThat(ok(jnet, "netns", "exec", b, "ping", "-c1", "-W2", aAddr).stdout()).contains("1 received");
        assertThat(ok(jnet, "netns", "exec", a, "ping", "-c1", "-W2", "fd00:200:7::1").stdout()).contains("1 received");
        // the bridge carries the host address; the veth ends are its ports
        assertThat(ipOk("-o", "-4", "addr", "show", "dev", BRIDGE).stdout()).contains("10.200.");
        assertThat(ipOk("-o", "link", "show", "master", BRIDGE).stdout().lines().count()).isEqualTo(2);

        ok(jnet, "netns", "disconnect", a);
        assertThat(ipOk("-o", "link", "show", "master", BRIDGE).stdout().lines().count()).isEqualTo(1);
        assertThat(ok(jnet, "netns", "exec", b, "ping", "-c1", "-W2",
                ipOk("-o", "-4", "addr", "show", "dev", BRIDGE).stdout().split("\\s+")[3].split("/")[0]).stdout())
                .contains("1 received");
        ok(jnet, "netns", "disconnect", b);
        assertThat(hostLinks()).isEqualTo(linksBefore); // the bridge jnet made is gone with its last port
        assertThat(hostAddrs()).isEqualTo(addrsBefore);
        assertThat(STATE.resolve(a)).doesNotExist();
        assertThat(STATE.resolve(b)).doesNotExist();
        assertThat(List.of(IpOracle.linkNames(a), IpOracle.linkNames(b))).containsOnly(List.of("lo"));
    }
}
