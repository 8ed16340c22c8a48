package dev.jnet.usernet.wire;

import static dev.jnet.usernet.wire.WireBytes.hex;
import static dev.jnet.usernet.wire.WireBytes.naiveChecksum;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class Ipv6Icmpv6Test {
    static final byte[] SRC = hex("fe800000000000000000000000000001");
    static final byte[] DST = hex("fe80000000000000024200fffe000002");

    @Test
    void echoRequestByteExact() {
        byte[] icmp = hex("8000 0000 abcd 0007 0102030405");
        int csum = naiveChecksum(WireBytes.concat(WireBytes.pseudoV6(SRC, DST, 58, icmp.length),
                icmp));
        byte[] ipHeader = WireBytes.concat(hex("6 12 34567 000d 3a 40"), SRC, DST);
        byte[] expected = WireBytes.concat(ipHeader, icmp);
        expected[40 + 2] = (byte) (csum >>> 8);
        expected[40 + 3] = (byte) csum;

        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(53, 53);
        try {
            buf.writerIndex(53);
            Ipv6Packet ip = new Ipv6Packet().wrap(buf);
            ip.setVersionTrafficClassFlowLabel(0x12, 0x34567).setPayloadLength(13)
                    .setNextHeader(Ipv6Packet.NH_ICMPV6).setHopLimit(64)
                    .setSrc(SRC, 0).setDst(0xfe80000000000000L, 0x024200fffe000002L);
            Icmpv6Packet icmp6 = new Icmpv6Packet().wrap(buf, ip.payloadOffset(),
                    ip.payloadLength());
            icmp6.setType(Icmpv6Packet.TYPE_ECHO_REQUEST).setCode(0).setEchoIdentifier(0xabcd)
                    .setEchoSequence(7);
            buf.setBytes(icmp6.payloadOffset(), hex("0102030405"));
            icmp6.fillChecksum(ip);
            assertThat(WireBytes.bytes(buf, 0, 53)).isEqualTo(expected);

            assertThat(ip.check()).isTrue();
            assertThat(ip.version()).isEqualTo(6);
            assertThat(ip.trafficClass()).isEqualTo(0x12);
            assertThat(ip.flowLabel()).isEqualTo(0x34567);
            assertThat(ip.payloadLength()).isEqualTo(13);
            assertThat(ip.nextHeader()).isEqualTo(58);
            assertThat(ip.hopLimit()).isEqualTo(64);
            assertThat(ip.srcHigh()).isEqualTo(0xfe80000000000000L);
            assertThat(ip.srcLow()).isEqualTo(1L);
            assertThat(ip.dstLow()).isEqualTo(0x024200fffe000002L);
            byte[] addr = new byte[16];
            ip.dst(addr, 0);
            assertThat(addr).isEqualTo(DST);
            ip.src(addr, 0);
            assertThat(addr).isEqualTo(SRC);
            assertThat(Ipv6Packet.toInetAddress(ip.srcHigh(), ip.srcLow()).getHostAddress())
                    .startsWith("fe80:0:0:0:0:0:0:1");
            assertThat(ip.toString()).contains("nh=58");

            assertThat(icmp6.check()).isTrue();
            assertThat(icmp6.type()).isEqualTo(128);
            assertThat(icmp6.code()).isZero();
            assertThat(icmp6.checksum()).isEqualTo(csum);
            assertThat(icmp6.echoIdentifier()).isEqualTo(0xabcd);
            assertThat(icmp6.echoSequence()).isEqualTo(7);
            assertThat(icmp6.messageWord()).isEqualTo(0xabcd0007);
            assertThat(icmp6.payloadLength()).isEqualTo(5);
            assertThat(icmp6.verifyChecksum(ip)).isTrue();
            // every byte of the addresses and the message is covered
            for (int i = 8; i < 53; i++) {
                buf.setByte(i, buf.getByte(i) ^ 0x20);
                assertThat(icmp6.verifyChecksum(ip)).as("byte %d", i).isFalse();
                buf.setByte(i, buf.getByte(i) ^ 0x20);
            }
        } finally {
            buf.release();
        }
    }

    @Test
    void tcpOverIpv6Checksum() {
        ByteBuf buf = Unpooled.buffer(60).writeZero(60);
        try {
            Ipv6Packet ip = new Ipv6Packet().wrap(buf);
            ip.setVersionTrafficClassFlowLabel(0, 0).setPayloadLength(20)
                    .setNextHeader(Ipv6Packet.NH_TCP).setHopLimit(1).setSrc(SRC, 0).setDst(DST, 0);
            TcpSegment.emitHeader(buf, 40, 1, 2, 3, 4, TcpSegment.ACK, 100, 0, null);
            TcpSegment tcp = new TcpSegment().wrap(buf, 40, 20);
            tcp.fillChecksumIpv6(ip);
            int expected = naiveChecksum(WireBytes.concat(WireBytes.pseudoV6(SRC, DST, 6, 20),
                    WireBytes.bytes(buf, 40, 16), new byte[2], WireBytes.bytes(buf, 58, 2)));
            assertThat(tcp.checksum()).isEqualTo(expected);
            assertThat(tcp.verifyChecksumIpv6(ip)).isTrue();
            assertThat(tcp.verifyChecksum(ip.pseudoHeaderSum(6, 20))).isTrue();
        } finally {
            buf.release();
        }
    }

    @Test
    void rejectsBadVersionAndLength() {
        ByteBuf buf = Unpooled.buffer(48).writeZero(48);
        try {
            Ipv6Packet ip = new Ipv6Packet().wrap(buf);
            assertThat(ip.check()).as("version 0").isFalse();
            ip.setVersionTrafficClassFlowLabel(0, 0).setPayloadLength(8);
            assertThat(ip.check()).isTrue();
            ip.setPayloadLength(9);
            assertThat(ip.check()).isFalse();
            assertThat(ip.wrap(buf, 0, 39).check()).isFalse();
            assertThat(new Icmpv6Packet().wrap(buf, 40, 7).check()).isFalse();
        } finally {
            buf.release();
        }
    }
}
