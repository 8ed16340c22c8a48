package dev.jnet.usernet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.wire.TcpSegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When the stack acknowledges the guest's data: at the end of the batch, except the answer in a
 * request/response exchange, whose ACK waits up to {@link DelayedAcks#DELAY_NANOS} for our
 * next data segment to carry it (RFC 1122 4.2.3.2, RFC 5681 4.2).
 */
class TcpDelayedAckTest {
    private static final int PORT = 41000;
    private final TcpHarness h = new TcpHarness(TcpLimits.defaults());
    private GuestTcp g;
    private FakeHostConnector.FakeHost host;

    @BeforeEach
    void open() {
        g = h.established(PORT);
        host = h.connector.last();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The segments the stack sent to the guest from log index {@code from} on. */
    private List<TcpHarness.Seg> since(int from) {
        return h.log.subList(from, h.log.size()).stream().filter(s -> s.dstPort() == PORT).toList();
    }

    private void assertPureAckOfAll(TcpHarness.Seg s) {
        assertEquals(0, s.length(), s.toString());
        assertTrue(s.has(TcpSegment.ACK) && !s.has(TcpSegment.FIN), s.toString());
        assertEquals(g.sndNxt, s.ack(), "acknowledges all the guest sent: " + s);
    }

    /** A first request, acknowledged at once, and our answer: the exchange is interactive now. */
    private void firstExchange() {
        int mark = h.log.size();
        g.send(ascii("req1"), false);
        h.run();
        List<TcpHarness.Seg> acks = since(mark);
        assertEquals(1, acks.size(), "a first request is acknowledged at once: " + acks);
        assertPureAckOfAll(acks.get(0));
        host.send(ascii("resp1"), false);
        h.run();
        assertEquals("resp1", g.received.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void theAckOfAnAnswerRidesOnOurNextData() {
        firstExchange();
        int mark = h.log.size();
        int timers = h.scheduler.pendingTimers();
        g.send(ascii("req2"), false);
        h.run();
        assertEquals("req1req2", host.written.toString(StandardCharsets.US_ASCII));
        assertEquals(List.of(), since(mark), "no pure ACK right after the request");
        assertEquals(1, h.stack.delayedAcks());

        h.advance(DelayedAcks.DELAY_NANOS / 2);
        host.send(ascii("resp2"), false);
        h.run();
        List<TcpHarness.Seg> sent = since(mark);
        assertEquals(1, sent.size(), "one segment for the request and its answer: " + sent);
        assertEquals(5, sent.get(0).length());
        assertEquals(g.sndNxt, sent.get(0).ack(), "the answer acknowledges the request");
        assertEquals(0, h.stack.delayedAcks());
        // a short timer pending while the loop sleeps costs more than the frame saved
        assertEquals(timers, h.scheduler.pendingTimers(), "the delayed-ACK timer is cancelled with the last entry");

        h.advance(2 * DelayedAcks.DELAY_NANOS);
        assertEquals(1, since(mark).size(), "nothing owed when the delay runs out: " + since(mark));
    }

    @Test
    void withoutAnAnswerTheAckGoesAloneWhenTheDelayRunsOut() {
        firstExchange();
        int mark = h.log.size();
        g.send(ascii("req2"), false);
        h.run();
        h.advance(DelayedAcks.DELAY_NANOS - 1000);
        assertEquals(List.of(), since(mark), "still waiting for an answer");
        h.advance(1000);
        List<TcpHarness.Seg> sent = since(mark);
        assertEquals(1, sent.size(), sent.toString());
        assertPureAckOfAll(sent.get(0));
    }

    @Test
    void aSecondSegmentIsAcknowledgedAtOnce() {
        firstExchange();
        int mark = h.log.size();
        g.send(ascii("req2"), false);
        h.run();
        g.send(ascii("more"), false);
        h.run();
        List<TcpHarness.Seg> sent = since(mark);
        assertEquals(1, sent.size(), "one ACK for both, without waiting: " + sent);
        assertPureAckOfAll(sent.get(0));
    }

    @Test
    void aBulkSendersSegmentsAreAcknowledgedAtOnce() {
        for (int i = 0; i < 3; i++) {
            int mark = h.log.size();
            g.send(ascii("chunk" + i), false);
            h.run();
            List<TcpHarness.Seg> sent = since(mark);
            assertEquals(1, sent.size(), "segment " + i + ": " + sent);
            assertPureAckOfAll(sent.get(0));
        }
    }

    @Test
    void aFinIsAcknowledgedAtOnce() {
        firstExchange();
        int mark = h.log.size();
        g.send(ascii("bye"), true);
        h.run();
        List<TcpHarness.Seg> sent = since(mark);
        assertEquals(1, sent.size(), sent.toString());
        assertPureAckOfAll(sent.get(0));
        assertTrue(host.outputShutdown);
    }

    @Test
    void aSegmentThatFillsAGapIsAcknowledgedAtOnce() {
        firstExchange();
        g.auto = false; // the test sends the two halves of the next request itself, in reverse order
        byte[] first = ascii("req2-");
        byte[] second = ascii("part2");
        int seq = g.sndNxt;
        int mark = h.log.size();
        g.raw(seq + first.length, g.rcvNxt, TcpSegment.ACK | TcpSegment.PSH, 65535, second);
        h.run();
        assertEquals(1, since(mark).size(), "a duplicate ACK for the segment behind the gap: " + since(mark));
        mark = h.log.size();
        g.raw(seq, g.rcvNxt, TcpSegment.ACK, 65535, first);
        h.run();
        List<TcpHarness.Seg> sent = since(mark);
        assertTrue(!sent.isEmpty(), "RFC 5681 4.2: a segment that fills a gap is acknowledged at once");
        assertEquals(seq + first.length + second.length, sent.get(0).ack(), sent.toString());
        assertEquals("req1req2-part2", host.written.toString(StandardCharsets.US_ASCII));
    }

    @Test
    void aSegmentAboveTheMssIsAcknowledgedAtOnce() {
        firstExchange();
        g.superPacket = 3 * h.config.mss(); // a GSO super-packet: several segments' worth
        int mark = h.log.size();
        g.send(new byte[g.superPacket], false);
        h.run();
        List<TcpHarness.Seg> sent = since(mark);
        assertTrue(!sent.isEmpty(), "acknowledged without waiting");
        assertPureAckOfAll(sent.get(0)); // (a window update may follow once the host took it)
    }

    @Test
    void aWaitingAckGoesWithTheConnection() {
        firstExchange();
        g.send(ascii("req2"), false);
        h.run();
        g.raw(g.sndNxt, g.rcvNxt, TcpSegment.RST, 0, new byte[0]);
        h.run();
        assertEquals(0, h.stack.connectionCount());
        int mark = h.log.size();
        h.advance(2 * DelayedAcks.DELAY_NANOS);
        assertEquals(List.of(), since(mark), "no ACK for a connection that is gone");
    }
}
