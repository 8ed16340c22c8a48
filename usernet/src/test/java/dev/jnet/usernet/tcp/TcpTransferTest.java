package dev.jnet.usernet.tcp;

import static dev.jnet.usernet.tcp.TcpHarness.MS;
import static dev.jnet.usernet.tcp.TcpHarness.REMOTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.UsernetConfig;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Byte-exact bulk transfer both ways, clean and over an impaired link. */
class TcpTransferTest {

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "seed {0}: loss {1}, duplicate {2}, jitter {3} ms, {4} bytes, mtu {5}, guest keeps ooo {6}")
    @CsvSource({
        "1, 0,    0,    0, 1048576, 1500, true",
        "2, 0.02, 0.01, 3, 2097152, 1500, true",
        "3, 0.05, 0.05, 5, 1048576, 1500, true",
        "4, 0.01, 0.02, 2, 4194304, 1500, true",
        "5, 0.02, 0.01, 3, 2097152, 9000, true",
        "6, 0.02, 0.02, 3, 1048576, 1500, false",
    })
    void bothDirectionsArriveIntact(long seed, double loss, double dup, long jitterMs, int size, int mtu,
            boolean guestKeepsOutOfOrder) {
        TcpHarness h = new TcpHarness(UsernetConfig.defaults().withMtu(mtu), TcpLimits.defaults(), seed);
        GuestTcp g = h.guest(41000, REMOTE, 80);
        g.mss = mtu - 40;
        g.keepOutOfOrder = guestKeepsOutOfOrder;
        g.connect();
        h.run();
        FakeHostConnector.FakeHost host = h.connector.last();
        host.accept();
        h.run();
        assertTrue(g.established);

        h.loss = loss;
        h.duplicate = dup;
        h.maxJitterNanos = jitterMs * MS;
        byte[] up = randomBytes(size, seed * 31);
        byte[] down = randomBytes(size, seed * 37);
        g.send(up, true);
        host.send(down, true);

        boolean done = h.runUntil(() -> g.finReceived && g.finAcked && host.outputShutdown
                && host.written.size() == size, 600_000 * MS);
        assertTrue(done, "transfer incomplete: guest got " + g.received.size() + ", host got " + host.written.size()
                + ", guest fin " + g.finReceived + "/" + g.finAcked + ", host shut " + host.outputShutdown + ", reset " + g.resetReceived + ", state "
                + h.stack.state(TcpHarness.GUEST, 41000, REMOTE, 80) + ", last "
                + h.log.subList(Math.max(0, h.log.size() - 8), h.log.size()));
        assertArrayEquals(up, host.writtenBytes(), "guest -> host bytes");
        assertArrayEquals(down, g.received.toByteArray(), "host -> guest bytes");

        // both directions done: the entry goes (TIME_WAIT at most a few seconds), the socket closes
        h.loss = 0;
        h.duplicate = 0;
        assertTrue(h.runUntil(() -> h.stack.connectionCount() == 0, 10_000 * MS), "connection left in table");
        assertTrue(host.closed, "host socket closed");
        assertTrue(host.closeRequested && !host.aborted, "graceful close, not a reset");
        assertEquals(0, h.stack.openHostSockets());
        assertEquals(0, h.leakedBuffers(), "guest frames still referenced");
        assertEquals(0, h.connector.leakedBuffers(), "host reads still referenced");
        if (loss > 0) {
            long dataSegments = h.log.stream().filter(s -> s.length() > 0).count();
            assertTrue(dataSegments > (size + g.mss - 1) / g.mss, "losses caused retransmissions");
        }
    }
}
