package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import dev.jnet.usernet.FlowInfo;
import dev.jnet.usernet.api.ApiClient;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's API additions against the running program: {@code list_connections} shows the
 * guest's open download from the fake internet with byte counts that grow, {@code get_stats}
 * the counters, and {@code jnet usernet top} prints the flow.
 */
@UsernetTest
class UsernetFlowsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void listConnectionsShowsAnOpenDownloadWithGrowingByteCounts(UsernetSandbox net) throws Exception {
        assumeTrue(net.binary().isJnet(), "list_connections is jnet's: " + net.binary().description());
        Path dir = net.workDir().resolve("api-flows");
        if (!Files.exists(dir)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setOwner(dir, FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(TestUser.configuredName()));
        }
        Path socket = dir.resolve("api.sock");
        net.restartUsernet(List.of("--api-socket", socket.toString()));
        ApiClient api = new ApiClient(socket);
        // a slow download (curl's rate limit) stays open long enough to be looked at twice
        Proc.Result bg = net.guestShell(Duration.ofSeconds(10), "curl -s --limit-rate 100k --max-time 60 -o /dev/null "
                + "'http://" + FakeInternet.WEB_ADDRESS + FakeWebServer.DOWNLOAD_PATH + "?bytes=50000000' "
                + "</dev/null >/dev/null 2>&1 & echo $!");
        assertThat(bg.exit()).as(bg.describe()).isZero();
        String curlPid = bg.stdout().strip();
        try {
            FlowInfo first = awaitDownload(api, 0);
            assertThat(first.guestAddr()).isEqualTo(UsernetSandbox.GUEST_ADDRESS);
            assertThat(first.state()).isEqualTo("ESTABLISHED");
            assertThat(first.packetsFromGuest()).isPositive();
            assertThat(first.packetsToGuest()).isPositive();
            assertThat(first.bytesFromGuest()).as("the GET request").isPositive();
            FlowInfo later = awaitDownload(api, first.bytesToGuest() + 50_000);
            assertThat(later.guestPort()).isEqualTo(first.guestPort());
            assertThat(later.bytesToGuest()).isGreaterThan(first.bytesToGuest());
            assertThat(later.packetsToGuest()).isGreaterThan(first.packetsToGuest());
            assertThat(later.ageMillis()).isGreaterThanOrEqualTo(first.ageMillis());

            Map<String, Long> stats = api.getStats();
            assertThat(stats.get("tcp_connections")).isPositive();
            assertThat(stats.get("link_frames_in")).isPositive();
            assertThat(stats.get("fds_open")).isPositive();
            assertThat(stats.get("rss_bytes")).isGreaterThan(1L << 20);
            assertThat(stats).containsKeys("ipv6_delivered", "udp6_flows", "direct_memory", "fd_limit", "dns6_flows", "tcp_send_buffered", "heap_used_bytes");

            List<String> top = new ArrayList<>(net.binary().command());
            // ten looks a second apart: the rate-limited curl reads in bursts (the guest sends a window
            // update only once about two 64 KiB segments are free), and with TSO super-packets the guest
            // takes ~1 MiB at once and then nothing while curl drains it at 100 KiB/s, so several looks in a
            // row may see none and the one that sees the burst may say MiB/s
            top.addAll(List.of("top", "-b", "-n", "10", "-d", "1", socket.toString()));
            Proc.Result shown = Proc.run(WAIT, top);
            assertThat(shown.exit()).as(shown.describe()).isZero();
            assertThat(shown.stdout()).contains("PROTO", "tcp   " + UsernetSandbox.GUEST_ADDRESS + ":" + first.guestPort(),
                    FakeInternet.WEB_ADDRESS + ":80", "ESTABLISHED").containsPattern("[1-9][0-9.]* [KM]iB/s");
        } finally {
            net.guest("kill", curlPid);
        }
    }

    /** The guest's download flow once it has sent more than {@code atLeast} bytes to the guest. */
    private static FlowInfo awaitDownload(ApiClient api, long atLeast) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        List<FlowInfo> last = List.of();
        while (System.nanoTime() < deadline) {
            last = api.listConnections();
            Optional<FlowInfo> f = last.stream().filter(c -> c.proto().equals("tcp")
                    && c.remoteAddr().equals(FakeInternet.WEB_ADDRESS) && c.remotePort() == FakeInternet.HTTP_PORT
                    && c.bytesToGuest() > atLeast).findFirst();
            if (f.isPresent()) {
                return f.get();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no download flow past " + atLeast + " bytes in " + last);
    }
}
