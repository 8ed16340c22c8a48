package dev.jnet.usernet.tcp;

import static dev.jnet.usernet.tcp.TcpHarness.MS;
import static dev.jnet.usernet.tcp.TcpHarness.REMOTE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.ManualScheduler;
import dev.jnet.usernet.Stack;
import dev.jnet.usernet.StackStats;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.link.FaultInjector;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Transfers both ways through a whole {@link Stack} (Ethernet in, the real TcpStack, a fake host
 * side) behind a {@link FaultInjector} that drops, duplicates, reorders, corrupts and delays 5% of
 * the frames each way, on a virtual clock: every byte arrives, in order, with the right SHA-256;
 * corrupted frames are caught by checksums on both sides; nothing stays behind.
 * Size: {@code -Djnet.test.faults.bytes=N} (default 2 MiB each way).
 */
class FaultyLinkTransferTest {
    private static final int SIZE = Integer.getInteger("jnet.test.faults.bytes", 2 << 20);

    @ParameterizedTest(name = "seed {0}, {1} of each fault, mtu {2}")
    @CsvSource({"11, 0.05, 1500", "12, 0.05, 9000", "13, 0.05, 65520"})
    void bothDirectionsArriveIntactThroughFaults(long seed, double rate, int mtu) throws Exception {
        UsernetConfig config = UsernetConfig.defaults().withMtu(mtu);
        ManualScheduler scheduler = new ManualScheduler();
        FaultInjector faults = new FaultInjector(new FaultInjector.Config(seed,
                FaultInjector.Faults.uniform(rate, 20 * MS), FaultInjector.Faults.uniform(rate, 20 * MS)), scheduler);
        TcpHarness h = new TcpHarness(config, TcpLimits.defaults(), seed, scheduler, faults::stackToGuest);
        h.logging = false;
        Stack stack = new Stack(config, scheduler, h.out, h.stack, h.stack::connectionCount, null, null);
        h.frames = faults.guestToStack(stack);

        GuestTcp g = h.guest(42000, REMOTE, 80);
        g.mss = Math.min(mtu, 65535) - 40;
        g.maxInFlight = 256 * 1024;
        g.connect();
        assertThat(h.runUntil(() -> h.connector.last() != null, 60_000 * MS)).as("SYN through the faults").isTrue();
        FakeHostConnector.FakeHost host = h.connector.last();
        host.accept();
        assertThat(h.runUntil(() -> g.established, 60_000 * MS)).as("handshake through the faults").isTrue();

        byte[] up = TcpTransferTest.randomBytes(SIZE, seed * 31);
        byte[] down = TcpTransferTest.randomBytes(SIZE, seed * 37);
        g.send(up, true);
        host.send(down, true);
        boolean done = h.runUntil(() -> g.finReceived && g.finAcked && host.outputShutdown
                && host.written.size() == SIZE, 3_600_000 * MS);
        assertThat(done).as("transfer incomplete: guest got %d, host got %d, faults %s / %s",
                g.received.size(), host.written.size(), faults.toStackCounters(), faults.toGuestCounters()).isTrue();
        assertThat(sha256(host.writtenBytes())).as("guest -> host").isEqualTo(sha256(up));
        assertThat(sha256(g.received.toByteArray())).as("host -> guest").isEqualTo(sha256(down));

        FaultInjector.Counters in = faults.toStackCounters();
        FaultInjector.Counters out = faults.toGuestCounters();
        for (FaultInjector.Counters c : new FaultInjector.Counters[] {in, out}) {
            assertThat(c.dropped()).as("%s", c).isPositive();
            assertThat(c.duplicated()).as("%s", c).isPositive();
            assertThat(c.reordered()).as("%s", c).isPositive();
            assertThat(c.corrupted()).as("%s", c).isPositive();
            assertThat(c.delayed()).as("%s", c).isPositive();
        }
        StackStats s = stack.stats();
        assertThat(s.handlerErrors()).as("%s", stack.lastHandlerError()).isZero();
        assertThat(h.badChecksums).as("corrupted frames the guest caught").isPositive();

        assertThat(h.runUntil(() -> h.stack.connectionCount() == 0, 60_000 * MS)).as("connection left").isTrue();
        faults.close();
        stack.close();
        assertThat(h.stack.openHostSockets()).isZero();
        assertThat(h.connector.leakedBuffers()).as("host reads still referenced").isZero();
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
