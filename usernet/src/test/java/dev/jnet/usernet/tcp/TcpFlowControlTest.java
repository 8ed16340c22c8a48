package dev.jnet.usernet.tcp;

import static dev.jnet.usernet.tcp.TcpHarness.MS;
import static dev.jnet.usernet.tcp.TcpHarness.REMOTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Windows end to end, persist probes, retransmission timing, out-of-order bound. */
class TcpFlowControlTest {
    private TcpHarness h = new TcpHarness(TcpLimits.defaults());
    private GuestTcp g;
    private FakeHostConnector.FakeHost host;

    private void establish(int port) {
        g = h.established(port);
        host = h.connector.last();
    }

    @Test
    void advertisedWindowReachesSeveralMegabytesWithScaling() {
        establish(42000);
        TcpHarness.Seg synAck = h.log.get(0);
        assertEquals(7, synAck.windowScale());
        g.send(new byte[100], false);
        h.run();
        TcpHarness.Seg ack = h.lastTo(42000);
        assertTrue((ack.window() << 7) > 4_000_000, "window " + (ack.window() << 7));
    }

    @Test
    void zeroWindowStopsSendingAndHostReadsThenPersistProbesBackOffThenReopen() {
        establish(42001);
        g.receiveBuffer = 64 * 1024;
        g.appReading = false;
        g.ack(); // the application stopped reading: 64 KiB window
        h.run();
        byte[] data = TcpTransferTest.randomBytes(1 << 20, 7);
        host.send(data, true);
        h.advance(50 * MS);
        assertEquals(64 * 1024, g.received.size(), "exactly the guest's window was filled");
        assertEquals(0, host.room, "host reads stop while the guest's window is closed");
        int readFromHost = host.sourceOffset;
        // the window, plus the one segment held for persist probes: no read beyond that
        assertTrue(readFromHost <= 64 * 1024 + 1460, "read from the host " + readFromHost);

        int before = h.log.size();
        h.advance(60_000 * MS);
        List<Long> probes = new ArrayList<>();
        for (TcpHarness.Seg s : h.log.subList(before, h.log.size())) {
            if (s.length() == 1) {
                probes.add(s.time());
            }
        }
        assertTrue(probes.size() >= 4, "persist probes: " + probes);
        for (int i = 2; i < probes.size(); i++) {
            long gap = probes.get(i) - probes.get(i - 1);
            long prevGap = probes.get(i - 1) - probes.get(i - 2);
            assertTrue(gap >= prevGap, "probe intervals back off: " + probes);
        }
        assertEquals(host.sourceOffset, readFromHost, "still nothing more read from the host");
        assertEquals(0, g.windowViolations);
        assertEquals(1, h.stack.connectionCount(), "a guest answering probes is kept");

        g.appReading = true;
        g.readAll();
        assertTrue(h.runUntil(() -> g.finReceived, 120_000 * MS));
        assertArrayEquals(data, g.received.toByteArray());
        assertEquals(0, g.windowViolations);
    }

    @Test
    void slowHostClosesTheGuestsWindowAndDrainingReopensIt() {
        int buffer = 64 * 1024;
        h = new TcpHarness(UsernetConfig.defaults(), TcpLimits.defaults().withBuffers(buffer, 1 << 20, 64), 1);
        establish(42002);
        host.slow = true;
        byte[] data = TcpTransferTest.randomBytes(1 << 20, 9);
        g.send(data, true);
        h.advance(100 * MS);
        assertTrue(host.pendingBytes <= buffer, "stack queued " + host.pendingBytes + " for a host that reads nothing");
        assertTrue(host.pendingBytes >= buffer - g.mss, "the window was used: " + host.pendingBytes);
        assertEquals(0, h.lastTo(42002).window(), "window closed");

        int rounds = 0;
        while (host.written.size() < data.length && rounds++ < 10_000) {
            host.drain(8 * 1024); // the host application reads slowly
            h.advance(5 * MS);
            assertTrue(host.pendingBytes <= buffer);
        }
        assertTrue(h.runUntil(() -> host.outputShutdown || host.pendingBytes > 0, 1000 * MS));
        host.drain(Long.MAX_VALUE);
        assertArrayEquals(data, host.writtenBytes());
        assertTrue(host.outputShutdown);
    }

