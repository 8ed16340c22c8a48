package dev.jnet.usernet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The send buffer holds no composite until host bytes arrive, and charges the budget for what it holds. */
class SendBufferTest {
    private final TcpMemory memory = new TcpMemory(1 << 20);
    private final SendBuffer buffer = new SendBuffer(PooledByteBufAllocator.DEFAULT, memory);

    @Test
    void noCompositeUntilTheFirstHostBytes() {
        assertFalse(buffer.allocated(), "a connection that never gets host data allocates nothing");
        assertEquals(0, buffer.readable());
        buffer.acknowledge(0); // the guest's ACK of our SYN-ACK or FIN: no data
        buffer.release();
        assertFalse(buffer.allocated());
        assertEquals(0, memory.used());
    }

    @Test
    void holdsChargesCopiesAndCreditsHostBytes() {
        ByteBuf data = Unpooled.directBuffer(5).writeBytes(new byte[] {1, 2, 3, 4, 5});
        buffer.append(data);
        assertTrue(buffer.allocated());
        assertEquals(5, buffer.readable());
        assertEquals(5, memory.used());
        ByteBuf out = Unpooled.buffer(2);
        buffer.copyTo(2, out, 2);
        assertEquals(3, out.getByte(0));
        assertEquals(4, out.getByte(1));
        buffer.acknowledge(3);
        assertEquals(2, buffer.readable());
        assertEquals(2, memory.used());
        buffer.release();
        assertEquals(0, memory.used());
        assertEquals(0, data.refCnt(), "the host's buffer went back");
    }

    @Test
    void bytesAfterReleaseAreDropped() {
        buffer.release();
        ByteBuf late = Unpooled.directBuffer(3).writeBytes(new byte[3]);
        buffer.append(late);
        assertEquals(0, late.refCnt());
        assertFalse(buffer.allocated());
        assertEquals(0, memory.used());
    }

    @Test
    void underPressureAMostlyEmptyLargeReadIsHeldInABufferOfItsSize() {
        ByteBuf relaxed = Unpooled.directBuffer(256 * 1024).writeBytes(new byte[] {1, 2, 3});
        buffer.append(relaxed);
        assertEquals(1, relaxed.refCnt(), "no pressure: held as it is (no copy)");

        memory.charge(1 << 19); // half the budget used elsewhere
        assertTrue(memory.underPressure());
        ByteBuf big = Unpooled.directBuffer(256 * 1024).writeBytes(new byte[] {7, 8, 9});
        buffer.append(big);
        assertEquals(0, big.refCnt(), "under pressure the 256 KiB read buffer went back at once");
        assertEquals(6, buffer.readable());
        ByteBuf out = Unpooled.buffer(3);
        buffer.copyTo(3, out, 3);
        assertEquals(9, out.getByte(2));

        ByteBuf full = Unpooled.directBuffer(64 * 1024).writeBytes(new byte[40 * 1024]);
        buffer.append(full);
        assertEquals(1, full.refCnt(), "a read filled beyond half is held as it is");
        buffer.release();
        memory.credit(1 << 19);
        assertEquals(0, memory.used());
    }
}
