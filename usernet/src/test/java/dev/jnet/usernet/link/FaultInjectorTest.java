package dev.jnet.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.ManualScheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {
    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<ByteBuf> made = new ArrayList<>();
    private final List<byte[]> delivered = new ArrayList<>();

    private ByteBuf frame(int i) {
        ByteBuf b = Unpooled.directBuffer(64).writeInt(i).writeZero(60);
        made.add(b);
        return b;
    }

    private FrameHandler handler(FaultInjector f) {
        return f.guestToStack(frame -> {
            byte[] b = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), b);
            delivered.add(b);
            frame.release();
        });
    }

    @Test
    void withoutFaultsEveryFramePassesInOrder() {
        FaultInjector f = new FaultInjector(new FaultInjector.Config(1, FaultInjector.Faults.NONE, FaultInjector.Faults.NONE),
                scheduler);
        FrameHandler h = handler(f);
        for (int i = 0; i < 100; i++) {
            h.receiveFrame(frame(i));
        }
        assertThat(delivered).hasSize(100);
        for (int i = 0; i < 100; i++) {
            assertThat(Unpooled.wrappedBuffer(delivered.get(i)).getInt(0)).isEqualTo(i);
        }
        assertThat(made).allMatch(b -> b.refCnt() == 0);
    }

    @Test
    void closeReleasesHeldAndDelayedFramesAndLaterFramesAreDropped() {
        FaultInjector f = new FaultInjector(new FaultInjector.Config(3,
                new FaultInjector.Faults(0, 0.3, 0.3, 0.3, 0.5, 50_000_000L), FaultInjector.Faults.NONE), scheduler);
        FrameHandler h = handler(f);
        for (int i = 0; i < 200; i++) {
            h.receiveFrame(frame(i));
        }
        assertThat(f.toStackCounters().delayed()).isPositive();
        f.close();
        h.receiveFrame(frame(999));
        scheduler.advance(1_000_000_000L);
        assertThat(made).as("every frame released: delivered, held, delayed or dropped").allMatch(b -> b.refCnt() == 0);
        FaultInjector.Counters c = f.toStackCounters();
        assertThat(delivered).hasSize((int) c.passed());
    }

    @Test
    void corruptionFlipsOneBitOfACopyAndLeavesTheOriginalIntact() {
        FaultInjector f = new FaultInjector(new FaultInjector.Config(5, FaultInjector.Faults.NONE,
                new FaultInjector.Faults(0, 0, 0, 1, 0, 0)), scheduler);
        List<ByteBuf> sent = new ArrayList<>();
        FrameSink sink = f.stackToGuest(new FrameSink() {
            @Override
            public io.netty.buffer.ByteBufAllocator alloc() {
                return UnpooledByteBufAllocator.DEFAULT;
            }

            @Override
            public void sendFrame(ByteBuf frame) {
                sent.add(frame);
            }
        });
        ByteBuf original = frame(7);
        ByteBuf kept = original.retainedDuplicate(); // as a retransmission queue keeps it
        sink.sendFrame(original);
        assertThat(sent).hasSize(1);
        int differingBits = 0;
        for (int i = 0; i < 64; i++) {
            differingBits += Integer.bitCount((sent.get(0).getByte(i) ^ kept.getByte(i)) & 0xFF);
        }
        assertThat(differingBits).isEqualTo(1);
        assertThat(kept.getInt(0)).isEqualTo(7);
        assertThat(kept.getByte(10)).isZero();
        sent.get(0).release();
        kept.release();
        assertThat(original.refCnt()).isZero();
    }
}