    @Test
    void tinySegmentsToASlowHostAreCopiedNotPinningWholeFrames() {
        establish(42007);
        host.slow = true;
        h.frameCapacity = 64 * 1024; // e.g. a link reading into 64 KiB buffers
        g.send(new byte[10], false);
        h.run();
        assertEquals(10, host.pendingBytes);
        ByteBuf frame = h.tracked.get(h.tracked.size() - 1);
        assertEquals(0, frame.refCnt(), "a 10-byte payload does not keep its 64 KiB frame alive");
        g.send(new byte[60_000], false); // a full-size segment stays zero copy
        h.frameCapacity = 0;
        h.run();
        long pinned = h.tracked.stream().filter(b -> b.refCnt() > 0).count();
        assertTrue(pinned > 0, "big segments are sliced, not copied");
        host.drain(Long.MAX_VALUE);
        assertEquals(0, h.leakedBuffers());
    }

    @Test
    void retransmissionTimeoutBacksOffThenGivesUp() {
        establish(42003);
        h.dropToGuest = s -> s.length() > 0; // every data segment to the guest is lost
        host.send(new byte[1000], false);
        h.advance(40 * 60_000 * MS);
        List<Long> sends = h.log.stream().filter(s -> s.length() > 0).map(TcpHarness.Seg::time).toList();
        assertEquals(1 + TcpLimits.defaults().maxRetransmits(), sends.size(), "retransmissions " + sends);
        long minRto = TcpLimits.defaults().minRtoNanos();
        assertEquals(minRto, sends.get(1) - sends.get(0), "first RTO: RTT ~0 on this link gives the minimum");
        for (int i = 2; i < sends.size(); i++) {
            long gap = sends.get(i) - sends.get(i - 1);
            long prev = sends.get(i - 1) - sends.get(i - 2);
            assertEquals(Math.min(2 * prev, TcpLimits.defaults().maxRtoNanos()), gap, "backoff doubles " + sends);
        }
        TcpHarness.Seg last = h.log.get(h.log.size() - 1);
        assertTrue(last.has(TcpSegment.RST), "gives up with a RST to the guest");
        assertTrue(host.aborted, "and resets the host side");
        assertEquals(0, h.stack.connectionCount());
    }

    @Test
    void threeDuplicateAcksTriggerFastRetransmitBeforeTheTimer() {
        establish(42004);
        int[] dropped = {0};
        h.dropToGuest = s -> s.length() > 0 && dropped[0]++ == 0; // lose the first data segment once
        byte[] data = TcpTransferTest.randomBytes(20 * 1460, 11);
        host.send(data, false);
        h.advance(10 * MS);
        List<TcpHarness.Seg> first = h.log.stream().filter(s -> s.length() > 0 && s.seq() == h.log.stream()
                .filter(x -> x.length() > 0).findFirst().get().seq()).toList();
        assertEquals(2, first.size(), "sent and retransmitted once");
        assertTrue(first.get(1).time() - first.get(0).time() < TcpLimits.defaults().minRtoNanos(),
                "retransmitted on duplicate ACKs, not on the timer");
        assertArrayEquals(data, g.received.toByteArray());
    }

    @Test
    void sackBlocksDescribeHeldOutOfOrderDataMostRecentFirst() {
        g = h.guest(42006, REMOTE, 80);
        g.sackPermitted = true;
        g.connect();
        h.run();
        host = h.connector.last();
        host.accept();
        h.run();
        assertTrue(h.log.get(0).sackPermitted(), "SYN-ACK permits SACK when the guest did");
        g.auto = false;
        int base = g.sndNxt;
        g.raw(base + 100, g.rcvNxt, TcpSegment.ACK, 1000, new byte[100]); // [100, 200)
        g.raw(base + 200, g.rcvNxt, TcpSegment.ACK, 1000, new byte[100]); // [100, 300)
        g.raw(base + 500, g.rcvNxt, TcpSegment.ACK, 1000, new byte[100]); // [500, 600)
        h.run();
        TcpHarness.Seg ack = h.lastTo(42006);
        assertEquals(base, ack.ack());
        assertArrayEquals(new int[] {base + 500, base + 600, base + 100, base + 300}, ack.sack());
        g.raw(base + 150, g.rcvNxt, TcpSegment.ACK, 1000, new byte[100]); // inside the first run
        h.run();
        assertArrayEquals(new int[] {base + 100, base + 300, base + 500, base + 600}, h.lastTo(42006).sack());
        g.raw(base, g.rcvNxt, TcpSegment.ACK, 1000, new byte[100]); // fills the first gap
        h.run();
        assertEquals(base + 300, h.lastTo(42006).ack());
        assertEquals(300, host.written.size());
        assertArrayEquals(new int[] {base + 500, base + 600}, h.lastTo(42006).sack());
    }

