package dev.jnet.usernet.tcp;

import static dev.jnet.usernet.tcp.TcpHarness.MS;
import static dev.jnet.usernet.tcp.TcpHarness.REMOTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.UsernetConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: guests that advertise a 1 GiB window and never acknowledge data. Without a budget
 * each holds a full send buffer (2 MiB); with it the bytes held by the whole stack stay near the
 * budget, the stalled holders are aborted once it is used up, and a well-behaved download that
 * starts meanwhile completes.
 */
class TcpMemoryBudgetTest {
    private static final long BUDGET = 4 << 20;
    private static final int HOSTILE = 40;
    private final TcpHarness h = new TcpHarness(UsernetConfig.defaults(),
            TcpLimits.defaults().withMemoryBudget(BUDGET), 1);

    private GuestTcp hostile(int port) {
        GuestTcp g = h.guest(port, REMOTE, 80);
        g.windowScale = 14;
        g.receiveBuffer = Integer.MAX_VALUE; // 65535 << 14: a 1 GiB window
        g.connect();
        h.run();
        FakeHostConnector.FakeHost host = h.connector.last();
        host.accept();
        h.run();
        assertTrue(g.established);
        g.auto = false; // acknowledges the handshake, never any data
        host.send(new byte[4 << 20], false);
        return g;
    }

    @Test
    void budgetCapsHeldBytesAbortsStalledHoldersAndAWellBehavedFlowCompletes() {
        List<GuestTcp> hostiles = new ArrayList<>();
        long maxHeld = 0;
        for (int i = 0; i < HOSTILE; i++) {
            hostiles.add(hostile(43000 + i));
            h.advance(MS);
            maxHeld = Math.max(maxHeld, h.stack.sendBufferedBytes());
        }
        h.advance(100 * MS);
        maxHeld = Math.max(maxHeld, h.stack.sendBufferedBytes());
        // without the budget: 40 x 2 MiB; with it, at most one read burst (4 x 16 KiB) per connection over
        assertTrue(maxHeld >= BUDGET, "the flood used the budget: " + maxHeld);
        assertTrue(maxHeld <= BUDGET + 4L * h.connector.readChunk * HOSTILE / 4, "held " + maxHeld);

        GuestTcp good = h.guest(44000, REMOTE, 80);
        good.connect();
        h.run();
        FakeHostConnector.FakeHost goodHost = h.connector.last();
        goodHost.accept();
        byte[] data = TcpTransferTest.randomBytes(1 << 20, 3);
        goodHost.send(data, true);
        long end = h.scheduler.nanoTime() + 20_000 * MS;
        while (!good.finReceived && h.scheduler.nanoTime() < end) {
            h.advance(10 * MS);
            maxHeld = Math.max(maxHeld, h.stack.sendBufferedBytes());
        }
        assertTrue(good.finReceived, "the well-behaved download completed");
        assertArrayEquals(data, good.received.toByteArray());
        assertFalse(good.resetReceived);
        assertTrue(maxHeld <= BUDGET + 4L * h.connector.readChunk * HOSTILE / 4, "held " + maxHeld);

        long reset = hostiles.stream().filter(g -> g.resetReceived).count();
        assertTrue(reset > 0, "stalled holders were aborted");
        long abortedHosts = h.connector.hosts.stream().filter(x -> x.aborted).count();
        assertEquals(reset, abortedHosts, "each aborted connection reset its host socket");
        assertTrue(h.stack.sendBufferedBytes() < BUDGET, "within the budget after the reclaim: "
                + h.stack.sendBufferedBytes());
        System.out.printf("budget %d: max held %d, %d of %d stalled holders aborted%n", BUDGET, maxHeld, reset,
                HOSTILE);
        h.stack.close();
        assertEquals(0, h.stack.sendBufferedBytes(), "every charged byte credited back");
        assertEquals(0, h.connector.leakedBuffers());
    }

    @Test
    void underPressureEachConnectionHoldsAtMostThePressureBuffer() {
        for (int i = 0; i < HOSTILE; i++) {
            hostile(45000 + i);
        }
        h.advance(100 * MS);
        // the first connections took full 2 MiB buffers up to the pressure level; later ones got a
        // 64 KiB share (plus one read burst) until the budget was used up
        assertTrue(h.stack.sendBufferedBytes() <= BUDGET + 4L * h.connector.readChunk * HOSTILE / 4);
        assertEquals(HOSTILE, h.stack.connectionCount(), "nobody waits for memory: no reclaim yet");
        // released here, not left to the garbage collector: the paranoid leak detector of a later
        // test in this JVM (StackFullFuzzTest) reports any buffer collected unreleased
        h.stack.close();
        assertEquals(0, h.connector.leakedBuffers());
    }
}
