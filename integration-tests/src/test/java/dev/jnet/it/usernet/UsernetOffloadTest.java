package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's offload lever: at MTU 1500 the tap carries virtio-net headers with checksum and
 * TCP segmentation offload, so the guest's kernel hands over TCP super-packets above its MTU
 * (GSO, partial checksums) and takes ours whole. 64 MiB down and 64 MiB up arrive intact
 * (SHA-256), and jnet's counters show super-packets both ways. A foreign binary (slirp4netns)
 * must pass the same transfer; it has no counters, so that part is skipped for it.
 */
@UsernetTest
class UsernetOffloadTest {
    private static final int MTU = 1500;

    @Test
    void atMtu1500TheGuestSendsAndTakesTcpSuperPacketsAndTransfersArriveIntact(UsernetSandbox net) {
        net.restartUsernet(MTU, List.of());
        Proc.Result link = net.guest("ip", "-o", "link", "show", "dev", UsernetProcess.TAP);
        assertThat(link.stdout()).as(link.describe()).contains(" mtu " + MTU + " ");

        UsernetInternetTest.sixtyFourMegabytesDownAndUp(net);

        Optional<Map<String, Long>> stats = net.usernetStats();
        Assumptions.assumeTrue(stats.isPresent(), "the transfer passed; super-packet counters are jnet's: "
                + net.binary().description());
        Map<String, Long> s = stats.get();
        // 64 MiB up in MTU-sized frames would be ~46000 frames; with TSO the guest's kernel sends
        // up to 64 KiB at once
        assertThat(s.get("super_packets_received")).as("GSO frames from the guest %s", s).isGreaterThan(100);
        assertThat(s.get("super_packets_sent")).as("GSO frames to the guest %s", s).isGreaterThan(100);
        assertThat(s.get("fragments_sent")).as("TCP is never IP-fragmented %s", s).isZero();
        assertThat(s.get("frames_received")).as("far fewer frames than 1500-byte ones would take %s", s)
                .isLessThan(64L * 1024 * 1024 / 1448);
    }

    @Test
    void withOffloadsOffTheSameTransferGoesInMtuSizedFrames(UsernetSandbox net) {
        Assumptions.assumeTrue(net.binary().isJnet(), "jnet.usernet.offload is jnet's: " + net.binary().description());
        Assumptions.assumeFalse(net.binary().description().contains("=" + UsernetBinary.DAEMON + " "),
                "one usernetd JVM serves every namespace: a run's JVM option does not reach it");
        net.restartUsernet(MTU, List.of(), List.of("-Djnet.usernet.offload=false"));
        UsernetInternetTest.sixtyFourMegabytesDownAndUp(net);
        Map<String, Long> s = net.usernetStats().orElseThrow();
        assertThat(s.get("super_packets_received")).as("%s", s).isZero();
        assertThat(s.get("super_packets_sent")).as("%s", s).isZero();
    }
}
