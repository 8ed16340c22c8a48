package dev.jnet.it.cli;

import static dev.jnet.it.cli.IpOracle.ipOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bad input to jnet link/addr/route: for each case jnet and ip run the same arguments on the
 * same namespace; stderr (one message line) and exit status must be ip's, and nothing is left
 * half-made (the namespace's links and addresses are what they were).
 */
@RequiresRoot
@JnetIntegrationTest
class IpBadInputTest {
    private static final List<String> CASES = List.of(
            "link add e0 type veth peer name e1",            // existing link
            "link add e5 type veth peer name e1",            // peer name taken: no e5 left behind
            "link set nope up",                              // missing device
            "link del nope",
            "addr add 10.200.30.1/24 dev nope",
            "route add 10.200.31.0/24 dev nope",
            "link show nope",
            "addr show dev nope",
            "link set e0 address zz",                        // bad MAC
            "link add e9 address zz type bridge",
            "addr add 10.200.30.1/99 dev e0",                // bad prefix
            "route add 10.200.31.0/33 via 10.200.30.9",
            "addr add bogus dev e0",
            "link set e0 mtu 70000",                         // MTU out of range: the kernel's words
            "link set e0 mtu 10",
            "link set e0 mtu 99999999",                      // passed on: the kernel's per-device maximum decides
            "link set e0 mtu 4294967295",
            "link set e0 mtu abc",
            "link add e7 mtu 10 type bridge",
            "link set e0 master nobr",
            "link set e0 netns jit-no-such-ns",
            "link add e8 type veth peer name e9 netns jit-no-such-ns",
            "addr add 10.200.30.1/24 dev e0",                // exists
            "addr del 10.200.39.1/24 dev e0",                // not there
            "route del 10.200.38.0/24",
            "route add 10.200.32.0/24 dev e0 metric x",
            "link add d1 type bogus",
            "link foo",
            "-x link",                                       // ip's options, objects and commands
            "-brx link",
            "link frob",
            "route frob",
            "addr frob",
            "addr add 10.200.30.5/24 dev e0 valid_lft 0",   // lifetimes
            "addr add 10.200.30.5/24 dev e0 valid_lft 10 preferred_lft 20",
            "addr add 10.200.30.5/24 dev e0 valid_lft x",
            "addr add 10.200.30.5/24 dev e0 preferred_lft -1",
            "addr add 10.200.30.5/24 dev e0 valid_lft 5 valid_lft 6",
            "-4 addr add fd00::5/64 dev e0",
            "neigh add 10.200.30.9 dev e0 nud bogus",       // neigh
            "neigh add 10.200.30.9",
            "neigh add 10.200.30.9 dev nope",
            "neigh add 10.200.30.9 lladdr zz dev e0",
            "neigh add bogus dev e0",
            "neigh add 10.200.30.9 10.200.30.8 dev e0",
            "neigh del 10.200.30.77 dev e0",
            "neigh show dev nope",
            "neigh show nud bogus",
            "neigh show to bogus",
            "neigh flush",
            "neigh frob",
            "route get",                                     // route get
            "route get bogus",
            "route get 10.200.30.9 oif nope",
            "-6 route get 10.200.30.9",
            "route get 198.51.100.7");

    @Test
    void errorsMatchIproute2AndChangeNothing(JnetCli jnet, HostNetns host) {
        String ns = host.name("bad");
        assertThat(jnet.run("netns", "add", ns).exit()).isZero();
        ipOk("-n", ns, "link", "add", "e0", "type", "veth", "peer", "name", "e1");
        ipOk("-n", ns, "addr", "add", "10.200.30.1/24", "dev", "e0");
        List<String> links = IpOracle.linkNames(ns);
        String addrs = ipOk("-n", ns, "-j", "addr", "show").stdout();
        for (String c : CASES) {
            List<String> args = List.of(c.split(" "));
            List<String> ipArgs = new ArrayList<>(List.of("-n", ns));
            ipArgs.addAll(args);
            Proc.Result ip = IpOracle.ip(ipArgs.toArray(String[]::new));
            Proc.Result j = jnet.run(ipArgs.toArray(String[]::new));
            assertThat(ip.exit()).as("ip %s", c).isNotZero();
            // the same words, except that help hints name jnet's help, not ip's
            String expected = ip.stderr().replace("try \"ip help\"", "try \"jnet --help\"")
                    .replace("try \"ip -help\"", "try \"jnet -help\"")
                    .replaceAll("try \"ip (\\w+) help\"", "try \"jnet $1 help\"");
            assertThat(j.stderr()).as(j.describe()).isEqualTo(expected);
            assertThat(j.exit()).as(j.describe()).isEqualTo(ip.exit());
            assertThat(j.stdout()).as(j.describe()).isEmpty();
            assertThat(j.stderr().lines().filter(l -> !l.isEmpty()).count()).as(j.describe()).isEqualTo(1);
            assertThat(IpOracle.linkNames(ns)).as("links after %s", c).isEqualTo(links);
            assertThat(ipOk("-n", ns, "-j", "addr", "show").stdout()).as("addresses after %s", c).isEqualTo(addrs);
        }
    }

    @Test
    void missingNamespace(JnetCli jnet, HostNetns host) {
        String ns = host.name("none");
        for (String c : List.of("link show", "addr show", "route show", "link add x type bridge")) {
            List<String> a = new ArrayList<>(List.of("-n", ns));
            a.addAll(List.of(c.split(" ")));
            Proc.Result ip = IpOracle.ip(a.toArray(String[]::new));
            Proc.Result j = jnet.run(a.toArray(String[]::new));
            assertThat(j.stderr()).as(j.describe())
                    .isEqualTo("Cannot open network namespace \"" + ns + "\": No such file or directory\n")
                    .isEqualTo(ip.stderr());
            assertThat(j.exit()).as(j.describe()).isEqualTo(ip.exit()).isEqualTo(255);
        }
        assertThat(HostNetns.path(ns)).doesNotExist();
    }
}
