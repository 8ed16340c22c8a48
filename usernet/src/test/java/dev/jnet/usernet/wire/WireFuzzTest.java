package dev.jnet.usernet.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Garbage in, no exceptions out. Every buffer's capacity ends exactly at the end of the wrapped
 * region, so any read past the region would throw IndexOutOfBoundsException.
 */
class WireFuzzTest {

    @Provide
    Arbitrary<byte[]> packets() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(120);
        // half pure garbage, half garbage with length fields made plausible so that check()
        // passes often and the accessors/checksums behind it get exercised too
        return Arbitraries.oneOf(raw, raw.map(WireFuzzTest::plausible));
    }

    /** Patches IP version/length fields and the upper-layer length fields into random bytes. */
    static byte[] plausible(byte[] b) {
        int len = b.length;
        if (len < 1) {
            return b;
        }
        int r = b[len - 1] & 0xff; // randomness for the choices below
        int upper;
        if ((r & 1) == 0 && len >= 20) {
            int ihl = 5 + (r >>> 1) % 3;
            int total = Math.max(0, len - ((r >>> 3) & 3));
            b[0] = (byte) (0x40 | ihl);
            b[2] = (byte) (total >>> 8);
            b[3] = (byte) total;
            upper = Math.min(ihl * 4, len);
            len = Math.max(total, upper);
        } else if (len >= 40) {
            int plen = len - 40 - ((r >>> 3) & 3);
            b[0] = 0x60;
            b[4] = (byte) (Math.max(0, plen) >>> 8);
            b[5] = (byte) Math.max(0, plen);
            upper = 40;
        } else {
            upper = 0;
        }
        int plen = len - upper;
        if (plen >= 8) {
            int udpLen = plen - ((r >>> 5) & 1);
            b[upper + 4] = (byte) (udpLen >>> 8);
            b[upper + 5] = (byte) udpLen;
        }
        if (plen >= 20) {
            int maxWords = Math.min(15, plen / 4);
            int words = 5 + (r >>> 2) % (maxWords - 4);
            b[upper + 12] = (byte) ((words << 4) | (b[upper + 12] & 0x0f));
        }
        return b;
    }

    @Property(tries = 2000)
    void checkNeverThrowsAndAccessorsStayInBounds(@ForAll("packets") byte[] data,
            @ForAll @IntRange(min = 0, max = 5) int prefix) {
        ByteBuf buf = Unpooled.wrappedBuffer(WireBytes.concat(new byte[prefix], data));
        try {
            int off = prefix;
            int len = data.length;
            long sink = 0;

            EthernetFrame eth = new EthernetFrame().wrap(buf, off, len);
            if (eth.check()) {
                sink += eth.dst() + eth.src() + eth.etherType() + eth.payloadOffset()
                        + eth.payloadLength();
                assertThat(eth.payloadOffset() + eth.payloadLength()).isEqualTo(off + len);
            }
            eth.toString();

            ArpPacket arp = new ArpPacket().wrap(buf, off, len);
            if (arp.check()) {
                sink += arp.operation() + arp.senderHardwareAddress()
                        + arp.senderProtocolAddress() + arp.targetHardwareAddress()
                        + arp.targetProtocolAddress();
            }
            arp.toString();

            Ipv4Packet ip = new Ipv4Packet().wrap(buf, off, len);
            Statistics.label("ipv4.check").collect(ip.check());
            if (ip.check()) {
                sink += ip.version() + ip.ihl() + ip.dscp() + ip.ecn() + ip.totalLength()
                        + ip.identification() + ip.flags() + ip.fragmentOffset() + ip.ttl()
                        + ip.protocol() + ip.checksum() + ip.src() + ip.dst()
                        + ip.pseudoHeaderSum() + (ip.isFragment() ? 1 : 0)
                        + (ip.verifyChecksum() ? 1 : 0);
                assertThat(ip.payloadLength()).isNotNegative();
                assertThat(ip.payloadOffset() + ip.payloadLength()).isLessThanOrEqualTo(off + len);
                checkUpperLayers(buf, ip.payloadOffset(), ip.payloadLength(),
                        ip.pseudoHeaderSum(), null);
            }
            ip.toString();

            Ipv6Packet ip6 = new Ipv6Packet().wrap(buf, off, len);
            Statistics.label("ipv6.check").collect(ip6.check());
            if (ip6.check()) {
                byte[] addr = new byte[16];
                ip6.src(addr, 0);
                ip6.dst(addr, 0);
                sink += ip6.trafficClass() + ip6.flowLabel() + ip6.nextHeader() + ip6.hopLimit()
                        + ip6.srcHigh() + ip6.srcLow() + ip6.dstHigh() + ip6.dstLow();
                assertThat(ip6.payloadOffset() + ip6.payloadLength())
                        .isLessThanOrEqualTo(off + len);
                checkUpperLayers(buf, ip6.payloadOffset(), ip6.payloadLength(), 0, ip6);
                ip6.toString();
            }

            // the upper-layer views directly on the garbage as well
            checkUpperLayers(buf, off, len, 12345, null);
            assertThat(sink).isNotNull();
        } finally {
            buf.release();
        }
    }

    private static void checkUpperLayers(ByteBuf buf, int off, int len, long pseudo,
            Ipv6Packet ip6) {
        IcmpV4Packet icmp = new IcmpV4Packet().wrap(buf, off, len);
        if (icmp.check()) {
            long s = icmp.type() + icmp.code() + icmp.checksum() + icmp.echoIdentifier()
                    + icmp.echoSequence() + icmp.messageWord() + (icmp.verifyChecksum() ? 1 : 0);
            assertThat(icmp.payloadOffset() + icmp.payloadLength()).isEqualTo(off + len);
            assertThat(s).isNotNull();
        }
        icmp.toString();

        UdpDatagram udp = new UdpDatagram().wrap(buf, off, len);
        Statistics.label("udp.check").collect(udp.check());
        if (udp.check()) {
            long s = udp.srcPort() + udp.dstPort() + udp.checksum()
                    + (udp.verifyChecksum(pseudo) ? 1 : 0) + (udp.verifyChecksumIpv4(1, 2) ? 1 : 0)
                    + (ip6 != null && udp.verifyChecksumIpv6(ip6) ? 1 : 0);
            assertThat(udp.payloadOffset() + udp.payloadLength()).isLessThanOrEqualTo(off + len);
            assertThat(udp.payloadLength()).isNotNegative();
            assertThat(s).isNotNull();
        }
        udp.toString();

        TcpSegment tcp = new TcpSegment().wrap(buf, off, len);
        Statistics.label("tcp.check").collect(tcp.check());
        if (tcp.check()) {
            TcpOptions opts = new TcpOptions();
            tcp.parseOptions(opts);
            long s = tcp.srcPort() + tcp.dstPort() + tcp.seq() + tcp.ackNumber() + tcp.flags()
                    + tcp.window() + tcp.checksum() + tcp.urgentPointer() + tcp.segmentLength()
                    + (tcp.verifyChecksum(pseudo) ? 1 : 0) + (tcp.verifyChecksumIpv4(1, 2) ? 1 : 0)
                    + (ip6 != null && tcp.verifyChecksumIpv6(ip6) ? 1 : 0);
            assertThat(tcp.payloadLength()).isNotNegative();
            assertThat(tcp.optionsLength()).isBetween(0, 40);
            assertThat(s).isNotNull();
            opts.toString();
        }
        tcp.toString();

        Icmpv6Packet icmp6 = new Icmpv6Packet().wrap(buf, off, len);
        if (icmp6.check()) {
            long s = icmp6.type() + icmp6.code() + icmp6.checksum() + icmp6.messageWord()
                    + (icmp6.verifyChecksum(pseudo) ? 1 : 0)
                    + (ip6 != null && icmp6.verifyChecksum(ip6) ? 1 : 0);
            assertThat(s).isNotNull();
        }
        icmp6.toString();
    }

    @Property(tries = 3000)
    void optionsParserTerminatesAndStaysInBounds(@ForAll @Size(max = 300) byte[] options) {
        // capacity ends exactly at the options area: any overrun throws
        ByteBuf buf = Unpooled.wrappedBuffer(WireBytes.concat(new byte[] {1, 2, 3}, options));
        try {
            TcpOptions out = new TcpOptions();
            boolean ok = TcpSegment.parseOptions(buf, 3, options.length, out);
            assertThat(ok).isEqualTo(!out.malformed);
            assertThat(out.sackBlockCount).isBetween(0, TcpOptions.MAX_SACK_BLOCKS);
            assertThat(out.windowScale).isBetween(-1, 14);
            assertThat(out.mss).isBetween(-1, 0xffff);
        } finally {
            buf.release();
        }
    }

    @Property(tries = 1000)
    void tcpOptionsRoundTrip(@ForAll @IntRange(min = -1, max = 0xffff) int mss,
            @ForAll @IntRange(min = -1, max = 14) int ws, @ForAll boolean sackOk,
            @ForAll boolean ts, @ForAll int tsVal, @ForAll int tsEcr,
            @ForAll @IntRange(min = 0, max = 2) int blocks, @ForAll int edge) {
        TcpOptions in = new TcpOptions().mss(mss).windowScale(ws).sackPermitted(sackOk);
        if (ts) {
            in.timestamps(tsVal, tsEcr);
        }
        for (int b = 0; b < blocks; b++) {
            in.addSackBlock(edge + b, edge + b + 100);
        }
        ByteBuf buf = Unpooled.buffer(60, 60);
        try {
            int hl = TcpSegment.emitHeader(buf, 0, 1, 2, 3, 4, TcpSegment.SYN, 5, 0, in);
            assertThat(hl % 4).isZero();
            TcpSegment tcp = new TcpSegment().wrap(buf, 0, hl);
            assertThat(tcp.check()).isTrue();
            TcpOptions out = new TcpOptions();
            assertThat(tcp.parseOptions(out)).isTrue();
            assertThat(out.mss).isEqualTo(mss);
            assertThat(out.windowScale).isEqualTo(ws);
            assertThat(out.sackPermitted).isEqualTo(sackOk);
            assertThat(out.hasTimestamps).isEqualTo(ts);
            if (ts) {
                assertThat(out.tsVal).isEqualTo(tsVal);
                assertThat(out.tsEcr).isEqualTo(tsEcr);
            }
            assertThat(out.sackBlockCount).isEqualTo(blocks);
            for (int i = 0; i < 2 * blocks; i++) {
                assertThat(out.sackBlocks[i]).isEqualTo(in.sackBlocks[i]);
            }
        } finally {
            buf.release();
        }
    }

    @Property(tries = 500)
    void ipv4HeaderRoundTripAndBitFlipDetected(@ForAll int src, @ForAll int dst,
            @ForAll @IntRange(min = 0, max = 255) int proto,
            @ForAll @IntRange(min = 0, max = 255) int ttl,
            @ForAll @IntRange(min = 0, max = 0xffff) int id,
            @ForAll @IntRange(min = 0, max = 40) int payloadLen,
            @ForAll @IntRange(min = 0, max = 159) int flipBit) {
        ByteBuf buf = Unpooled.buffer(60).writeZero(20 + payloadLen);
        try {
            Ipv4Packet.emitHeader(buf, 0, src, dst, proto, ttl, id, payloadLen);
            Ipv4Packet ip = new Ipv4Packet().wrap(buf);
            assertThat(ip.check()).isTrue();
            assertThat(ip.verifyChecksum()).isTrue();
            assertThat(ip.src()).isEqualTo(src);
            assertThat(ip.dst()).isEqualTo(dst);
            assertThat(ip.protocol()).isEqualTo(proto);
            assertThat(ip.ttl()).isEqualTo(ttl);
            assertThat(ip.identification()).isEqualTo(id);
            assertThat(ip.payloadLength()).isEqualTo(payloadLen);
            assertThat(ip.dontFragment()).isTrue();
            int idx = flipBit / 8;
            buf.setByte(idx, buf.getByte(idx) ^ (1 << (flipBit % 8)));
            assertThat(ip.verifyChecksum()).isFalse();
        } finally {
            buf.release();
        }
    }
}
