package dev.jnet.usernet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReassemblyQueueTest {
    @Test
    void keepsSegmentsSortedAcrossWrapAroundAndHonoursBothBounds() {
        ByteBuf frame = Unpooled.buffer(100_000).writerIndex(100_000);
        ReassemblyQueue q = new ReassemblyQueue(8);
        Random r = new Random(3);
        int base = -50; // sequence numbers wrap through 0
        for (int round = 0; round < 50; round++) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                order.add(i);
            }
            Collections.shuffle(order, r);
            for (int i : order) {
                assertTrue(q.offer(base + 10 * i, frame, 0, 10, 1000));
            }
            assertTrue(q.offer(base + 20, frame, 0, 10, 1000), "duplicate is held");
            assertEquals(8, q.segments());
            assertFalse(q.offer(base + 100, frame, 0, 10, 1000), "segment bound");
            for (int i = 0; i < 8; i++) {
                assertEquals(base + 10 * i, q.firstSeq());
                q.pollFirst().release();
            }
            base += 80;
        }
        assertFalse(q.offer(0, frame, 0, 600, 1000) && q.offer(600, frame, 0, 600, 1000), "byte bound");
        q.clear();
        assertEquals(0, q.bytes());
        assertEquals(1, frame.refCnt(), "every slice released");
        frame.release();
    }
}