    /**
     * Runs a 1 MiB download over a 1 ms link losing 50 consecutive segments once; returns
     * {virtual nanoseconds, retransmitted segments}.
     */
    private long[] burstLossDownload(boolean sack) {
        h = new TcpHarness(TcpLimits.defaults());
        h.delayNanos = 1 * MS;
        g = h.guest(42010, REMOTE, 80);
        g.sackPermitted = sack;
        g.connect();
        h.advance(10 * MS);
        host = h.connector.last();
        host.accept();
        h.advance(10 * MS);
        int[] dataSegments = {0};
        h.dropToGuest = s -> {
            if (s.length() == 0) {
                return false;
            }
            int i = dataSegments[0]++;
            return i >= 100 && i < 150;
        };
        byte[] data = TcpTransferTest.randomBytes(1 << 20, 13);
        long start = h.scheduler.nanoTime();
        host.send(data, false);
        assertTrue(h.runUntil(() -> g.received.size() == data.length, 60_000 * MS));
        assertArrayEquals(data, g.received.toByteArray());
        long sentBytes = h.segsTo(42010).stream().mapToLong(TcpHarness.Seg::length).sum();
        return new long[] {h.scheduler.nanoTime() - start, (sentBytes - data.length) / g.mss};
    }

    @Test
    void guestSackBlocksLetABurstLossBeRepairedInAboutOneRoundTrip() {
        long[] withSack = burstLossDownload(true);
        long[] newReno = burstLossDownload(false);
        assertTrue(withSack[1] >= 50 && withSack[1] <= 55, "SACK: holes resent about once each: " + withSack[1]);
        assertTrue(newReno[1] >= 50 && newReno[1] <= 55, "NewReno: one hole per round trip: " + newReno[1]);
        assertTrue(withSack[0] < newReno[0], "SACK recovery " + withSack[0] / MS + " ms vs NewReno "
                + newReno[0] / MS + " ms");
    }

    @Test
    void outOfOrderQueueIsBounded() {
        h = new TcpHarness(UsernetConfig.defaults(), TcpLimits.defaults().withBuffers(1 << 20, 1 << 20, 4), 1);
        establish(42005);
        g.auto = false;
        int base = g.sndNxt;
        byte[] seg = new byte[100];
        for (int i = 1; i <= 10; i++) { // segments 1..10, segment 0 missing
            java.util.Arrays.fill(seg, (byte) i);
            g.raw(base + 100 * i, g.rcvNxt, TcpSegment.ACK, 1000, seg.clone());
        }
        h.run();
        List<TcpHarness.Seg> dupAcks = h.segsTo(42005).stream().filter(s -> s.ack() == base && s.length() == 0)
                .toList();
        assertTrue(dupAcks.size() >= 10, "every out-of-order segment is acknowledged at once");
        assertArrayEquals(new int[0], dupAcks.get(0).sack(), "no SACK blocks unless the guest offered SACK");
        assertEquals(0, host.written.size());
        java.util.Arrays.fill(seg, (byte) 0);
        g.raw(base, g.rcvNxt, TcpSegment.ACK, 1000, seg.clone());
        h.run();
        byte[] got = host.writtenBytes();
        assertEquals(500, got.length, "the gap plus the 4 queued segments; the rest was dropped");
        for (int i = 0; i < 500; i++) {
            assertEquals(i / 100, got[i]);
        }
        assertEquals(base + 500, h.lastTo(42005).ack());
    }
}
