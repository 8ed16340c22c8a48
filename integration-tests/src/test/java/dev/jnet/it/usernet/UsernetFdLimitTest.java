package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: a guest that opens more connections than usernet has file descriptors. With the
 * stack process held to 1024 fds (started under {@code prlimit --nofile=1024:1024}), the
 * guest opens 1100 connections to the fake internet's echo server and holds them: the ones
 * that find no fd are refused (jnet: its TCP table is sized to the limit less 256 fds, a SYN
 * beyond it gets a RST), the process lives on, and within 10 s of the guest letting go
 * a curl works again; SIGTERM still ends it within 5 s. Before the fix the event loop thread
 * died of the EMFILE and the guest had no network until the process was killed.
 */
@UsernetTest
class UsernetFdLimitTest {
    private static final int LIMIT = 1024;
    private static final int CONNECTIONS = 1100;
    /** fds jnet keeps out of its tables (usernet's HostTables.HEADROOM). */
    private static final int TABLE_HEADROOM = 256;

    @Test
    void moreConnectionsThanFdsAreRefusedAndServiceResumes(UsernetSandbox net) {
        net.restartUsernet(UsernetSandbox.DEFAULT_MTU, List.of(), List.of(), new UsernetSandbox.Launch(
                List.of("prlimit", "--nofile=" + LIMIT + ":" + LIMIT, "--"), false));
        assertThat(limit(net.usernetPid())).as("usernet's fd limit").isEqualTo(LIMIT);
        if (net.binary().isDaemon()) {
            // the limit is per process: through the front end it is the daemon's, so the test's
            // front end starts a daemon of its own (own runtime dir) that inherits prlimit's limit
            assertThat(limit(net.stackPid())).as("jnet usernetd's fd limit").isEqualTo(LIMIT);
        }

        Proc.Result hold = net.guestClient(Duration.ofSeconds(90), "hold", FakeInternet.WEB_ADDRESS,
                Integer.toString(FakeInternet.ECHO_PORT), Integer.toString(CONNECTIONS), "2", "30");
        assertThat(hold.exit()).as(hold.describe() + net.usernetLog()).isZero();
        Map<String, String> held = GuestOutput.fields(hold);
        System.out.println("fd limit " + LIMIT + ", " + CONNECTIONS + " connections: " + held);
        assertThat(net.usernetAlive()).as("usernet alive; log:\n%s", net.usernetLog()).isTrue();
        assertThat(Long.parseLong(held.get("alive"))).as("%s", held).isLessThan(CONNECTIONS);
        if (net.runsJnet()) {
            // the TCP table is sized to the fd limit: the rest are refused (RST to the SYN, or, for
            // a half-open entry a burst of SYNs evicted, to its ACK), none left hanging
            assertThat(held.get("pending")).as("%s", held).isEqualTo("0");
            assertThat(Long.parseLong(held.get("alive"))).as("%s", held).isLessThanOrEqualTo(LIMIT - TABLE_HEADROOM);
            assertThat(held.get("errors") + held.get("lost")).as("%s", held).containsAnyOf("ECONNREFUSED", "ECONNRESET");
        }

        // the guest has let go: service resumes as the fds free
        long start = System.nanoTime();
        Proc.Result curl = net.guestShell(Duration.ofSeconds(40), "while [ $SECONDS -lt 15 ]; do out=$(curl -sSf --max-time 2 'http://"
                + FakeInternet.WEB_NAME + FakeWebServer.DOWNLOAD_PATH
                + "?bytes=65536' | sha256sum) && { echo \"$out\"; exit 0; }; sleep 0.5; done; exit 1");
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("curl worked again after %.1f s%n", seconds);
        assertThat(curl.exit()).as(curl.describe() + net.usernetLog()).isZero();
        assertThat(curl.stdout()).startsWith(FakeInternet.downloadSha256(65536) + " ");
        assertThat(seconds).as("curl works again within 10 s").isLessThan(10);
        if (net.binary().isJnet()) {
            Map<String, Long> stats = net.usernetStats().orElseThrow();
            System.out.println("stats: " + stats);
            assertThat(stats.get("handler_errors")).isZero();
            assertThat(stats.get("fd_limit")).isEqualTo(LIMIT);
            assertThat(stats.get("fds_open")).isBetween(1L, (long) LIMIT - TABLE_HEADROOM);
        }

        long t0 = System.nanoTime();
        int status = net.stopUsernet();
        double stopSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("SIGTERM ended usernet in %.2f s, status %d%n", stopSeconds, status);
        assertThat(status).as("exit status after SIGTERM (-1: it had to be killed)").isNotEqualTo(-1);
        assertThat(stopSeconds).as("SIGTERM ends usernet within 5 s").isLessThan(5);
        net.restartUsernet(List.of());
    }

    /** The soft RLIMIT_NOFILE of process {@code pid} (its "Max open files" in /proc/PID/limits). */
    private static long limit(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring("Max open files".length()).strip().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no Max open files in /proc/" + pid + "/limits");
    }
}
