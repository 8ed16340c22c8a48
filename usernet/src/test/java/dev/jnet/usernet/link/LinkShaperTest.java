package dev.jnet.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.ManualScheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkShaperTest {
    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<ByteBuf> made = new ArrayList<>();
    private final List<Integer> delivered = new ArrayList<>();
    private final LinkShaper shaper = new LinkShaper(scheduler, frame -> {
        delivered.add(frame.getInt(frame.readerIndex()));
        frame.release();
    });

    private ByteBuf frame(int i, int size) {
        ByteBuf b = Unpooled.directBuffer(size).writeInt(i).writeZero(size - 4);
        made.add(b);
        return b;
    }

    @Test
    void unlimitedPassesAtOnceInOrder() {
        for (int i = 0; i < 10; i++) {
            shaper.receiveFrame(frame(i, 100));
        }
        assertThat(delivered).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(shaper.counters()).isEqualTo(new LinkShaper.Counters(10, 0, 0, 0));
    }

    @Test
    void aRateSpacesFramesByTheirSerializationTime() {
        shaper.rate(8_000_000); // 1 byte per microsecond: a 1000-byte frame occupies the wire 1 ms
        for (int i = 0; i < 3; i++) {
            shaper.receiveFrame(frame(i, 1000));
        }
        assertThat(delivered).containsExactly(0);
        scheduler.advance(999_000);
        assertThat(delivered).containsExactly(0);
        scheduler.advance(1_000);
        assertThat(delivered).containsExactly(0, 1);
        scheduler.advance(1_000_000);
        assertThat(delivered).containsExactly(0, 1, 2);
    }

    @Test
    void theQueueIsBoundedAndTailDrops() {
        shaper.rate(8_000);
        for (int i = 0; i < LinkShaper.QUEUE_FRAMES + 10; i++) {
            shaper.receiveFrame(frame(i, 64));
        }
        // one frame went at once, QUEUE_FRAMES wait, the rest were dropped and released
        assertThat(shaper.counters().queueDropped()).isEqualTo(9);
        assertThat(shaper.counters().queued()).isEqualTo(LinkShaper.QUEUE_FRAMES);
        shaper.close();
        assertThat(made).allMatch(b -> b.refCnt() == 0);
    }

    @Test
    void aPartitionDropsEverythingUntilMendedAndEmptiesTheQueue() {
        shaper.rate(8_000_000);
        shaper.receiveFrame(frame(0, 1000));
        shaper.receiveFrame(frame(1, 1000));
        shaper.partition(true);
        shaper.receiveFrame(frame(2, 1000));
        scheduler.advance(10_000_000);
        assertThat(delivered).containsExactly(0);
        shaper.partition(false);
        shaper.rate(0);
        shaper.receiveFrame(frame(3, 1000));
        assertThat(delivered).containsExactly(0, 3);
        assertThat(shaper.counters().partitionDropped()).isEqualTo(2);
        assertThat(made).allMatch(b -> b.refCnt() == 0);
    }

    @Test
    void faultRatesChangeAtRuntime() {
        List<Integer> got = new ArrayList<>();
        FaultInjector f = new FaultInjector(new FaultInjector.Config(1, FaultInjector.Faults.NONE,
                FaultInjector.Faults.NONE), scheduler);
        FrameHandler h = f.guestToStack(frame -> {
            got.add(frame.getInt(0));
            frame.release();
        });
        h.receiveFrame(frame(0, 64));
        f.setFaults(new FaultInjector.Faults(1, 0, 0, 0, 0, 0), FaultInjector.Faults.NONE);
        h.receiveFrame(frame(1, 64));
        f.setFaults(FaultInjector.Faults.NONE, FaultInjector.Faults.NONE);
        h.receiveFrame(frame(2, 64));
        assertThat(got).containsExactly(0, 2);
        assertThat(f.toStackCounters().dropped()).isEqualTo(1);
    }
}
