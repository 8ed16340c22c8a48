package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp.IcmpEcho;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.udp.FakeUdpHost;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.ArpPacket;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StackTest {
    static final int GW = 0x0A000202;
    static final int DNS = 0x0A000203;
    static final int GUEST = 0x0A000264;
    static final int TEST_NET = 0xC0000201; // 192.0.2.1: never leaves the test (fake host side)

    UsernetConfig config = UsernetConfig.defaults();
    final ManualScheduler scheduler = new ManualScheduler();
    final MemoryFrameSink sink = new MemoryFrameSink();
    final FakeUdpHost host = new FakeUdpHost();
    Stack stack = build(config);
    TestGuest guest = new TestGuest(config);

    Stack build(UsernetConfig c) {
        Ipv4Output out = new Ipv4Output(c, sink);
        AddressMap map = new AddressMap(c);
        DnsForwarder dns = DnsForwarder.of(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353)));
        UdpNat udp = new UdpNat(c, scheduler, out, map, dns, host, UdpNat.Limits.DEFAULT);
        return new Stack(c, scheduler, out, null, () -> 0, udp, new IcmpEcho(c, out, map, null));
    }

    void reconfigure(UsernetConfig c) {
        config = c;
        stack = build(c);
        guest = new TestGuest(c);
    }

    @Test
    void arpRequestsForGatewayAndDnsAreAnsweredWithTheGatewayMac() {
        for (int target : new int[] {GW, DNS}) {
            stack.receiveFrame(guest.arpRequest(target));
            TestGuest.Received r = new TestGuest.Received(sink.poll());
            assertThat(r.buf.readableBytes()).isEqualTo(60); // padded to the Ethernet minimum
            assertThat(r.eth.dst()).isEqualTo(TestGuest.MAC);
            assertThat(r.eth.src()).isEqualTo(config.gatewayMac());
            assertThat(r.eth.etherType()).isEqualTo(EthernetFrame.ETHERTYPE_ARP);
            ArpPacket arp = new ArpPacket().wrap(r.buf, 14, 28);
            assertThat(arp.check()).isTrue();
            assertThat(arp.operation()).isEqualTo(ArpPacket.OP_REPLY);
            assertThat(arp.senderHardwareAddress()).isEqualTo(0x5255_0A00_0202L);
            assertThat(arp.senderProtocolAddress()).isEqualTo(target);
            assertThat(arp.targetHardwareAddress()).isEqualTo(TestGuest.MAC);
            assertThat(arp.targetProtocolAddress()).isEqualTo(GUEST);
        }
        assertThat(sink.poll()).isNull();
        assertThat(stack.stats().arpReplies()).isEqualTo(2);
    }

    @Test
    void arpIsAnsweredForBothAddressesEvenWithDnsAndHostLoopbackDisabled() {
        reconfigure(config.withDns(false).withHostLoopback(false));
        stack.receiveFrame(guest.arpRequest(GW));
        stack.receiveFrame(guest.arpRequest(DNS));
        assertThat(sink.drain()).hasSize(2);
    }

    @Test
    void arpForOtherAddressesAndGratuitousArpAreIgnored() {
        stack.receiveFrame(guest.arpRequest(0x0A000232)); // 10.0.2.50
        stack.receiveFrame(guest.arpRequest(GUEST)); // gratuitous: sender == target
        stack.receiveFrame(guest.arpRequest(TEST_NET));
        assertThat(sink.poll()).isNull();
        assertThat(stack.stats().arpReplies()).isZero();
    }

    @Test
    void pingToGatewayAndDnsIsAnsweredByteExact() {
        byte[] data = "0123456789abcdefghijklmnopqrstuvwxyz".getBytes(StandardCharsets.US_ASCII);
        for (int dst : new int[] {GW, DNS}) {
            byte[] request = TestGuest.echoRequest(0x4242, 7, data);
            stack.receiveFrame(guest.ipv4(GUEST, dst, Ipv4Packet.PROTO_ICMP, request));
            TestGuest.Received r = new TestGuest.Received(sink.poll());
            assertThat(r.eth.dst()).isEqualTo(TestGuest.MAC); // learned from the request
            assertThat(r.eth.src()).isEqualTo(config.gatewayMac());
            assertThat(r.ip.src()).isEqualTo(dst);
            assertThat(r.ip.dst()).isEqualTo(GUEST);
            assertThat(r.ip.protocol()).isEqualTo(Ipv4Packet.PROTO_ICMP);
            assertThat(r.ip.ttl()).isEqualTo(64);
            byte[] expected = request.clone();
            expected[0] = 0; // echo reply
            expected[2] = 0;
            expected[3] = 0;
            int sum = naiveChecksum(expected);
            expected[2] = (byte) (sum >>> 8);
            expected[3] = (byte) sum;
            assertThat(r.transport()).isEqualTo(expected);
        }
        assertThat(stack.stats().echoAnswered()).isEqualTo(2);
    }

    @Test
    void pingToGatewayIsAnsweredEvenWithHostLoopbackDisabled() {
        reconfigure(config.withHostLoopback(false).withDns(false));
        stack.receiveFrame(guest.ping(GW, 1, 1, new byte[8]));
        stack.receiveFrame(guest.ping(DNS, 1, 2, new byte[8]));
        assertThat(sink.drain()).hasSize(2);
    }

    @Test
    void badIpv4HeaderChecksumIsDropped() {
        ByteBuf good = guest.ping(GW, 1, 1, new byte[8]);
        ByteBuf bad = good.copy();
        bad.setByte(14 + 10, bad.getByte(14 + 10) ^ 0x01);
        stack.receiveFrame(bad);
        assertThat(sink.poll()).isNull();
        assertThat(stack.stats().ipv4BadChecksum()).isEqualTo(1);
        stack.receiveFrame(good); // the same packet with its checksum intact is answered
        assertThat(sink.poll()).isNotNull();
    }

    @Test
    void badIcmpChecksumIsNotAnswered() {
        ByteBuf f = guest.ping(GW, 1, 1, new byte[8]);
        f.setByte(14 + 20 + 8, 0x55); // data changed, ICMP checksum not
        stack.receiveFrame(f);
        assertThat(sink.poll()).isNull();
    }

    @Test
    void fragmentsOfAnIncompleteDatagramAreCountedAndNotAnswered() {
        ByteBuf f = guest.ping(GW, 1, 1, new byte[8]);
        Ipv4Packet ip = new Ipv4Packet().wrap(f, 14, f.readableBytes() - 14);
        ip.setFlagsAndFragmentOffset(Ipv4Packet.FLAG_MF, 0).fillChecksum();
        stack.receiveFrame(f);
        ByteBuf g = guest.ping(GW, 1, 2, new byte[8]);
        new Ipv4Packet().wrap(g, 14, g.readableBytes() - 14).setFlagsAndFragmentOffset(0, 185).fillChecksum();
        stack.receiveFrame(g);
        assertThat(sink.poll()).isNull();
        assertThat(stack.stats().ipv4Fragments()).isEqualTo(2);
    }

    @Test
    void truncatedIpv4IsMalformed() {
        ByteBuf f = guest.ping(GW, 1, 1, new byte[8]);
        f.writerIndex(f.writerIndex() - 4); // total length now exceeds the frame
        stack.receiveFrame(f);
        assertThat(sink.poll()).isNull();
        assertThat(stack.stats().ipv4Malformed()).isEqualTo(1);
    }

    @Test
    void ttlZeroIsDropped() {
        ByteBuf f = guest.ping(GW, 1, 1, new byte[8]);
        new Ipv4Packet().wrap(f, 14, f.readableBytes() - 14).setTtl(0).fillChecksum();
        stack.receiveFrame(f);
        assertThat(sink.poll()).isNull();
        assertThat(stack.stats().ipv4TtlExpired()).isEqualTo(1);
    }

    @Test
    void framesToAnotherMacAreDroppedAndIpv6IsCountedAsUnsupported() {
        ByteBuf other = guest.ping(GW, 1, 1, new byte[8]);
        EthernetFrame.setMac(other, 0, 0x02_11_22_33_44_55L);
        stack.receiveFrame(other);
        ByteBuf v6 = guest.ping(GW, 1, 1, new byte[8]);
        v6.setShort(12, EthernetFrame.ETHERTYPE_IPV6);
        stack.receiveFrame(v6);
        ByteBuf v6multicast = guest.ping(GW, 1, 1, new byte[8]);
        EthernetFrame.setMac(v6multicast, 0, 0x3333_0000_0002L); // all-routers: a router solicitation
        v6multicast.setShort(12, EthernetFrame.ETHERTYPE_IPV6);
        stack.receiveFrame(v6multicast);
        ByteBuf runt = io.netty.buffer.Unpooled.directBuffer(10).writeZero(10);
        stack.receiveFrame(runt);
        assertThat(sink.poll()).isNull();
        StackStats s = stack.stats();
        assertThat(s.framesReceived()).isEqualTo(4);
        assertThat(s.framesNotForUs()).isEqualTo(2);
        assertThat(s.framesUnsupported()).isEqualTo(2);
        assertThat(other.refCnt()).isZero(); // the stack owns and releases every frame
        assertThat(v6.refCnt()).isZero();
        assertThat(runt.refCnt()).isZero();
    }

    @Test
    void unknownProtocolGetsProtocolUnreachableQuotingTheHeader() {
        byte[] gre = {0, 0, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8};
        ByteBuf f = guest.ipv4(GUEST, TEST_NET, 47, gre);
        byte[] sent = TestGuest.bytes(f, 14, 20 + 8);
        stack.receiveFrame(f);
        TestGuest.Received r = new TestGuest.Received(sink.poll());
        assertThat(r.ip.src()).isEqualTo(TEST_NET);
        assertThat(r.ip.dst()).isEqualTo(GUEST);
        IcmpV4Packet icmp = r.icmp();
        assertThat(icmp.type()).isEqualTo(IcmpV4Packet.TYPE_DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(2);
        assertThat(TestGuest.bytes(r.buf, icmp.payloadOffset(), icmp.payloadLength())).isEqualTo(sent);
        assertThat(stack.stats().ipv4UnknownProtocol()).isEqualTo(1);
    }

    @Test
    void tcpWithoutATcpHandlerIsDropped() {
        stack.receiveFrame(guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_TCP, new byte[20]));
        assertThat(sink.poll()).isNull();
    }

    @Test
    void udpIsDispatchedToTheNatAndCloseReleasesItsSockets() {
        stack.receiveFrame(guest.udp(40000, GW, 7777, "hi".getBytes(StandardCharsets.US_ASCII)));
        stack.receiveFrame(guest.udp(40001, GW, 7777, "ho".getBytes(StandardCharsets.US_ASCII)));
        assertThat(stack.stats().udpFlows()).isEqualTo(2);
        assertThat(host.open()).isEqualTo(2);
        stack.close();
        assertThat(host.open()).isZero();
        assertThat(stack.stats().udpFlows()).isZero();
        ByteBuf late = guest.udp(40002, GW, 7777, new byte[1]);
        stack.receiveFrame(late); // after close: dropped, still released
        assertThat(late.refCnt()).isZero();
        assertThat(host.sockets).hasSize(2);
    }

    @Test
    void tcpGoesToTheTcpHandlerWhichIsClosedWithTheStack() {
        List<Integer> seen = new java.util.ArrayList<>();
        boolean[] closed = {false};
        class Tcp implements dev.jnet.usernet.ip.Ipv4Handler, AutoCloseable {
            @Override
            public void receive(Ipv4Packet ip) {
                seen.add(ip.dst());
            }

            @Override
            public void close() {
                closed[0] = true;
            }
        }
        Ipv4Output out = new Ipv4Output(config, sink);
        Stack withTcp = new Stack(config, scheduler, out, new Tcp(), () -> 7, null, null);
        withTcp.receiveFrame(guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_TCP, new byte[20]));
        assertThat(seen).containsExactly(TEST_NET);
        assertThat(withTcp.stats().tcpConnections()).isEqualTo(7);
        withTcp.close();
        assertThat(closed[0]).isTrue();
    }

    @Test
    void aThrowingHandlerCostsOnePacketNotTheLink() {
        Ipv4Output out = new Ipv4Output(config, sink);
        Stack broken = new Stack(config, scheduler, out, ip -> {
            throw new IllegalStateException("bug");
        }, () -> 0, null, null);
        ByteBuf f = guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_TCP, new byte[20]);
        broken.receiveFrame(f);
        assertThat(f.refCnt()).isZero();
        assertThat(broken.stats().handlerErrors()).isEqualTo(1);
        assertThat(broken.lastHandlerError()).hasMessage("bug");
        broken.receiveFrame(guest.arpRequest(GW)); // still answering
        assertThat(sink.poll()).isNotNull();
    }

    static int naiveChecksum(byte[] data) {
        int sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            int word = ((data[i] & 0xff) << 8) | (i + 1 < data.length ? data[i + 1] & 0xff : 0);
            sum += word;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }
}
