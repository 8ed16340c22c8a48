package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 7: 1000 guest connections open at once all complete (each echoes its bytes intact);
 * afterwards usernet's fds are back to the baseline, its tables are empty and its RSS stays
 * under {@link #RSS_LIMIT_MIB}: the target after 4000 connections is 96 MB; this bound
 * leaves room for the JVM's heap growth and Netty's pooled arenas on a CI machine, and is
 * still an order of magnitude below what an unbounded per-connection leak would reach (slirp4netns
 * reaches 1 GB after churn). Scale: {@code -Djnet.it.connections=N}, {@code -Djnet.it.connectionBytes=N}.
 */
@UsernetTest
class UsernetThousandConnectionsTest {
    private static final int CONNECTIONS = Integer.getInteger("jnet.it.connections", 1000);
    private static final int SIZE = Integer.getInteger("jnet.it.connectionBytes", 32 << 10);
    static final long RSS_LIMIT_MIB = 256;

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void aThousandConcurrentConnectionsCompleteAndLeaveNothingBehind(UsernetSandbox net) throws Exception {
        net.restartUsernet(List.of());
        Proc.Result warm = parallel(net, 1);
        assertThat(GuestOutput.fields(warm)).as(warm.describe()).containsEntry("ok", "1");
        Thread.sleep(2_000); // TIME_WAIT of the warm-up connection
        long baseline = net.usernetFdCount();
        net.internet().clear();

        Proc.Result r = parallel(net, CONNECTIONS);
        assertThat(GuestOutput.fields(r)).as("%s\n%s", r.describe(), net.usernetLog())
                .containsEntry("ok", Integer.toString(CONNECTIONS));
        assertThat(net.internet().echo().received()).hasSize(CONNECTIONS);
        assertThat(net.internet().echo().failures()).isEmpty();

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (net.usernetFdCount() > baseline && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long fds = net.usernetFdCount();
        long rssMib = net.usernetRssKib() >> 10;
        System.out.printf("%d connections: usernet fds baseline %d after %d, RSS %d MiB (%s)%n", CONNECTIONS, baseline,
                fds, rssMib, net.binary().description());
        assertThat(fds).as("usernet fds after (baseline %d)", baseline).isLessThanOrEqualTo(baseline);
        assertThat(rssMib).as("usernet RSS in MiB").isLessThan(RSS_LIMIT_MIB);
        if (net.binary().isJnet()) {
            Map<String, Long> stats = net.usernetStats().orElseThrow();
            assertThat(UsernetStats.hostFlows(stats)).as("%s", stats).isZero();
            assertThat(stats.get("handler_errors")).isZero();
        }
    }

    private static Proc.Result parallel(UsernetSandbox net, int count) {
        Proc.Result r = net.guestShell(Duration.ofSeconds(150), "ulimit -n $(ulimit -Hn); exec /usr/bin/python3 "
                + net.workDir().resolve("guest-client.py") + " parallel " + FakeInternet.WEB_ADDRESS + " "
                + FakeInternet.ECHO_PORT + " " + count + " " + SIZE + " 140");
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }
}
