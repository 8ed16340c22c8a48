package dev.jnet.it.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.it.TestUser;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Bad input to {@code jnet usernet}, rootless: one line on stderr naming the problem, status 1
 * (slirp4netns's), and nothing left running (the JVM exited, no jnet-helper survives) nor
 * made (no tap in the guest).
 */
@RequiresRoot(testUser = true)
@JnetIntegrationTest
class UsernetBadInputTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Proc.Result usernet(JnetCli jnet, TestUser user, String... args) {
        Proc.Result r = UsernetProcess.start(jnet.dist(), user, null, null, args).await(WAIT);
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderrLines()).as(r.describe()).hasSize(1);
        assertThat(user.ourProcesses()).as("no helper left").isEmpty();
        return r;
    }

    @Test
    void missingPid(JnetCli jnet, TestUser user) {
        assertThat(usernet(jnet, user, "-c").stderr())
                .isEqualTo("jnet usernet: missing PID|PATH (try \"jnet usernet --help\")\n");
        assertThat(usernet(jnet, user, "-c", "not-a-pid", "tap0").stderr())
                .isEqualTo("jnet usernet: PID must be a positive integer\n");
    }

    @Test
    void aPidThatIsGoneOrWhoseNamespacesAreNotOurs(JnetCli jnet, TestUser user) {
        assertThat(usernet(jnet, user, "-c", "2147483646", "tap0").stderr())
                .isEqualTo("jnet usernet: no process with PID 2147483646\n");
        // pid 1 is root's: the kernel lets the test user neither read nor enter its namespaces
        assertThat(usernet(jnet, user, "-c", "1", "tap0").stderr())
                .isEqualTo("jnet usernet: Cannot open user namespace \"/proc/1/ns/user\": Permission denied\n");
        assertThat(usernet(jnet, user, "--netns-type=path", "/nonexistent/netns", "tap0").stderr())
                .isEqualTo("jnet usernet: existing path expected when --netns-type=path: /nonexistent/netns\n");
    }

    @Test
    void badCidrMtuMacAndUnsupportedFlags(JnetCli jnet, TestUser user) throws Exception {
        try (Guest guest = Guest.start(user)) {
            String pid = Long.toString(guest.pid());
            assertThat(usernet(jnet, user, "-c", "--cidr", "10.0.2.0/33", pid).stderr())
                    .isEqualTo("jnet usernet: prefix length needs to be 1-25\n");
            assertThat(usernet(jnet, user, "-c", "--cidr", "10.0.2.1/24", pid).stderr()).isEqualTo(
                    "jnet usernet: CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24\n");
            assertThat(usernet(jnet, user, "-c", "--cidr", "banana", pid).stderr())
                    .isEqualTo("jnet usernet: invalid CIDR: banana\n");
            assertThat(usernet(jnet, user, "-c", "--mtu", "65522", pid).stderr())
                    .isEqualTo("jnet usernet: MTU must be from 68 to 65521: 65522\n");
            assertThat(usernet(jnet, user, "-c", "-m", "x", pid).stderr())
                    .isEqualTo("jnet usernet: MTU must be a positive integer (< 65522)\n");
            assertThat(usernet(jnet, user, "--macaddress", "02:00:00:00:00:01", pid).stderr()).isEqualTo(
                    "jnet usernet: --macaddress cannot be specified when --configure or -c is not specified\n");
            assertThat(usernet(jnet, user, "-c", "--enable-ipv6", "--mtu", "1279", pid).stderr())
                    .isEqualTo("jnet usernet: IPv6 needs an MTU of at least 1280, not 1279\n");
            assertThat(usernet(jnet, user, "-c", "-6", "--cidr6", "fd00::/48", pid).stderr())
                    .isEqualTo("jnet usernet: IPv6 prefix length needs to be 64 (SLAAC), not 48\n");
            assertThat(usernet(jnet, user, "-c", "--api-socket", "/nonexistent/x.sock", pid).stderr())
                    .isEqualTo("jnet usernet: API socket /nonexistent/x.sock: no directory /nonexistent\n");
            assertThat(usernet(jnet, user, "-c", "--frobnicate", pid).stderr())
                    .isEqualTo("Unknown option: '--frobnicate' (try \"jnet usernet --help\")\n");
            assertThat(guest.insideOk("ip", "-o", "link").stdoutLines()).as("nothing made in the guest").hasSize(1);
        }
    }

    @Test
    void aTapNameTakenByAnotherUsernetIsEbusyAndTheFirstKeepsWorking(JnetCli jnet, TestUser user) throws Exception {
        try (Guest guest = Guest.start(user)) {
            String pid = Long.toString(guest.pid());
            Path ready = user.runtimeDir().resolve("ready");
            Proc.Running first = UsernetProcess.start(jnet.dist(), user, ready, null, "-c", "-r", "3", pid, "tap0");
            assertThat(UsernetProcess.awaitReady(ready, first, WAIT)).isTrue();

            Proc.Result second = UsernetProcess.start(jnet.dist(), user, null, null, "-c", pid, "tap0").await(WAIT);
            assertThat(second.exit()).as(second.describe()).isEqualTo(1);
            assertThat(second.stderr()).isEqualTo(
                    "jnet usernet: ioctl(TUNSETIFF) for \"tap0\": Device or resource busy\n");

            Proc.Result ping = guest.inside("ping", "-c", "1", "-W", "5", "10.0.2.2");
            assertThat(ping.exit()).as("the first still serves: " + ping.describe()).isZero();
            first.process().destroy();
            assertThat(first.await(WAIT).exit()).isZero();
            assertThat(user.ourProcesses()).isEmpty();
        }
    }
}
