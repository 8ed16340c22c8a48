package dev.jnet.usernet.wire;

import static dev.jnet.usernet.wire.WireBytes.hex;
import static dev.jnet.usernet.wire.WireBytes.naiveChecksum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UdpDatagramTest {
    static final byte[] SRC = hex("0a00020f");
    static final byte[] DST = hex("0a000203");

    @Test
    void dnsQueryOverIpv4ByteExact() {
        byte[] payload = "hello, dns".getBytes(StandardCharsets.US_ASCII); // 10 bytes
        byte[] udpNoCsum = WireBytes.concat(hex("d431 0035 0012 0000"), payload);
        int expected = naiveChecksum(WireBytes.concat(
                WireBytes.pseudoV4(SRC, DST, 17, udpNoCsum.length), udpNoCsum));

        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        try {
            int n = Ipv4Packet.emitHeader(buf, 0, 0x0a00020f, 0x0a000203, 17, 64, 1, 18);
            n += UdpDatagram.emitHeader(buf, n, 0xd431, 53, payload.length);
            buf.setBytes(n, payload);
            buf.writerIndex(n + payload.length);
            Ipv4Packet ip = new Ipv4Packet().wrap(buf);
            assertThat(ip.check()).isTrue();
            UdpDatagram udp = new UdpDatagram().wrap(buf, ip.payloadOffset(), ip.payloadLength());
            udp.fillChecksumIpv4(ip.src(), ip.dst());
            assertThat(udp.checksum()).isEqualTo(expected);

            assertThat(udp.check()).isTrue();
            assertThat(udp.srcPort()).isEqualTo(0xd431);
            assertThat(udp.dstPort()).isEqualTo(53);
            assertThat(udp.udpLength()).isEqualTo(18);
            assertThat(udp.payloadOffset()).isEqualTo(28);
            assertThat(udp.payloadLength()).isEqualTo(10);
            assertThat(udp.verifyChecksumIpv4(ip.src(), ip.dst())).isTrue();
            assertThat(udp.verifyChecksum(ip.pseudoHeaderSum())).isTrue();
            assertThat(udp.verifyChecksumIpv4(ip.src(), ip.dst() + 1)).isFalse();
            for (int i = 20; i < 38; i++) {
                buf.setByte(i, buf.getByte(i) ^ 0x10);
                assertThat(udp.verifyChecksumIpv4(ip.src(), ip.dst())).as("byte %d", i).isFalse();
                buf.setByte(i, buf.getByte(i) ^ 0x10);
            }
        } finally {
            buf.release();
        }
    }

    @Test
    void zeroChecksumMeansNoneOnlyForIpv4() {
        ByteBuf buf = Unpooled.buffer(8 + 40).writeZero(48);
        try {
            Ipv6Packet ip6 = new Ipv6Packet().wrap(buf, 0, 40);
            ip6.setVersionTrafficClassFlowLabel(0, 0).setPayloadLength(8);
            UdpDatagram udp = new UdpDatagram().wrap(buf, 40, 8);
            UdpDatagram.emitHeader(buf, 40, 1, 2, 0);
            assertThat(udp.checksum()).isZero();
            assertThat(udp.verifyChecksumIpv4(1, 2)).isTrue();
            assertThat(udp.verifyChecksumIpv6(ip6)).isFalse();
            udp.fillChecksumIpv6(ip6);
            assertThat(udp.verifyChecksumIpv6(ip6)).isTrue();
        } finally {
            buf.release();
        }
    }

    @Test
    void computedZeroIsSentAsAllOnes() {
        // choose ports so that the sum of the whole datagram + pseudo-header is 0xffff
        ByteBuf buf = Unpooled.buffer(8).writeZero(8);
        try {
            UdpDatagram udp = new UdpDatagram().wrap(buf, 0, 8);
            udp.setSrcPort(0).setUdpLength(8);
            long pseudo = InternetChecksum.pseudoHeaderV4(0, 0, 17, 8); // 17 + 8 = 0x19
            // sum = 0x19 (pseudo) + 8 (len) + dst port; make it 0xffff
            udp.setDstPort(0xffff - 0x19 - 8);
            udp.fillChecksum(pseudo);
            assertThat(udp.checksum()).isEqualTo(0xffff);
            assertThat(udp.verifyChecksum(pseudo)).isTrue();
        } finally {
            buf.release();
        }
    }

    @Test
    void rejectsBadLengthField() {
        ByteBuf buf = Unpooled.buffer(16).writeZero(16);
        try {
            UdpDatagram udp = new UdpDatagram().wrap(buf, 0, 16);
            udp.setUdpLength(7);
            assertThat(udp.check()).isFalse();
            udp.setUdpLength(17);
            assertThat(udp.check()).isFalse();
            // checksum methods never read past the region even if called without check()
            assertThat(udp.verifyChecksumIpv4(1, 2)).isFalse();
            assertThat(udp.verifyChecksum(0)).isFalse();
            assertThatThrownBy(() -> udp.fillChecksumIpv4(1, 2))
                    .isInstanceOf(IllegalStateException.class);
            udp.setUdpLength(12);
            assertThat(udp.check()).isTrue();
            assertThat(udp.payloadLength()).isEqualTo(4);
            assertThat(udp.wrap(buf, 0, 7).check()).isFalse();
        } finally {
            buf.release();
        }
    }
}
