package dev.jnet.usernet.tcp;

import static dev.jnet.usernet.tcp.TcpHarness.GUEST;
import static dev.jnet.usernet.tcp.TcpHarness.MS;
import static dev.jnet.usernet.tcp.TcpHarness.REMOTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.wire.TcpSegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** RST in every state, both half-closes, teardown, and the bounds of the connection table. */
class TcpCloseTest {
    private static final int PORT = 43000;
    private TcpHarness h = new TcpHarness(TcpLimits.defaults());
    private GuestTcp g;
    private FakeHostConnector.FakeHost host;

    private TcpState state() {
        return h.stack.state(GUEST, g.port, REMOTE, 80);
    }

    /** Drives a fresh connection into {@code target}. */
    private void reach(TcpState target) {
        g = h.guest(PORT, REMOTE, 80);
        if (target == TcpState.SYN_RECEIVED) {
            g.auto = false; // never acknowledges our SYN-ACK
        }
        g.connect();
        h.run();
        host = h.connector.last();
        switch (target) {
            case CONNECTING -> { }
            case SYN_RECEIVED, ESTABLISHED -> host.accept();
            case FIN_WAIT_1 -> {
                host.accept();
                h.run();
                h.dropToGuest = s -> s.has(TcpSegment.FIN); // our FIN is never acknowledged
                host.send(new byte[10], true);
            }
            case FIN_WAIT_2 -> {
                host.accept();
                h.run();
                host.send(new byte[10], true);
            }
            case CLOSE_WAIT -> {
                host.accept();
                h.run();
                g.send(new byte[10], true);
            }
            case LAST_ACK -> {
                host.accept();
                h.run();
                g.send(new byte[10], true);
                h.run();
                h.dropToGuest = s -> s.has(TcpSegment.FIN);
                host.send(new byte[10], true);
            }
            case CLOSING -> {
                host.accept();
                h.run();
                h.dropToGuest = s -> s.has(TcpSegment.FIN);
                host.send(new byte[10], true);
                h.run();
                g.send(new byte[0], true);
            }
            case TIME_WAIT -> {
                host.accept();
                h.run();
                host.send(new byte[10], true);
                h.run();
                g.send(new byte[0], true);
            }
            default -> throw new IllegalArgumentException(target.toString());
        }
        h.advance(10 * MS);
        assertEquals(target, state());
    }

    @ParameterizedTest
    // SYN_SENT is the active open of port forwards: TcpActiveOpenTest
    @EnumSource(value = TcpState.class, names = {"CLOSED", "SYN_SENT"}, mode = EnumSource.Mode.EXCLUDE)
    void rstWithTheExpectedSequenceNumberEndsTheConnectionInEveryState(TcpState target) {
        reach(target);
        boolean hostAlreadyClosed = host.closed;
        g.raw(g.sndNxt, g.rcvNxt, TcpSegment.RST, 0, new byte[0]);
        h.run();
        assertNull(state());
        assertEquals(0, h.stack.connectionCount());
        assertTrue(host.closed, "host socket released");
        if (!hostAlreadyClosed) {
            assertTrue(host.aborted, "a guest reset resets the host side too");
        }
        assertEquals(0, h.stack.openHostSockets());
        assertEquals(0, h.leakedBuffers());
        assertEquals(0, h.connector.leakedBuffers());
    }

    @ParameterizedTest
    @EnumSource(value = TcpState.class, names = {"ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
        "LAST_ACK", "CLOSING"})
    void rstInsideTheWindowButNotExactGetsAChallengeAckAndOutsideIsIgnored(TcpState target) {
        reach(target);
        int before = h.log.size();
        g.raw(g.sndNxt + 1, 0, TcpSegment.RST, 0, new byte[0]);
        h.run();
        assertEquals(target, state(), "RFC 5961: not exactly RCV.NXT, no reset");
        assertEquals(before + 1, h.log.size());
        TcpHarness.Seg challenge = h.log.get(before);
        assertEquals(TcpSegment.ACK, challenge.flags());
        assertEquals(g.sndNxt, challenge.ack());

        g.raw(g.sndNxt + 0x4000_0000, 0, TcpSegment.RST, 0, new byte[0]);
        h.run();
        assertEquals(target, state(), "far outside the window: ignored");
        assertFalse(host.aborted);
    }

