package dev.jnet.it.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.JsonReader;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.it.TestUser;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code jnet usernet} as container runtimes run slirp4netns, rootless: the test user's
 * {@code unshare -unUr} guest gets tap0 configured as slirp4netns configures it, frames cross
 * the tap both ways (ARP and ping answered by the test's {@link GatewayResponder}), and the
 * process ends with status 0 on SIGTERM, on exit-fd EOF and when the guest is gone, leaving
 * no helper behind. Traffic stays inside the guest's namespace and the stack.
 */
@RequiresRoot(testUser = true)
@JnetIntegrationTest
@SuppressWarnings("unchecked")
class UsernetCliTest {
    private static final Duration READY_WAIT = Duration.ofSeconds(30);
    private static final Duration EXIT_WAIT = Duration.ofSeconds(15);

    @Test
    void configureGivesTap0TheAddressRouteAndMacOfSlirp4netnsAndFramesFlow(JnetCli jnet, TestUser user) throws Exception {
        try (Guest guest = Guest.start(user)) {
            Path ready = user.runtimeDir().resolve("ready");
            Proc.Running usernet = UsernetProcess.start(jnet.dist(), user, ready, null,
                    "--configure", "--mtu=65520", "--macaddress", "02:11:22:33:44:55", "-r", "3",
                    Long.toString(guest.pid()), "tap0");
            assertThat(UsernetProcess.awaitReady(ready, usernet, READY_WAIT))
                    .as("ready; %s", usernet.process().isAlive() ? "running" : usernet.await(EXIT_WAIT).describe())
                    .isTrue();

            Map<String, Object> tap = single(guest.inside("ip", "-j", "addr", "show", "dev", "tap0"));
            assertThat((List<Object>) tap.get("flags")).contains("UP", "LOWER_UP");
            assertThat(tap.get("mtu")).isEqualTo(65520L);
            assertThat(tap.get("address")).isEqualTo("02:11:22:33:44:55");
            Map<?, ?> v4 = ((List<?>) tap.get("addr_info")).stream().map(a -> (Map<?, ?>) a)
                    .filter(a -> "inet".equals(a.get("family"))).findFirst().orElseThrow();
            assertThat(v4.get("local")).isEqualTo("10.0.2.100");
            assertThat(v4.get("prefixlen")).isEqualTo(24L);
            assertThat(v4.get("broadcast")).isEqualTo("10.0.2.255");
            Map<String, Object> lo = single(guest.inside("ip", "-j", "link", "show", "dev", "lo"));
            assertThat((List<Object>) lo.get("flags")).contains("UP");

            Proc.Result route = guest.insideOk("ip", "route");
            assertThat(route.stdoutLines()).as(route.describe()).containsExactly(
                    "default via 10.0.2.2 dev tap0 ",
                    "10.0.2.0/24 dev tap0 proto kernel scope link src 10.0.2.100 ");

            Proc.Result ping = guest.inside("ping", "-c", "3", "-i", "0.2", "-W", "5", "10.0.2.2");
            assertThat(ping.exit()).as(ping.describe()).isZero();
            assertThat(ping.stdout()).contains("3 received");
            Proc.Result neigh = guest.insideOk("ip", "neigh", "show", "10.0.2.2");
            assertThat(neigh.stdout()).as(neigh.describe()).contains("lladdr 52:55:0a:00:02:02");

            usernet.process().destroy(); // SIGTERM, as podman and rootlesskit stop it
            Proc.Result end = usernet.await(EXIT_WAIT);
            assertThat(end.exit()).as(end.describe()).isZero();
            assertThat(end.stderr()).as(end.describe()).isEmpty();
            assertThat(user.ourProcesses()).as("no helper left").isEmpty();
            // the tap was the process's: it went with it
            assertThat(guest.insideOk("ip", "-o", "link").stdout()).doesNotContain("tap0");
        }
    }

    @Test
    void theSameLinkAsSlirp4netnsConfigures(JnetCli jnet, TestUser user) throws Exception {
        assumeTrue(Proc.run("sh", "-c", "command -v slirp4netns").exit() == 0, "slirp4netns is not installed");
        String ours;
        String theirs;
        try (Guest guest = Guest.start(user)) {
            Path ready = user.runtimeDir().resolve("ready");
            Proc.Running usernet = UsernetProcess.start(jnet.dist(), user, ready, null, "-c", "--cidr", "192.0.2.0/25",
                    "-r", "3", Long.toString(guest.pid()), "tap1");
            assertThat(UsernetProcess.awaitReady(ready, usernet, READY_WAIT)).isTrue();
            ours = linkState(guest, "tap1");
            usernet.process().destroy();
            assertThat(usernet.await(EXIT_WAIT).exit()).isZero();
        }
        try (Guest guest = Guest.start(user)) {
            Path ready = user.runtimeDir().resolve("ready-slirp");
            Proc.Running slirp = Proc.start(user.wrap(List.of("env", "READY=" + ready, "sh", "-c",
                    "exec slirp4netns \"$@\" 3>\"$READY\"", "sh", "-c", "--cidr", "192.0.2.0/25", "-r", "3",
                    Long.toString(guest.pid()), "tap1")), null);
            assertThat(UsernetProcess.awaitReady(ready, slirp, READY_WAIT)).isTrue();
            theirs = linkState(guest, "tap1");
            slirp.process().destroy();
            slirp.await(EXIT_WAIT);
        }
        assertThat(ours).isEqualTo(theirs);
    }

    /** Addresses and routes as ip prints them, without what differs by chance (MACs, IPv6 link-local). */
    private static String linkState(Guest guest, String tap) {
        Proc.Result addr = guest.inside("ip", "-4", "-o", "addr", "show", "dev", tap);
        Proc.Result route = guest.inside("ip", "-d", "route");
        Proc.Result lo = guest.inside("ip", "-4", "-o", "addr", "show", "dev", "lo");
        Proc.Result mtu = guest.inside("ip", "-j", "link", "show", "dev", tap);
        for (Proc.Result r : List.of(addr, route, lo, mtu)) {
            assertThat(r.exit()).as(r.describe()).isZero();
        }
        assertThat(addr.stdout()).as(addr.describe()).contains("inet 192.0.2.100/25 brd 192.0.2.127");
        Map<String, Object> link = single(mtu);
        return addr.stdout() + route.stdout() + lo.stdout() + "mtu " + link.get("mtu") + " " + link.get("operstate");
    }

    @Test
    void exitFdEndOfFileEndsItWithStatusZero(JnetCli jnet, TestUser user) throws Exception {
        Path fifo = user.runtimeDir().resolve("exit.fifo");
        assertThat(Proc.run("mkfifo", "-m", "600", fifo.toString()).exit()).isZero();
        UserPrincipalLookupService users = fifo.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(fifo, users.lookupPrincipalByName(user.name()));
        try (Guest guest = Guest.start(user); RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw")) {
            Path ready = user.runtimeDir().resolve("ready");
            Proc.Running usernet = UsernetProcess.start(jnet.dist(), user, ready, fifo, "-c", "-e", "4", "-r", "3",
                    Long.toString(guest.pid()));
            assertThat(UsernetProcess.awaitReady(ready, usernet, READY_WAIT)).isTrue();
            assertThat(usernet.process().isAlive()).isTrue();
            writer.close(); // the last writer goes: end of file on the exit fd
            Proc.Result end = usernet.await(EXIT_WAIT);
            assertThat(end.exit()).as(end.describe()).isZero();
            assertThat(end.stderr()).isEmpty();
            assertThat(user.ourProcesses()).isEmpty();
        }
    }

    @Test
    void theGuestsEndEndsItWithStatusZero(JnetCli jnet, TestUser user) throws Exception {
        Proc.Running usernet;
        Path ready = user.runtimeDir().resolve("ready");
        try (Guest guest = Guest.start(user)) {
            usernet = UsernetProcess.start(jnet.dist(), user, ready, null, "-c", "-r", "3", Long.toString(guest.pid()));
            assertThat(UsernetProcess.awaitReady(ready, usernet, READY_WAIT)).isTrue();
        } // the guest is killed here
        Proc.Result end = usernet.await(EXIT_WAIT);
        assertThat(end.exit()).as(end.describe()).isZero();
        assertThat(end.stderr()).isEmpty();
    }

    @Test
    void netnsTypePathWithUsernsPathAsRootlesskitPassesIt(JnetCli jnet, TestUser user) throws Exception {
        try (Guest guest = Guest.start(user)) {
            Path ns = Path.of("/proc", Long.toString(guest.pid()), "ns");
            Path ready = user.runtimeDir().resolve("ready");
            Proc.Running usernet = UsernetProcess.start(jnet.dist(), user, ready, null, "-c", "-r", "3",
                    "--userns-path=" + ns.resolve("user"), "--netns-type=path", ns.resolve("net").toString(), "tap0");
            assertThat(UsernetProcess.awaitReady(ready, usernet, READY_WAIT)).isTrue();
            Proc.Result ping = guest.inside("ping", "-c", "1", "-W", "5", "10.0.2.2");
            assertThat(ping.exit()).as(ping.describe()).isZero();
            usernet.process().destroy();
            Proc.Result end = usernet.await(EXIT_WAIT);
            assertThat(end.exit()).as(end.describe()).isZero();
        }
    }

    @Test
    void withoutConfigureAttachesToTheTapTheRuntimeMadeAsItIs(JnetCli jnet, TestUser user) throws Exception {
        try (Guest guest = Guest.start(user)) {
            // what rootlesskit's PrepareTap does before starting slirp4netns without -c
            for (String[] step : new String[][] {{"ip", "tuntap", "add", "pre0", "mode", "tap"},
                    {"ip", "link", "set", "pre0", "up"}, {"ip", "addr", "add", "10.0.2.100/24", "dev", "pre0"}}) {
                Proc.Result r = guest.inside(step);
                assertThat(r.exit()).as(r.describe()).isZero();
            }
            Path ready = user.runtimeDir().resolve("ready");
            Proc.Running usernet = UsernetProcess.start(jnet.dist(), user, ready, null, "-r", "3",
                    Long.toString(guest.pid()), "pre0");
            assertThat(UsernetProcess.awaitReady(ready, usernet, READY_WAIT)).isTrue();
            Proc.Result route = guest.insideOk("ip", "route");
            assertThat(route.stdout()).as("no route added without -c").doesNotContain("default");
            Proc.Result ping = guest.inside("ping", "-c", "2", "-i", "0.2", "-W", "5", "10.0.2.2");
            assertThat(ping.exit()).as(ping.describe()).isZero();
            usernet.process().destroy();
            assertThat(usernet.await(EXIT_WAIT).exit()).isZero();
            assertThat(guest.inside("ip", "-o", "link", "show", "pre0").stdout())
                    .as("a persistent tap stays when usernet goes").contains("pre0");
        }
    }

    private static Map<String, Object> single(Proc.Result r) {
        assertThat(r.exit()).as(r.describe()).isZero();
        List<?> list = (List<?>) JsonReader.parse(r.stdout());
        assertThat(list).as(r.describe()).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) list.get(0);
        return m;
    }
}
