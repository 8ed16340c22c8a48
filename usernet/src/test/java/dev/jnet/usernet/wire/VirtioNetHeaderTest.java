package dev.jnet.usernet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The virtio_net_hdr codec: byte layout (little-endian), flags, and completing a partial checksum as a NIC would. */
class VirtioNetHeaderTest {
    @Test
    void writesTheKernelsLayoutLittleEndian() {
        ByteBuf b = Unpooled.buffer(12).writerIndex(12);
        VirtioNetHeader.write(b, 0, VirtioNetHeader.LENGTH_MRG_RXBUF, VirtioNetHeader.F_NEEDS_CSUM,
                VirtioNetHeader.GSO_TCPV4, 66, 1448, 34, 16);
        byte[] bytes = new byte[12];
        b.getBytes(0, bytes);
        assertThat(bytes).containsExactly(1, 1, 66, 0, (byte) 0xA8, 5, 34, 0, 16, 0, 0, 0);
    }

    @Test
    void readsBackWhatWasWritten() {
        ByteBuf b = Unpooled.buffer(14).writerIndex(14);
        VirtioNetHeader.write(b, 4, VirtioNetHeader.LENGTH, VirtioNetHeader.F_NEEDS_CSUM,
                VirtioNetHeader.GSO_TCPV6 | VirtioNetHeader.GSO_ECN, 86, 1428, 54, 16);
        VirtioNetHeader h = new VirtioNetHeader().read(b, 4);
        assertThat(h.needsChecksum()).isTrue();
        assertThat(h.dataValid()).isFalse();
        assertThat(h.segmented()).isTrue();
        assertThat(h.gsoProtocol()).isEqualTo(VirtioNetHeader.GSO_TCPV6);
        assertThat(h.hdrLen()).isEqualTo(86);
        assertThat(h.gsoSize()).isEqualTo(1428);
        assertThat(h.csumStart()).isEqualTo(54);
        assertThat(h.csumOffset()).isEqualTo(16);
        assertThat(h.partialTcpOrUdp()).isTrue();
    }

    @Test
    void aPlainHeaderIsNoSuperPacketAndNoPartialChecksum() {
        ByteBuf b = Unpooled.buffer(10).writerIndex(10);
        VirtioNetHeader.write(b, 0, VirtioNetHeader.LENGTH, VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0);
        VirtioNetHeader h = new VirtioNetHeader().read(b, 0);
        assertThat(h.segmented()).isFalse();
        assertThat(h.needsChecksum()).isFalse();
        assertThat(h.dataValid()).isTrue();
        assertThat(h.partialTcpOrUdp()).isFalse();
    }

    /** A TCP segment with only the pseudo-header sum in its field verifies once completed, and equals the full checksum. */
    @Test
    void completingAPartialTcpChecksumGivesTheFullOne() {
        int src = 0x0A000264;
        int dst = 0xCB00710A;
        byte[] payload = new byte[3001]; // odd: the last byte is padded
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7 + 3);
        }
        int ipStart = 14;
        int tcpStart = ipStart + 20;
        ByteBuf full = segment(src, dst, payload, tcpStart);
        int len = 20 + payload.length;
        new TcpSegment().wrap(full, tcpStart, len).fillChecksumIpv4(src, dst);

        ByteBuf partial = segment(src, dst, payload, tcpStart);
        new TcpSegment().wrap(partial, tcpStart, len)
                .fillPartialChecksum(InternetChecksum.pseudoHeaderV4(src, dst, Ipv4Packet.PROTO_TCP, len));
        assertThat(new TcpSegment().wrap(partial, tcpStart, len).verifyChecksumIpv4(src, dst)).isFalse();

        ByteBuf hdr = Unpooled.buffer(10).writerIndex(10);
        VirtioNetHeader.write(hdr, 0, 10, VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, tcpStart, 16);
        VirtioNetHeader h = new VirtioNetHeader().read(hdr, 0);
        assertThat(h.completeChecksum(partial, 0, partial.writerIndex())).isTrue();
        assertThat(partial.getUnsignedShort(tcpStart + 16)).isEqualTo(full.getUnsignedShort(tcpStart + 16));
        assertThat(new TcpSegment().wrap(partial, tcpStart, len).verifyChecksumIpv4(src, dst)).isTrue();
    }

    @Test
    void offsetsOutsideTheFrameAreRefused() {
        ByteBuf hdr = Unpooled.buffer(10).writerIndex(10);
        VirtioNetHeader.write(hdr, 0, 10, VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 60, 16);
        ByteBuf frame = Unpooled.buffer(70).writerIndex(70);
        assertThat(new VirtioNetHeader().read(hdr, 0).completeChecksum(frame, 0, 70)).isFalse();
        assertThat(frame.getUnsignedShort(60 + 6)).isZero();
    }

    private static ByteBuf segment(int src, int dst, byte[] payload, int tcpStart) {
        ByteBuf b = Unpooled.buffer(tcpStart + 20 + payload.length);
        b.writerIndex(tcpStart);
        TcpSegment.emitHeader(b, tcpStart, 40000, 5201, 12345, 678, TcpSegment.ACK | TcpSegment.PSH, 500, 0, null);
        b.writerIndex(tcpStart + 20);
        b.writeBytes(payload);
        return b;
    }
}