    @Test
    void synOnAnEstablishedConnectionGetsAChallengeAck() {
        reach(TcpState.ESTABLISHED);
        int before = h.log.size();
        g.raw(g.sndNxt + 5, 0, TcpSegment.SYN, 1000, new byte[0]);
        h.run();
        assertEquals(TcpState.ESTABLISHED, state());
        assertEquals(TcpSegment.ACK, h.log.get(before).flags());
        assertEquals(1, h.connector.hosts.size());
    }

    @Test
    void hostResetBecomesRstToTheGuest() {
        reach(TcpState.ESTABLISHED);
        host.resetByPeer();
        h.run();
        assertTrue(g.resetReceived);
        TcpHarness.Seg rst = h.lastTo(PORT);
        assertTrue(rst.has(TcpSegment.RST));
        assertEquals(g.rcvNxt, rst.seq(), "in the guest's window");
        assertEquals(0, h.stack.connectionCount());
        assertEquals(0, h.stack.openHostSockets());
    }

    @Test
    void guestHalfClosesFirstAndStillReceivesTheRest() {
        reach(TcpState.ESTABLISHED);
        byte[] up = TcpTransferTest.randomBytes(100_000, 1);
        byte[] down = TcpTransferTest.randomBytes(300_000, 2);
        g.send(up, true); // shutdown(SHUT_WR) in the guest
        h.advance(10 * MS);
        assertArrayEquals(up, host.writtenBytes());
        assertTrue(host.outputShutdown, "FIN passed on after the last byte");
        assertEquals(TcpState.CLOSE_WAIT, state());

        host.send(down, false); // the host keeps talking
        h.advance(10 * MS);
        assertArrayEquals(down, g.received.toByteArray());
        host.send(new byte[0], true);
        h.advance(10 * MS);
        assertTrue(g.finReceived);
        assertEquals(0, h.stack.connectionCount(), "LAST_ACK acknowledged: gone at once, no TIME_WAIT");
        assertTrue(host.closed && !host.aborted);
    }

    @Test
    void hostHalfClosesFirstAndStillReceivesTheRest() {
        reach(TcpState.ESTABLISHED);
        byte[] down = TcpTransferTest.randomBytes(100_000, 3);
        byte[] up = TcpTransferTest.randomBytes(300_000, 4);
        host.send(down, true); // the host's shutdown(SHUT_WR)
        h.advance(10 * MS);
        assertArrayEquals(down, g.received.toByteArray());
        assertTrue(g.finReceived);
        assertEquals(TcpState.FIN_WAIT_2, state());

        g.send(up, false);
        h.advance(10 * MS);
        assertArrayEquals(up, host.writtenBytes());
        g.send(new byte[0], true);
        h.advance(10 * MS);
        assertTrue(host.outputShutdown);
        assertFalse(host.shutdownRequested, "closed at once: its close sends the FIN, no shutdown(2) before it");
        assertEquals(TcpState.TIME_WAIT, state(), "we closed first: we wait");
        assertTrue(host.closed && !host.aborted, "host socket released on entering TIME_WAIT");
        assertFalse(h.stack.connection(GUEST, g.port, REMOTE, 80).holdsHostConnection(),
                "the TIME_WAIT entry lets its closed socket's objects go");
        assertEquals(1, h.stack.connectionCount());
        h.advance(TcpLimits.defaults().timeWaitNanos());
        assertEquals(0, h.stack.connectionCount());
    }

    @Test
    void lostFinIsRetransmittedOnTheTimer() {
        reach(TcpState.ESTABLISHED);
        int[] fins = {0};
        h.dropToGuest = s -> s.has(TcpSegment.FIN) && fins[0]++ == 0;
        host.send(new byte[0], true);
        h.advance(10 * MS);
        assertFalse(g.finReceived);
        assertEquals(TcpState.FIN_WAIT_1, state());
        h.advance(TcpLimits.defaults().minRtoNanos());
        assertTrue(g.finReceived, "FIN sent again after one RTO");
        assertEquals(TcpState.FIN_WAIT_2, state());
    }

    @Test
    void lostSynAckIsResentWhenTheGuestRetransmitsItsSyn() {
        g = h.guest(PORT, REMOTE, 80);
        g.connect();
        h.run();
        int[] synAcks = {0};
        h.dropToGuest = s -> s.has(TcpSegment.SYN) && synAcks[0]++ == 0;
        h.connector.last().accept();
        h.run();
        assertFalse(g.established);
        g.sendSyn(); // the guest's SYN retransmission
        h.run();
        assertTrue(g.established);
        assertEquals(2, synAcks[0]);
    }

