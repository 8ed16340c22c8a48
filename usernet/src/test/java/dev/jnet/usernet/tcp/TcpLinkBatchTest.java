package dev.jnet.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Segments the link hands over in one batch ({@link TcpStack#startOfBatch} .. {@link
 * TcpStack#endOfBatch}): their host writes and ACKs go when the batch ends, in that call, not
 * from a task of the loop's; segments outside a batch still get the task.
 */
class TcpLinkBatchTest {
    private static final int PORT = 41500;
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

    private List<TcpHarness.Seg> since(int from) {
        return h.log.subList(from, h.log.size()).stream().filter(s -> s.dstPort() == PORT).toList();
    }

    @Test
    void theSegmentsOfABatchAreWrittenToTheHostAndAcknowledgedWhenItEnds() {
        int mark = h.log.size();
        int flushes = host.flushes;
        h.stack.startOfBatch();
        g.send(ascii("one"), false);
        g.send(ascii("two"), false);
        h.run(); // both segments in, and every task the loop has
        assertThat(host.flushes).as("no host flush before the batch ends").isEqualTo(flushes);
        assertThat(host.written.size()).isZero();
        assertThat(since(mark)).as("no ACK before the batch ends").isEmpty();

        h.stack.endOfBatch();
        assertThat(host.flushes).as("one host flush for both segments, within endOfBatch").isEqualTo(flushes + 1);
        assertThat(host.pendingBytes).isEqualTo(6);
        List<TcpHarness.Seg> acks = since(mark);
        assertThat(acks).as("one ACK for the batch").hasSize(1);
        assertThat(acks.get(0).ack()).isEqualTo(g.sndNxt);

        h.run();
        assertThat(host.written.toString(StandardCharsets.US_ASCII)).isEqualTo("onetwo");
    }

    @Test
    void segmentsOutsideABatchAreFlushedByATask() {
        h.stack.startOfBatch();
        h.stack.endOfBatch(); // an empty batch leaves nothing behind
        int mark = h.log.size();
        int flushes = host.flushes;
        g.send(ascii("three"), false);
        h.run();
        assertThat(host.flushes).isEqualTo(flushes + 1);
        assertThat(host.written.toString(StandardCharsets.US_ASCII)).isEqualTo("three");
        assertThat(since(mark)).hasSize(1);
        assertThat(since(mark).get(0).ack()).isEqualTo(g.sndNxt);
    }
}
