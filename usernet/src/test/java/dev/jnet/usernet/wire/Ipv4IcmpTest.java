package dev.jnet.usernet.wire;

import static dev.jnet.usernet.wire.WireBytes.hex;
import static dev.jnet.usernet.wire.WireBytes.naiveChecksum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Ipv4IcmpTest {

    @Test
    void knownHeaderChecksum() {
        // a header 10.0.2.15 -> 10.0.2.2 (slirp addresses), UDP, checksum 226a computed independently
        ByteBuf buf = Unpooled.wrappedBuffer(WireBytes.concat(
                hex("45000073 00004000 4011226a 0a00020f 0a000202"), new byte[0x73 - 20]));
        try {
            Ipv4Packet ip = new Ipv4Packet().wrap(buf);
            assertThat(ip.check()).isTrue();
            assertThat(ip.version()).isEqualTo(4);
            assertThat(ip.ihl()).isEqualTo(5);
            assertThat(ip.totalLength()).isEqualTo(0x73);
            assertThat(ip.dontFragment()).isTrue();
            assertThat(ip.moreFragments()).isFalse();
            assertThat(ip.isFragment()).isFalse();
            assertThat(ip.ttl()).isEqualTo(64);
            assertThat(ip.protocol()).isEqualTo(Ipv4Packet.PROTO_UDP);
            assertThat(ip.checksum()).isEqualTo(0x226a);
            assertThat(ip.src()).isEqualTo(0x0a00020f);
            assertThat(ip.dst()).isEqualTo(0x0a000202);
            assertThat(ip.verifyChecksum()).isTrue();
            assertThat(ip.payloadOffset()).isEqualTo(20);
            assertThat(ip.payloadLength()).isEqualTo(0x73 - 20);
            ip.setChecksum(0).fillChecksum();
            assertThat(ip.checksum()).isEqualTo(0x226a);
            for (int i = 0; i < 20; i++) {
                buf.setByte(i, buf.getByte(i) ^ 0x01);
                assertThat(ip.verifyChecksum()).as("flip in byte %d", i).isFalse();
                buf.setByte(i, buf.getByte(i) ^ 0x01);
            }
        } finally {
            buf.release();
        }
    }

    @Test
    void icmpEchoRequestByteExact() {
        // ping 10.0.2.2 from 10.0.2.15, id 0x1234, seq 1, data "abcdefgh"
        byte[] icmpNoCsum = WireBytes.concat(hex("0800 0000 1234 0001"),
                "abcdefgh".getBytes(StandardCharsets.US_ASCII));
        int icmpCsum = naiveChecksum(icmpNoCsum);
        byte[] ipNoCsum = hex("45000024 abcd0000 40010000 0a00020f 0a000202");
        int ipCsum = naiveChecksum(ipNoCsum);

        ByteBuf buf = PooledByteBufAllocator.DEFAULT.heapBuffer(36);
        try {
            buf.writerIndex(36);
            Ipv4Packet ip = new Ipv4Packet().wrap(buf, 0, 36);
            ip.setVersionAndIhl(5).setDscpEcn(0, 0).setTotalLength(36).setIdentification(0xabcd)
                    .setFlagsAndFragmentOffset(0, 0).setTtl(64)
                    .setProtocol(Ipv4Packet.PROTO_ICMP).setSrc(0x0a00020f).setDst(0x0a000202)
                    .fillChecksum();
            IcmpV4Packet icmp = new IcmpV4Packet().wrap(buf, ip.payloadOffset(),
                    ip.payloadLength());
            icmp.setType(IcmpV4Packet.TYPE_ECHO_REQUEST).setCode(0).setEchoIdentifier(0x1234)
                    .setEchoSequence(1);
            buf.setBytes(icmp.payloadOffset(), "abcdefgh".getBytes(StandardCharsets.US_ASCII));
            icmp.fillChecksum();

            byte[] expectedIp = ipNoCsum.clone();
            expectedIp[10] = (byte) (ipCsum >>> 8);
            expectedIp[11] = (byte) ipCsum;
            byte[] expectedIcmp = icmpNoCsum.clone();
            expectedIcmp[2] = (byte) (icmpCsum >>> 8);
            expectedIcmp[3] = (byte) icmpCsum;
            assertThat(WireBytes.bytes(buf, 0, 36))
                    .isEqualTo(WireBytes.concat(expectedIp, expectedIcmp));

            // parse back
            assertThat(ip.check()).isTrue();
            assertThat(ip.verifyChecksum()).isTrue();
            assertThat(icmp.check()).isTrue();
            assertThat(icmp.verifyChecksum()).isTrue();
            assertThat(icmp.type()).isEqualTo(8);
            assertThat(icmp.code()).isZero();
            assertThat(icmp.checksum()).isEqualTo(icmpCsum);
            assertThat(icmp.echoIdentifier()).isEqualTo(0x1234);
            assertThat(icmp.echoSequence()).isEqualTo(1);
            assertThat(icmp.messageWord()).isEqualTo(0x12340001);
            assertThat(icmp.payloadLength()).isEqualTo(8);
            for (int i = 20; i < 36; i++) {
                buf.setByte(i, buf.getByte(i) ^ 0x80);
                assertThat(icmp.verifyChecksum()).as("flip in byte %d", i).isFalse();
                buf.setByte(i, buf.getByte(i) ^ 0x80);
            }
            // turn it into the reply in place
            icmp.setType(IcmpV4Packet.TYPE_ECHO_REPLY).fillChecksum();
            assertThat(icmp.verifyChecksum()).isTrue();
            expectedIcmp[0] = 0;
            expectedIcmp[2] = 0;
            expectedIcmp[3] = 0;
            assertThat(icmp.checksum()).isEqualTo(naiveChecksum(expectedIcmp));
        } finally {
            ReferenceCountUtil.release(buf);
        }
    }

    @Test
    void optionsSkippedByIhlAndFragments() {
        // IHL 6 with a 4-byte option (NOP NOP NOP EOL), MF set, offset 185 (1480 bytes)
        ByteBuf buf = Unpooled.buffer(64);
        try {
            buf.writeBytes(hex("46000020 00012000 ff060000 01020304 05060708 01010100"));
            buf.writeBytes(new byte[8]);
            buf.setShort(6, 0x2000 | 185);
            Ipv4Packet ip = new Ipv4Packet().wrap(buf);
            ip.fillChecksum();
            assertThat(ip.check()).isTrue();
            assertThat(ip.verifyChecksum()).isTrue();
            assertThat(ip.headerLength()).isEqualTo(24);
            assertThat(ip.payloadOffset()).isEqualTo(24);
            assertThat(ip.payloadLength()).isEqualTo(8);
            assertThat(ip.moreFragments()).isTrue();
            assertThat(ip.fragmentOffset()).isEqualTo(185);
            assertThat(ip.isFragment()).isTrue();
            assertThat(ip.flags()).isEqualTo(Ipv4Packet.FLAG_MF);
            ip.setFlagsAndFragmentOffset(0, 3);
            assertThat(ip.isFragment()).isTrue();
            ip.setFlagsAndFragmentOffset(Ipv4Packet.FLAG_DF, 0);
            assertThat(ip.isFragment()).isFalse();
            ip.setDscpEcn(46, 3);
            assertThat(ip.dscp()).isEqualTo(46);
            assertThat(ip.ecn()).isEqualTo(3);
            assertThat(ip.pseudoHeaderSum()).isEqualTo(
                    InternetChecksum.pseudoHeaderV4(0x01020304, 0x05060708, 6, 8));
        } finally {
            buf.release();
        }
    }

    @Test
    void rejectsBadLengthsAndVersion() {
        ByteBuf buf = Unpooled.buffer(40).writeZero(40);
        try {
            Ipv4Packet ip = new Ipv4Packet().wrap(buf);
            Ipv4Packet.emitHeader(buf, 0, 1, 2, 17, 64, 7, 20);
            assertThat(ip.check()).isTrue();
            assertThat(ip.verifyChecksum()).isTrue();
            assertThat(ip.wrap(buf, 0, 39).check()).as("total length > region").isFalse();
            ip.wrap(buf);
            buf.setShort(2, 19);
            assertThat(ip.check()).as("total length < header").isFalse();
            buf.setShort(2, 40);
            buf.setByte(0, 0x44);
            assertThat(ip.check()).as("IHL 4").isFalse();
            buf.setByte(0, 0x4f);
            assertThat(ip.check()).as("IHL 15 > total length").isFalse();
            assertThat(ip.verifyChecksum()).as("IHL 15 > region: no overread").isFalse();
            assertThatThrownBy(ip::fillChecksum).isInstanceOf(IllegalStateException.class);
            buf.setByte(0, 0x65);
            assertThat(ip.check()).as("version 6").isFalse();
            assertThat(ip.wrap(buf, 0, 19).check()).isFalse();
            assertThat(new IcmpV4Packet().wrap(buf, 0, 7).check()).isFalse();
            assertThatThrownBy(() -> ip.wrap(buf, 1, 40))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ip.wrap(buf, -1, 4))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ip.wrap(buf, 4, Integer.MAX_VALUE))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            buf.release();
        }
    }

    @Test
    void addressConversions() {
        assertThat(Ipv4Packet.toInetAddress(0x0a00020f).getHostAddress()).isEqualTo("10.0.2.15");
        assertThat(Ipv4Packet.fromInetAddress(Ipv4Packet.toInetAddress(0x0a000202)))
                .isEqualTo(0x0a000202);
        assertThat(Ipv4Packet.addressToString(0xffffffff)).isEqualTo("255.255.255.255");
    }
}