    @Test
    void timeWaitReAcksARetransmittedFinAndYieldsToANewSyn() {
        reach(TcpState.TIME_WAIT);
        int before = h.log.size();
        g.raw(g.sndNxt - 1, g.rcvNxt, TcpSegment.FIN | TcpSegment.ACK, 1000, new byte[0]);
        h.run();
        assertEquals(before + 1, h.log.size());
        assertEquals(g.sndNxt, h.log.get(before).ack());
        g.iss += 1_000_000;
        g.connect();
        h.run();
        assertEquals(TcpState.CONNECTING, state(), "a new incarnation replaces TIME_WAIT");
        assertEquals(2, h.connector.hosts.size());
    }

    @Test
    void synFloodEvictsTheOldestHalfOpenEntries() {
        h = new TcpHarness(UsernetConfig.defaults(), TcpLimits.defaults().withTable(16, 4, 4), 1);
        for (int i = 0; i < 100; i++) {
            h.guest(50000 + i, REMOTE, 80).connect();
            h.run();
            assertTrue(h.stack.embryonicCount() <= 4);
            assertTrue(h.stack.connectionCount() <= 16);
        }
        assertEquals(4, h.stack.embryonicCount());
        assertEquals(4, h.stack.connectionCount());
        assertEquals(100, h.connector.hosts.size());
        assertEquals(4, h.connector.openCount(), "evicted attempts were aborted");
        for (int i = 0; i < 96; i++) {
            assertTrue(h.connector.hosts.get(i).aborted);
        }
        h.connector.hosts.get(99).accept(); // the newest ones are still served
        h.run();
        assertTrue(h.guests.get(50099).established);
        assertEquals(3, h.stack.embryonicCount());
    }

    @Test
    void fullTableRefusesNewSynsButYieldsTimeWaitEntries() {
        h = new TcpHarness(UsernetConfig.defaults(), TcpLimits.defaults().withTable(8, 8, 2), 1);
        GuestTcp[] gs = new GuestTcp[8];
        for (int i = 0; i < 8; i++) {
            gs[i] = h.guest(51000 + i, REMOTE, 80);
            gs[i].connect();
            h.run();
            h.connector.last().accept();
            h.run();
        }
        assertEquals(8, h.stack.connectionCount());
        GuestTcp refused = h.guest(51100, REMOTE, 80);
        refused.connect();
        h.run();
        assertEquals(8, h.connector.hosts.size(), "no connect for a SYN that does not fit");
        assertTrue(refused.resetReceived, "a SYN that does not fit is refused with a RST");
        assertFalse(refused.established);
        assertEquals(8, h.stack.connectionCount());

        // three connections end in TIME_WAIT: the cap of 2 evicts the oldest
        for (int i = 0; i < 3; i++) {
            h.connector.hosts.get(i).send(new byte[0], true);
            h.run();
            gs[i].send(new byte[0], true);
            h.run();
        }
        assertEquals(2, h.stack.timeWaitCount());
        assertEquals(7, h.stack.connectionCount());
        GuestTcp late = h.guest(51101, REMOTE, 80);
        late.connect();
        h.run();
        assertEquals(9, h.connector.hosts.size(), "a free slot is used");
        GuestTcp later = h.guest(51102, REMOTE, 80);
        later.connect();
        h.run();
        assertEquals(10, h.connector.hosts.size(), "a TIME_WAIT entry yields to a new connection");
        assertEquals(1, h.stack.timeWaitCount());
        assertEquals(8, h.stack.connectionCount());
    }

    @Test
    void closeAbortsEverything() {
        for (int i = 0; i < 3; i++) {
            GuestTcp c = h.guest(52000 + i, REMOTE, 80);
            c.connect();
            h.run();
            h.connector.last().accept();
            h.run();
            h.connector.last().slow = true;
            c.send(new byte[50_000], false);
            h.connector.last().send(new byte[50_000], false);
        }
        h.guest(52100, REMOTE, 80).connect(); // and one still connecting
        h.run();
        assertEquals(4, h.stack.connectionCount());
        h.stack.close();
        assertEquals(0, h.stack.connectionCount());
        assertEquals(0, h.stack.openHostSockets());
        assertTrue(h.connector.hosts.stream().allMatch(x -> x.closed && x.aborted));
        assertTrue(h.connector.hosts.stream().allMatch(x -> x.pending.isEmpty()));
        assertEquals(0, h.leakedBuffers(), "guest frames released");
        assertEquals(0, h.connector.leakedBuffers(), "host data released");
    }
}
