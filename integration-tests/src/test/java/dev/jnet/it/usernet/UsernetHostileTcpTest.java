package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, points 2 and 5: a guest that speaks TCP by hand (guest-client.py's raw-hold and
 * raw-mss: a packet socket on tap0, from an address of the subnet its kernel does not own, so
 * its kernel never interferes). 700 connections that announce a 1 GiB window and never
 * acknowledge a byte of a 16 MiB download must not grow usernet beyond 256 MB of RSS, and a curl
 * meanwhile still completes; a guest announcing MSS 1 is sent segments of a sane size, not
 * 1-byte ones (jnet floors the MSS at 536; libslirp at 32). Scale: {@code -Djnet.it.hostile=N}.
 */
@UsernetTest
class UsernetHostileTcpTest {
    private static final int CONNECTIONS = Integer.getInteger("jnet.it.hostile", 700);
    private static final String RAW_SOURCE = "10.0.2.101";
    private static final long RSS_LIMIT_KIB = 256 * 1024;
    private static final int JNET_MSS_FLOOR = 536;

    @Test
    void neverAcknowledgingHugeWindowsKeepRssBoundedAndOtherFlowsServed(UsernetSandbox net) throws Exception {
        net.restartUsernet(List.of());
        long rssBefore = net.usernetRssKib();
        long pid = net.usernetPid();
        AtomicLong peak = new AtomicLong(rssBefore);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    peak.accumulateAndGet(ProcStatus.of(pid).kib("VmRSS"), Math::max);
                    Thread.sleep(100);
                } catch (InterruptedException | RuntimeException e) {
                    return;
                }
            }
        }, "rss-sampler");
        sampler.start();
        Proc.Result r;
        try {
            r = net.guestClient(Duration.ofSeconds(150), "raw-hold", RAW_SOURCE, UsernetSandbox.GATEWAY,
                    FakeInternet.WEB_ADDRESS, Integer.toString(FakeInternet.SOURCE_PORT), Integer.toString(CONNECTIONS),
                    "/", "20", "/bin/bash", "-c", "set -o pipefail; curl -sSf --max-time 60 'http://"
                            + FakeInternet.WEB_NAME + FakeWebServer.DOWNLOAD_PATH + "?bytes=1048576' | sha256sum");
        } finally {
            sampler.interrupt();
            sampler.join(5_000);
        }
        Map<String, String> out = GuestOutput.fields(r);
        long hwm = ProcStatus.of(pid).kib("VmHWM");
        System.out.printf("%d never-acknowledging connections: %s; usernet RSS before %d KiB, peak sampled %d KiB,"
                + " VmHWM %d KiB%n", CONNECTIONS, out, rssBefore, peak.get(), hwm);
        assertThat(r.exit()).as(r.describe() + net.usernetLog()).isZero();
        assertThat(Integer.parseInt(out.get("established"))).as("%s", out).isEqualTo(CONNECTIONS);
        assertThat(peak.get()).as("usernet's RSS while the guest holds them").isLessThan(RSS_LIMIT_KIB);
        assertThat(net.usernetAlive()).isTrue();
        if (!net.runsJnet() && !"0".equals(out.get("during_exit"))) {
            // seen with slirp4netns 1.2: the curl's name lookup failed while the connections were held
            Assumptions.abort(net.binary().description() + " does not serve another flow while "
                    + CONNECTIONS + " never-acknowledging connections are held (curl exit " + out.get("during_exit")
                    + ": " + r.stderr().strip() + "); its RSS stayed at " + peak.get() + " KiB");
        }
        assertThat(out.get("during_exit")).as("curl while they are held: " + r.describe()).isEqualTo("0");
        assertThat(r.stdout()).contains(FakeInternet.downloadSha256(1 << 20) + " ");
        if (net.runsJnet()) {
            Map<String, Long> stats = net.usernetStats().orElseThrow();
            System.out.println("stats: " + stats);
            assertThat(hwm).as("usernet's peak RSS (VmHWM)").isLessThan(RSS_LIMIT_KIB);
            assertThat(stats.get("handler_errors")).isZero();
            assertThat(stats.get("direct_memory")).as("%s", stats).isLessThan(RSS_LIMIT_KIB * 1024);
        }
        Proc.Result again = net.guestShell(Duration.ofSeconds(60), "curl -sSf --max-time 50 'http://"
                + FakeInternet.WEB_NAME + FakeWebServer.DOWNLOAD_PATH + "?bytes=65536' | sha256sum");
        assertThat(again.stdout()).as(again.describe()).startsWith(FakeInternet.downloadSha256(65536) + " ");
    }

    @Test
    void aGuestAnnouncingMssOneIsSentSegmentsOfAtLeastTheFloor(UsernetSandbox net) {
        net.ensureDefaultUsernet();
        int want = 64 * 1024;
        Proc.Result r = net.guestClient(Duration.ofSeconds(60), "raw-mss", RAW_SOURCE, UsernetSandbox.GATEWAY,
                FakeInternet.WEB_ADDRESS, Integer.toString(FakeInternet.HTTP_PORT), "1",
                FakeWebServer.DOWNLOAD_PATH + "?bytes=" + want, Integer.toString(want));
        Map<String, String> out = GuestOutput.fields(r);
        System.out.println("MSS 1 announced: " + out);
        assertThat(r.exit()).as(r.describe() + net.usernetLog()).isZero();
        assertThat(out.get("established")).as(r.describe()).isEqualTo("1");
        long received = Long.parseLong(out.get("received"));
        long segments = Long.parseLong(out.get("segments"));
        int max = Integer.parseInt(out.get("max_payload"));
        assertThat(received).as("%s", out).isGreaterThanOrEqualTo(want);
        assertThat(max).as("largest segment: the MSS is clamped, not 1").isGreaterThan(1);
        assertThat(segments).as("segments for %d bytes", received).isLessThan(received / 16);
        if (net.runsJnet()) {
            // segments of exactly the floor: larger would ignore what the guest asked for. With TCP
            // segmentation offload on the tap the stack hands over super-packets whose gso_size is the
            // floor; the guest's kernel takes them whole (as after GRO), so a raw socket there sees
            // whole multiples of the floor, never a segment size of its own
            assertThat(max).as("jnet's MSS floor").isGreaterThanOrEqualTo(JNET_MSS_FLOOR);
            assertThat(max % JNET_MSS_FLOOR).as("largest payload %d: whole segments of the floor", max).isZero();
            assertThat(segments).isLessThanOrEqualTo(received / JNET_MSS_FLOOR + 16);
        }
    }
}
