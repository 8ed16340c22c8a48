package dev.jnet.it.cli;

import static dev.jnet.it.cli.IpOracle.ipOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.it.TestUser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code jnet -n R link|addr|route ...} by the unprivileged test user on its rootless namespace R:
 * the commands go over a route socket jnet-helper makes inside R, and what they change is what
 * {@code ip} run inside R ({@code jnet netns exec R ip ...}) then shows, byte for byte.
 */
@RequiresRoot(testUser = true)
@JnetIntegrationTest
class RootlessIpTest {
    private static Proc.Result ok(JnetCli jnet, String... args) {
        Proc.Result r = jnet.run(args);
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }

    @Test
    void linkAddrRouteWorkInARootlessNamespace(JnetCli root, TestUser user, HostNetns host) throws Exception {
        JnetCli jnet = root.as(user);
        String r = host.name("rip");
        String hostLinks = ipOk("-o", "link", "show").stdout();
        ok(jnet, "netns", "add", r);

        ok(jnet, "-n", r, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ok(jnet, "-n", r, "addr", "add", "10.9.0.1/24", "dev", "v0");
        ok(jnet, "-n", r, "link", "set", "v0", "up");
        ok(jnet, "-n", r, "link", "set", "dev", "v1", "up", "mtu", "1400");
        ok(jnet, "-n", r, "route", "add", "10.10.0.0/16", "via", "10.9.0.2");
        ok(jnet, "-n", r, "route", "add", "default", "via", "10.9.0.2", "metric", "7");

        assertThat(ok(jnet, "-n", r, "route", "show").stdoutLines())
                .contains("default via 10.9.0.2 dev v0 metric 7 ", "10.10.0.0/16 via 10.9.0.2 dev v0 ");
        assertThat(ok(jnet, "-n", r, "addr", "show", "dev", "v0").stdout()).contains("inet 10.9.0.1/24 scope global v0");
        awaitNoTentativeAddress(jnet, r);
        for (List<String> show : List.of(List.of("link", "show"), List.of("addr", "show"), List.of("route", "show"),
                List.of("-6", "route", "show"), List.of("-j", "link", "show"), List.of("-j", "addr", "show"),
                List.of("-j", "route", "show"))) {
            Proc.Result ours = jnet.run(args("-n", r, show));
            Proc.Result ip = jnet.run(args("netns", "exec", r, "ip", show));
            assertThat(ours.exit()).as(ours.describe()).isZero();
            assertThat(ours.stdout()).as("jnet -n R %s vs ip inside R", show).isEqualTo(ip.stdout());
        }
        assertThat(ipOk("-o", "link", "show").stdout()).as("the host's links").isEqualTo(hostLinks);

        ok(jnet, "-n", r, "route", "del", "10.10.0.0/16");
        ok(jnet, "-n", r, "route", "del", "default");
        ok(jnet, "-n", r, "addr", "del", "10.9.0.1/24", "dev", "v0");
        assertThat(ok(jnet, "netns", "exec", r, "ip", "-4", "-o", "addr").stdout()).isEmpty();
        assertThat(ok(jnet, "netns", "exec", r, "ip", "-4", "route").stdout()).isEmpty();
        ok(jnet, "-n", r, "link", "del", "v0");
        assertThat(ok(jnet, "netns", "exec", r, "ip", "-o", "link").stdoutLines()).singleElement().asString()
                .startsWith("1: lo: ");

        // the kernel's refusals and a missing namespace read as ip's
        Proc.Result gone = jnet.run("-n", r, "link", "del", "v0");
        assertThat(gone.exit()).as(gone.describe()).isNotZero();
        assertThat(gone.stderrLines()).as(gone.describe()).containsExactly("Cannot find device \"v0\"");
        String zz = host.name("zz");
        Proc.Result missing = jnet.run("-n", zz, "link", "show");
        assertThat(missing.exit()).as(missing.describe()).isEqualTo(255);
        assertThat(missing.stderrLines())
                .containsExactly("Cannot open network namespace \"" + zz + "\": No such file or directory");
        ok(jnet, "netns", "del", r);
    }

    /** Link-local addresses leave DAD ("tentative") about a second after up: compare after that. */
    private static void awaitNoTentativeAddress(JnetCli jnet, String ns) throws InterruptedException {
        for (int i = 0; i < 50 && ok(jnet, "netns", "exec", ns, "ip", "addr").stdout().contains("tentative"); i++) {
            Thread.sleep(200);
        }
    }

    private static String[] args(String a, String b, List<String> rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(a, b), rest.stream()).toArray(String[]::new);
    }

    private static String[] args(String a, String b, String c, String d, List<String> rest) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(a, b, c, d), rest.stream()).toArray(String[]::new);
    }
}
