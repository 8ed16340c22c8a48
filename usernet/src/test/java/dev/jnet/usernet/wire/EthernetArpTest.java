package dev.jnet.usernet.wire;

import static dev.jnet.usernet.wire.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class EthernetArpTest {
    /** "who-has 10.0.2.2 tell 10.0.2.100" from 52:54:00:12:34:56, padded to 60 bytes. */
    static final byte[] ARP_REQUEST_FRAME = hex(
            "ffffffffffff 525400123456 0806"
            + "0001 0800 06 04 0001 525400123456 0a000264 000000000000 0a000202"
            + "000000000000000000000000000000000000");

    @Test
    void parsesRealArpRequest() {
        ByteBuf buf = Unpooled.wrappedBuffer(ARP_REQUEST_FRAME);
        try {
            EthernetFrame eth = new EthernetFrame().wrap(buf);
            assertThat(eth.check()).isTrue();
            assertThat(eth.dst()).isEqualTo(EthernetFrame.BROADCAST);
            assertThat(eth.isBroadcast()).isTrue();
            assertThat(eth.isMulticast()).isTrue();
            assertThat(eth.src()).isEqualTo(0x525400123456L);
            assertThat(EthernetFrame.macToString(eth.src())).isEqualTo("52:54:00:12:34:56");
            assertThat(eth.etherType()).isEqualTo(EthernetFrame.ETHERTYPE_ARP);
            assertThat(eth.payloadOffset()).isEqualTo(14);
            assertThat(eth.payloadLength()).isEqualTo(46);
            byte[] mac = new byte[8];
            eth.src(mac, 1);
            assertThat(mac).containsExactly(0, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 0);

            ArpPacket arp = new ArpPacket().wrap(buf, eth.payloadOffset(), eth.payloadLength());
            assertThat(arp.check()).isTrue();
            assertThat(arp.operation()).isEqualTo(ArpPacket.OP_REQUEST);
            assertThat(arp.senderHardwareAddress()).isEqualTo(0x525400123456L);
            assertThat(arp.senderProtocolAddress()).isEqualTo(0x0a000264);
            assertThat(arp.targetHardwareAddress()).isZero();
            assertThat(arp.targetProtocolAddress()).isEqualTo(0x0a000202);
            assertThat(Ipv4Packet.addressToString(arp.targetProtocolAddress()))
                    .isEqualTo("10.0.2.2");
            assertThat(arp.toString()).contains("tpa=10.0.2.2");
        } finally {
            buf.release();
        }
    }

    @Test
    void buildsByteExactReplyInPlace() {
        ByteBuf buf = Unpooled.copiedBuffer(ARP_REQUEST_FRAME);
        try {
            EthernetFrame eth = new EthernetFrame().wrap(buf);
            ArpPacket arp = new ArpPacket().wrap(buf, 14, 46);
            assertThat(eth.check() && arp.check()).isTrue();
            long ourMac = 0x020000000001L;
            long requester = eth.src();
            // reply written over the request itself
            arp.emitReply(buf, 14, ourMac);
            eth.setDst(requester).setSrc(ourMac).setEtherType(EthernetFrame.ETHERTYPE_ARP);
            assertThat(WireBytes.bytes(buf, 0, 42)).isEqualTo(hex(
                    "525400123456 020000000001 0806"
                    + "0001 0800 06 04 0002 020000000001 0a000202 525400123456 0a000264"));
            assertThat(arp.check()).isTrue();
            assertThat(arp.operation()).isEqualTo(ArpPacket.OP_REPLY);
        } finally {
            buf.release();
        }
    }

    @Test
    void roundTripWithPooledBuffer() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        try {
            int n = EthernetFrame.emitHeader(buf, 0, 0x0a0b0c0d0e0fL, 0x111213141516L,
                    EthernetFrame.ETHERTYPE_ARP);
            n += ArpPacket.emit(buf, n, ArpPacket.OP_REQUEST, 0x111213141516L, 0x0a000201,
                    0, 0x0a000202);
            EthernetFrame eth = new EthernetFrame().wrap(buf, 0, n);
            ArpPacket arp = new ArpPacket().wrap(buf, 14, n - 14);
            assertThat(eth.check()).isTrue();
            assertThat(eth.dst()).isEqualTo(0x0a0b0c0d0e0fL);
            assertThat(eth.src()).isEqualTo(0x111213141516L);
            assertThat(arp.check()).isTrue();
            assertThat(arp.senderHardwareAddress()).isEqualTo(0x111213141516L);
            assertThat(arp.senderProtocolAddress()).isEqualTo(0x0a000201);
            assertThat(arp.targetProtocolAddress()).isEqualTo(0x0a000202);
            arp.setOperation(ArpPacket.OP_REPLY).setTargetHardwareAddress(0xffL)
                    .setSenderProtocolAddress(1).setTargetProtocolAddress(2)
                    .setSenderHardwareAddress(3);
            assertThat(arp.operation()).isEqualTo(2);
            assertThat(arp.targetHardwareAddress()).isEqualTo(0xffL);
            assertThat(arp.senderHardwareAddress()).isEqualTo(3);
            assertThat(arp.senderProtocolAddress()).isEqualTo(1);
            assertThat(arp.targetProtocolAddress()).isEqualTo(2);
        } finally {
            buf.release();
        }
    }

    @Test
    void rejectsTruncatedAndNonEthernetIpv4() {
        ByteBuf buf = Unpooled.copiedBuffer(ARP_REQUEST_FRAME);
        try {
            assertThat(new EthernetFrame().wrap(buf, 0, 13).check()).isFalse();
            assertThat(new ArpPacket().wrap(buf, 14, 27).check()).isFalse();
            buf.setByte(14 + 4, 8); // hardware length 8
            assertThat(new ArpPacket().wrap(buf, 14, 46).check()).isFalse();
            assertThat(new ArpPacket().check()).isFalse();
            assertThat(new ArpPacket().wrap(buf, 14, 20).toString()).contains("invalid");
        } finally {
            buf.release();
        }
    }
}
