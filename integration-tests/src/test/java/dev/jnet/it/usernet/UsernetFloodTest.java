package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 7: floods from the guest (bounded in count and time, only to the sandbox's fake
 * internet): raw SYNs to many ports, UDP from fresh sockets to many TEST-NET hosts, ICMP echo
 * with many ids. A normal curl succeeds during the flood, and afterwards (SIGUSR1 stats) the
 * TCP, UDP NAT and ICMP tables are within their bounds (the oldest flows evicted) and the fd
 * count is bounded by them. Scale: {@code -Djnet.it.flood=N} (default 6000 of each kind).
 */
@UsernetTest
class UsernetFloodTest {
    private static final int COUNT = Integer.getInteger("jnet.it.flood", 6000);
    // the stack's bounds (TcpLimits.defaults, UdpNat.Limits.DEFAULT, IcmpEchoForwarder.MAX_FLOWS)
    private static final long MAX_TCP = 16384;
    private static final long MAX_UDP = 4096;
    private static final long MAX_ICMP = 256;

    @Test
    void tablesStayBoundedAndTheStackStaysResponsiveDuringFloods(UsernetSandbox net) {
        net.restartUsernet(List.of());
        long baseline = net.usernetFdCount();
        String client = net.workDir().resolve("guest-client.py").toString();
        Proc.Result r = net.guestShell(Duration.ofSeconds(120),
                "out=$(mktemp); /usr/bin/python3 " + client + " flood " + UsernetSandbox.GUEST_ADDRESS + " " + COUNT
                        + " 60 > $out & sleep 1; curl -sSf --max-time 50 'http://" + FakeInternet.WEB_NAME + FakeWebServer.DOWNLOAD_PATH
                        + "?bytes=1048576' | sha256sum; wait $!; cat $out; rm -f $out");
        assertThat(r.exit()).as(r.describe() + net.usernetLog()).isZero();
        assertThat(r.stdout()).as("curl during the flood").contains(FakeInternet.downloadSha256(1 << 20) + " ");
        Map<String, String> sent = new java.util.TreeMap<>(GuestOutput.fields(r));
        sent.keySet().retainAll(List.of("syn", "udp", "icmp"));
        assertThat(Long.parseLong(sent.get("udp"))).as("UDP flows offered (more than the table holds)").isGreaterThan(MAX_UDP);
        assertThat(Long.parseLong(sent.get("icmp"))).as("ICMP flows offered").isGreaterThan(MAX_ICMP);

        long fds = net.usernetFdCount();
        System.out.printf("flood %s: usernet fds baseline %d, after %d%n", sent, baseline, fds);
        assertThat(fds).as("usernet fds (baseline %d)", baseline).isLessThanOrEqualTo(baseline + MAX_UDP + MAX_ICMP + 1024 + 64);
        if (net.binary().isJnet()) {
            Map<String, Long> stats = net.usernetStats().orElseThrow();
            System.out.println("stats after the flood: " + stats);
            assertThat(stats.get("tcp_connections")).as("%s", stats).isLessThanOrEqualTo(MAX_TCP);
            long offered = sent.values().stream().mapToLong(Long::parseLong).sum();
            assertThat(stats.get("frames_received")).as("flood frames that reached the stack (%d sent)", offered)
                    .isGreaterThan(offered * 9 / 10);
            // more distinct flows came than the tables hold: full, not beyond (the oldest were evicted)
            assertThat(stats.get("udp_flows")).as("%s", stats).isEqualTo(MAX_UDP);
            assertThat(stats.get("icmp_flows")).as("%s", stats).isEqualTo(MAX_ICMP);
            assertThat(stats.get("handler_errors")).isZero();
        }
        // still responsive after the flood
        Proc.Result again = net.guestShell(Duration.ofSeconds(60), "curl -sSf --max-time 50 'http://"
                + FakeInternet.WEB_NAME + FakeWebServer.DOWNLOAD_PATH + "?bytes=65536' | sha256sum");
        assertThat(again.stdout()).as(again.describe()).startsWith(FakeInternet.downloadSha256(65536) + " ");
        net.restartUsernet(List.of());
    }
}
