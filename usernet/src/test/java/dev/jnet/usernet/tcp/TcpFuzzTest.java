package dev.jnet.usernet.tcp;

import static dev.jnet.usernet.tcp.TcpHarness.MS;
import static dev.jnet.usernet.tcp.TcpHarness.REMOTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile guest: random segments (flags, sequence and acknowledgment numbers near and far
 * from the right ones, payloads, options) mixed with host events and time. The stack must
 * never throw, never hold more than its bounds, and release every buffer when closed.
 */
class TcpFuzzTest {
    private static final int PORTS = 8;
    private static final int BUFFER = 64 * 1024;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void randomSegmentsAndHostEventsKeepEveryBound(long seed) {
        TcpLimits limits = TcpLimits.defaults().withTable(6, 3, 2).withBuffers(BUFFER, BUFFER, 16);
        TcpHarness h = new TcpHarness(UsernetConfig.defaults(), limits, seed);
        Random r = new Random(seed);
        GuestTcp[] guests = new GuestTcp[PORTS];
        for (int i = 0; i < PORTS; i++) {
            guests[i] = h.guest(45000 + i, REMOTE, 80);
        }
        for (int step = 0; step < 10_000; step++) {
            int index = r.nextInt(PORTS);
            GuestTcp g = guests[index];
            int action = r.nextInt(20);
            if (action < 5) {
                randomSegment(g, r);
            } else if (action < 8) {
                if (!g.established || g.resetReceived || (g.finReceived && g.finAcked) || r.nextInt(20) == 0) {
                    g = guests[index] = h.guest(45000 + index, REMOTE, 80); // a new incarnation
                    g.iss = r.nextInt();
                    g.auto = r.nextInt(5) > 0;
                    g.sackPermitted = r.nextBoolean();
                    g.connect();
                }
            } else if (action < 14) {
                if (g.toSend.length < 300_000) { // keeps the test guest's own arrays small
                    g.send(new byte[r.nextInt(5000)], r.nextInt(10) == 0);
                }
            } else if (action < 17) {
                List<FakeHostConnector.FakeHost> open = h.connector.hosts.stream().filter(x -> !x.closed).toList();
                if (!open.isEmpty()) {
                    hostEvent(open.get(r.nextInt(open.size())), r);
                }
            } else if (action < 19) {
                h.advance(r.nextInt(300) * MS);
            } else {
                h.dropToGuest = r.nextBoolean() ? s -> false : s -> r.nextInt(4) == 0;
            }
            h.run();
            assertTrue(h.stack.connectionCount() <= 6);
            assertTrue(h.stack.embryonicCount() <= 3);
            assertTrue(h.stack.timeWaitCount() <= 2);
            for (FakeHostConnector.FakeHost host : h.connector.hosts.subList(Math.max(0, h.connector.hosts.size() - 20),
                    h.connector.hosts.size())) {
                assertTrue(host.pendingBytes <= BUFFER, "guest data queued for a host beyond the window");
            }
        }
        // the walk got somewhere: connections carried data both ways and were torn down
        assertTrue(h.connector.hosts.stream().filter(x -> x.written.size() > 0).count() > 3, "guest data reached hosts");
        assertTrue(h.log.stream().filter(x -> x.length() > 0).count() > 100, "host data reached guests");
        assertTrue(h.log.stream().filter(x -> x.has(TcpSegment.RST)).count() > 10, "resets happened");
        h.stack.close();
        assertEquals(0, h.stack.connectionCount());
        assertEquals(0, h.stack.openHostSockets());
        assertEquals(0, h.leakedBuffers(), "guest frames still referenced");
        assertEquals(0, h.connector.leakedBuffers(), "host reads still referenced");
    }

    private static void randomSegment(GuestTcp g, Random r) {
        int seq = switch (r.nextInt(4)) {
            case 0 -> g.sndNxt;
            case 1 -> g.sndNxt + r.nextInt(2000) - 1000;
            case 2 -> g.sndUna;
            default -> r.nextInt();
        };
        int ack = switch (r.nextInt(4)) {
            case 0 -> g.rcvNxt;
            case 1 -> g.rcvNxt + r.nextInt(4000) - 2000;
            default -> r.nextInt();
        };
        int flags = r.nextInt(256);
        if (r.nextInt(10) > 0) {
            flags &= ~(TcpSegment.RST | TcpSegment.SYN); // mostly plausible segments
            flags |= TcpSegment.ACK;
        }
        byte[] payload = new byte[r.nextInt(4) == 0 ? r.nextInt(2000) : 0];
        TcpOptions opts = null;
        if (r.nextInt(4) == 0) { // SACK blocks, plausible and absurd, about the stack's data
            opts = new TcpOptions();
            for (int i = 1 + r.nextInt(3); i > 0; i--) {
                int left = g.rcvNxt + r.nextInt(100_000) - 5000;
                opts.addSackBlock(left, left + r.nextInt(20_000) - 1000);
            }
        } else if (r.nextInt(5) == 0) {
            opts = new TcpOptions().mss(r.nextInt(70000) & 0xffff).windowScale(r.nextInt(20) % 15)
                    .sackPermitted(r.nextBoolean());
        }
        g.rawWith(seq, ack, flags, r.nextInt(65536), opts, payload);
    }

    private static void hostEvent(FakeHostConnector.FakeHost host, Random r) {
        if (host.closed) {
            return;
        }
        switch (r.nextInt(8)) {
            case 0 -> {
                if (!host.connected) {
                    host.accept();
                }
            }
            case 1 -> {
                if (!host.connected) {
                    host.fail(TcpHostConnector.Failure.values()[r.nextInt(4)]);
                }
            }
            case 2, 3 -> {
                if (host.connected && !host.eofAfterSource && host.source.length - host.sourceOffset < 300_000) {
                    host.send(new byte[r.nextInt(100_000)], r.nextInt(8) == 0);
                }
            }
            case 4 -> {
                if (host.connected) {
                    host.resetByPeer();
                }
            }
            case 5 -> host.slow = !host.slow;
            default -> host.drain(r.nextInt(50_000));
        }
    }
}
