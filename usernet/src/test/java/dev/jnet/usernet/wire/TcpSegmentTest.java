package dev.jnet.usernet.wire;

import static dev.jnet.usernet.wire.WireBytes.hex;
import static dev.jnet.usernet.wire.WireBytes.naiveChecksum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class TcpSegmentTest {
    static final byte[] SRC = hex("0a00020f");
    static final byte[] DST = hex("5db8d822");

    /** A Linux-style SYN to port 80: MSS 1460, SACK-permitted, TS 0x01020304/0, WS 7. */
    static final byte[] SYN_NO_CSUM = hex(
            "b5d6 0050 3ade68b1 00000000 a0 02 faf0 0000 0000"
            + "020405b4 0402080a 01020304 00000000 01030307");

    @Test
    void synWithOptionsByteExact() {
        byte[] expected = SYN_NO_CSUM.clone();
        int csum = naiveChecksum(WireBytes.concat(
                WireBytes.pseudoV4(SRC, DST, 6, expected.length), expected));
        expected[16] = (byte) (csum >>> 8);
        expected[17] = (byte) csum;

        ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(40, 40);
        try {
            TcpOptions opts = new TcpOptions().mss(1460).sackPermitted(true)
                    .timestamps(0x01020304, 0).windowScale(7);
            assertThat(TcpSegment.optionsLength(opts)).isEqualTo(20);
            int hl = TcpSegment.emitHeader(buf, 0, 0xb5d6, 80, 0x3ade68b1, 0, TcpSegment.SYN,
                    64240, 0, opts);
            assertThat(hl).isEqualTo(40);
            TcpSegment tcp = new TcpSegment().wrap(buf, 0, hl);
            tcp.fillChecksumIpv4(0x0a00020f, 0x5db8d822);
            assertThat(WireBytes.bytes(buf, 0, 40)).isEqualTo(expected);

            assertThat(tcp.check()).isTrue();
            assertThat(tcp.verifyChecksumIpv4(0x0a00020f, 0x5db8d822)).isTrue();
            assertThat(tcp.srcPort()).isEqualTo(0xb5d6);
            assertThat(tcp.dstPort()).isEqualTo(80);
            assertThat(tcp.seq()).isEqualTo(0x3ade68b1);
            assertThat(tcp.ackNumber()).isZero();
            assertThat(tcp.dataOffset()).isEqualTo(10);
            assertThat(tcp.flags()).isEqualTo(TcpSegment.SYN);
            assertThat(tcp.syn()).isTrue();
            assertThat(tcp.ack() || tcp.fin() || tcp.rst() || tcp.psh() || tcp.urg()
                    || tcp.ece() || tcp.cwr()).isFalse();
            assertThat(tcp.window()).isEqualTo(64240);
            assertThat(tcp.urgentPointer()).isZero();
            assertThat(tcp.payloadLength()).isZero();
            assertThat(tcp.segmentLength()).isEqualTo(1);

            TcpOptions parsed = new TcpOptions();
            assertThat(tcp.parseOptions(parsed)).isTrue();
            assertThat(parsed.mss).isEqualTo(1460);
            assertThat(parsed.windowScale).isEqualTo(7);
            assertThat(parsed.sackPermitted).isTrue();
            assertThat(parsed.hasTimestamps).isTrue();
            assertThat(parsed.tsVal).isEqualTo(0x01020304);
            assertThat(parsed.tsEcr).isZero();
            assertThat(parsed.sackBlockCount).isZero();
            assertThat(parsed.malformed).isFalse();

            for (int i = 0; i < 40; i++) {
                buf.setByte(i, buf.getByte(i) ^ 0x04);
                assertThat(tcp.verifyChecksumIpv4(0x0a00020f, 0x5db8d822)).as("byte %d", i)
                        .isFalse();
                buf.setByte(i, buf.getByte(i) ^ 0x04);
            }
        } finally {
            buf.release();
        }
    }

    @Test
    void roundTripWithPayloadSackAndAllFlags() {
        ByteBuf buf = Unpooled.directBuffer(100);
        try {
            TcpOptions opts = new TcpOptions().timestamps(-1, 0x7fffffff)
                    .addSackBlock(1000, 2000).addSackBlock(-10, 5);
            int flags = TcpSegment.ACK | TcpSegment.PSH | TcpSegment.FIN | TcpSegment.URG
                    | TcpSegment.ECE | TcpSegment.CWR;
            int hl = TcpSegment.emitHeader(buf, 3, 40000, 443, 0xfffffff0, 0x80000000, flags,
                    1234, 7, opts);
            assertThat(hl).isEqualTo(20 + 12 + 4 + 16);
            buf.setBytes(3 + hl, hex("deadbeef01"));
            TcpSegment tcp = new TcpSegment().wrap(buf, 3, hl + 5);
            tcp.fillChecksumIpv4(0x7f000001, 0x7f000002);
            assertThat(tcp.check()).isTrue();
            assertThat(tcp.verifyChecksumIpv4(0x7f000001, 0x7f000002)).isTrue();
            assertThat(tcp.seq()).isEqualTo(0xfffffff0);
            assertThat(tcp.ackNumber()).isEqualTo(0x80000000);
            assertThat(tcp.flags()).isEqualTo(flags);
            assertThat(tcp.hasFlags(TcpSegment.ACK | TcpSegment.FIN)).isTrue();
            assertThat(tcp.hasFlags(TcpSegment.SYN | TcpSegment.ACK)).isFalse();
            assertThat(tcp.urgentPointer()).isEqualTo(7);
            assertThat(tcp.payloadOffset()).isEqualTo(3 + hl);
            assertThat(tcp.payloadLength()).isEqualTo(5);
            assertThat(tcp.segmentLength()).isEqualTo(6);
            assertThat(TcpSegment.flagsToString(tcp.flags())).isEqualTo("FPUEW.");
            TcpOptions parsed = new TcpOptions();
            assertThat(tcp.parseOptions(parsed)).isTrue();
            assertThat(parsed.mss).isEqualTo(-1);
            assertThat(parsed.windowScale).isEqualTo(-1);
            assertThat(parsed.sackPermitted).isFalse();
            assertThat(parsed.tsVal).isEqualTo(-1);
            assertThat(parsed.tsEcr).isEqualTo(0x7fffffff);
            assertThat(parsed.sackBlockCount).isEqualTo(2);
            assertThat(parsed.sackBlocks).startsWith(1000, 2000, -10, 5);
            assertThat(parsed.toString()).contains("sack=1000-2000");

            tcp.setSrcPort(1).setDstPort(2).setSeq(3).setAckNumber(4).setFlags(TcpSegment.RST)
                    .setWindow(5).setUrgentPointer(6).setChecksum(7);
            assertThat(tcp.srcPort()).isEqualTo(1);
            assertThat(tcp.dstPort()).isEqualTo(2);
            assertThat(tcp.seq()).isEqualTo(3);
            assertThat(tcp.ackNumber()).isEqualTo(4);
            assertThat(tcp.rst()).isTrue();
            assertThat(tcp.window()).isEqualTo(5);
            assertThat(tcp.urgentPointer()).isEqualTo(6);
            assertThat(tcp.checksum()).isEqualTo(7);
        } finally {
            buf.release();
        }
    }

    @Test
    void optionsTooLongForHeaderAreRefused() {
        ByteBuf buf = Unpooled.buffer(80);
        try {
            TcpOptions opts = new TcpOptions().mss(1).timestamps(1, 2).addSackBlock(1, 2)
                    .addSackBlock(3, 4).addSackBlock(5, 6);
            assertThatThrownBy(() -> TcpSegment.emitHeader(buf, 0, 1, 2, 3, 4, 5, 6, 0, opts))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> opts.addSackBlock(7, 8).addSackBlock(9, 10))
                    .isInstanceOf(IllegalStateException.class);
        } finally {
            buf.release();
        }
    }

    @Test
    void optionParserSkipsNopAndUnknownAndStopsAtEol() {
        TcpOptions out = new TcpOptions();
        // NOP, unknown kind 30 len 4, MSS, EOL, then a would-be WS that must be ignored
        assertThat(parse("01 1e04aaaa 02040218 00 010303 07", out)).isTrue();
        assertThat(out.mss).isEqualTo(0x218);
        assertThat(out.windowScale).isEqualTo(-1);
        // window scale above 14 is clamped
        assertThat(parse("010303ff", out)).isTrue();
        assertThat(out.windowScale).isEqualTo(14);
    }

    @Test
    void malformedOptionsAreFlaggedNotThrown() {
        TcpOptions out = new TcpOptions();
        assertThat(parse("02", out)).as("kind without length").isFalse();
        assertThat(parse("0200", out)).as("length 0").isFalse();
        assertThat(parse("0201", out)).as("length 1").isFalse();
        assertThat(parse("020605b4", out)).as("length beyond area").isFalse();
        assertThat(parse("0203 05 01", out)).as("MSS with wrong length").isFalse();
        assertThat(out.mss).isEqualTo(-1);
        assertThat(parse("080a0102", out)).as("truncated timestamps").isFalse();
        assertThat(out.hasTimestamps).isFalse();
        assertThat(parse("0503 00 01010101", out)).as("SACK length 3").isFalse();
        assertThat(parse("ff02 020405b4", out)).as("unknown then MSS").isTrue();
        assertThat(out.mss).isEqualTo(1460);
        assertThat(parse("", out)).isTrue();
    }

    @Test
    void dataOffsetIsValidatedAgainstRegion() {
        ByteBuf buf = Unpooled.buffer(24).writeZero(24);
        try {
            TcpSegment tcp = new TcpSegment().wrap(buf, 0, 24);
            buf.setByte(12, 0x40); // 16 bytes < 20
            assertThat(tcp.check()).isFalse();
            buf.setByte(12, 0x70); // 28 bytes > 24
            assertThat(tcp.check()).isFalse();
            buf.setByte(12, 0x60); // 24 bytes: options NUL-filled (EOL)
            assertThat(tcp.check()).isTrue();
            assertThat(tcp.optionsLength()).isEqualTo(4);
            assertThat(tcp.parseOptions(new TcpOptions())).isTrue();
            assertThat(tcp.wrap(buf, 0, 19).check()).isFalse();
        } finally {
            buf.release();
        }
    }

    private static boolean parse(String hexOptions, TcpOptions out) {
        byte[] opts = hex(hexOptions);
        // the options area ends exactly at the buffer's capacity: any overrun would throw
        ByteBuf buf = Unpooled.wrappedBuffer(WireBytes.concat(new byte[] {0x55}, opts));
        try {
            return TcpSegment.parseOptions(buf, 1, opts.length, out);
        } finally {
            buf.release();
        }
    }
}
