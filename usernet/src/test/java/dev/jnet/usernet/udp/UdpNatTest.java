package dev.jnet.usernet.udp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.ManualScheduler;
import dev.jnet.usernet.MemoryFrameSink;
import dev.jnet.usernet.TestGuest;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp.Icmpv4Errors;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The NAT's table and translation logic on a virtual clock, host sockets faked. */
class UdpNatTest {
    static final int GW = 0x0A000202;
    static final int DNS = 0x0A000203;
    static final int GUEST = 0x0A000264;
    static final int TEST_NET = 0xC0000201; // 192.0.2.1, a fake outside host: the host side is faked too
    static final long S = TimeUnit.SECONDS.toNanos(1);
    static final InetSocketAddress RESOLVER = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353);

    UsernetConfig config = UsernetConfig.defaults();
    final ManualScheduler scheduler = new ManualScheduler();
    final MemoryFrameSink sink = new MemoryFrameSink();
    final FakeUdpHost host = new FakeUdpHost();
    TestGuest guest = new TestGuest(config);
    UdpNat nat = nat(config, new UdpNat.Limits(4, 240 * S, 2, 10 * S), DnsForwarder.of(List.of(RESOLVER)));
    final Ipv4Packet ip = new Ipv4Packet();

    UdpNat nat(UsernetConfig c, UdpNat.Limits limits, DnsForwarder dns) {
        return new UdpNat(c, scheduler, new Ipv4Output(c, sink), new AddressMap(c), dns, host, limits);
    }

    /** Hands a guest frame's IPv4 packet to the NAT, as the stack's IPv4 input does. */
    void send(ByteBuf frame) {
        try {
            ip.wrap(frame, 14, frame.readableBytes() - 14);
            assertThat(ip.check()).isTrue();
            nat.receive(ip);
        } finally {
            ip.clear();
            frame.release();
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void datagramToTheGatewayGoesToHostLoopbackAndTheReplyComesFromTheGateway() {
        send(guest.udp(40000, GW, 7777, ascii("ping")));
        FakeUdpHost.Socket s = host.last();
        assertThat(s.remote).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), 7777));
        assertThat(s.sent).containsExactly(ascii("ping"));

        s.reply(ascii("pong!"));
        TestGuest.Received r = new TestGuest.Received(sink.poll());
        assertThat(r.ip.src()).isEqualTo(GW);
        assertThat(r.ip.dst()).isEqualTo(GUEST);
        UdpDatagram u = r.udp();
        assertThat(u.srcPort()).isEqualTo(7777);
        assertThat(u.dstPort()).isEqualTo(40000);
        assertThat(r.udpPayload()).isEqualTo(ascii("pong!"));
    }

    @Test
    void outsideDestinationsAreThemselvesAndRepliesComeFromThem() {
        send(guest.udp(40000, TEST_NET, 9, ascii("x")));
        assertThat(host.last().remote.getAddress().getHostAddress()).isEqualTo("192.0.2.1");
        host.last().reply(ascii("y"));
        TestGuest.Received r = new TestGuest.Received(sink.poll());
        assertThat(r.ip.src()).isEqualTo(TEST_NET);
        assertThat(r.udp().srcPort()).isEqualTo(9);
    }

    @Test
    void aFlowIsSourcePortDestinationAndPort() {
        send(guest.udp(40000, GW, 7777, ascii("a")));
        send(guest.udp(40000, GW, 7777, ascii("b")));
        assertThat(host.sockets).hasSize(1);
        assertThat(host.last().sent).containsExactly(ascii("a"), ascii("b"));
        send(guest.udp(40001, GW, 7777, ascii("c")));
        send(guest.udp(40000, GW, 7778, ascii("d")));
        send(guest.udp(40000, TEST_NET, 7777, ascii("e")));
        assertThat(host.sockets).hasSize(4);
        assertThat(nat.flowCount()).isEqualTo(4);
    }

    @Test
    void idleFlowsExpireAndTrafficEitherWayKeepsThemAlive() {
        send(guest.udp(40000, GW, 7777, ascii("a")));
        send(guest.udp(40001, GW, 7777, ascii("b")));
        FakeUdpHost.Socket first = host.sockets.get(0);
        FakeUdpHost.Socket second = host.sockets.get(1);
        scheduler.advance(200 * S);
        second.reply(ascii("keep me")); // host-side traffic counts too
        scheduler.advance(40 * S); // 240 s since the first was used
        assertThat(first.closed).isTrue();
        assertThat(second.closed).isFalse();
        assertThat(nat.flowCount()).isEqualTo(1);
        scheduler.advance(199 * S);
        assertThat(second.closed).isFalse();
        scheduler.advance(1 * S);
        assertThat(second.closed).isTrue();
        assertThat(nat.flowCount()).isZero();
        assertThat(nat.expiredFlows()).isEqualTo(2);
        assertThat(scheduler.pendingTimers()).isZero(); // an empty table holds no timer

        send(guest.udp(40000, GW, 7777, ascii("again"))); // a new flow, a new socket
        assertThat(host.sockets).hasSize(3);
        assertThat(host.last().sent).containsExactly(ascii("again"));
    }

    @Test
    void aFullTableEvictsTheLeastRecentlyUsedFlow() {
        for (int port = 40000; port < 40004; port++) {
            send(guest.udp(port, GW, 7777, ascii("x")));
            scheduler.advance(S);
        }
        send(guest.udp(40000, GW, 7777, ascii("used again"))); // 40001 is now the oldest
        send(guest.udp(40004, GW, 7777, ascii("fifth")));
        assertThat(nat.flowCount()).isEqualTo(4);
        assertThat(nat.evictedFlows()).isEqualTo(1);
        assertThat(host.sockets.get(1).closed).isTrue();
        assertThat(host.sockets.stream().filter(s -> s.closed)).hasSize(1);
        assertThat(host.open()).isEqualTo(4);
    }

    @Test
    void dnsToTheDnsAddressGoesToTheUpstreamAndAnswersComeFromDotThree() {
        send(guest.udp(53000, DNS, 53, ascii("query")));
        FakeUdpHost.Socket s = host.last();
        assertThat(s.remote).isEqualTo(RESOLVER);
        assertThat(s.sent).containsExactly(ascii("query"));
        assertThat(nat.dnsFlowCount()).isEqualTo(1);
        assertThat(nat.flowCount()).isZero();
        s.reply(ascii("answer"));
        TestGuest.Received r = new TestGuest.Received(sink.poll());
        assertThat(r.ip.src()).isEqualTo(DNS);
        assertThat(r.udp().srcPort()).isEqualTo(53);
        assertThat(r.udp().dstPort()).isEqualTo(53000);
        assertThat(r.udpPayload()).isEqualTo(ascii("answer"));
        scheduler.advance(10 * S); // DNS flows are short-lived
        assertThat(s.closed).isTrue();
        assertThat(nat.dnsFlowCount()).isZero();
    }

    @Test
    void dnsWithoutUpstreamOrDisabledGetsPortUnreachable() {
        nat = nat(config, UdpNat.Limits.DEFAULT, DnsForwarder.of(List.of()));
        send(guest.udp(53000, DNS, 53, ascii("q")));
        assertUnreachable(sink.poll(), DNS, Icmpv4Errors.CODE_PORT_UNREACHABLE, 53000, 53);

        config = config.withDns(false);
        guest = new TestGuest(config);
        nat = nat(config, UdpNat.Limits.DEFAULT, DnsForwarder.of(List.of(RESOLVER)));
        send(guest.udp(53000, DNS, 53, ascii("q")));
        assertUnreachable(sink.poll(), DNS, Icmpv4Errors.CODE_PORT_UNREACHABLE, 53000, 53);
        assertThat(host.sockets).isEmpty();
    }

    @Test
    void unreachableDestinationsGetIcmpAndBroadcastsAreDroppedSilently() {
        send(guest.udp(40000, 0x0A000232, 9, ascii("x"))); // 10.0.2.50: nobody
        assertUnreachable(sink.poll(), 0x0A000232, Icmpv4Errors.CODE_HOST_UNREACHABLE, 40000, 9);
        send(guest.udp(40000, DNS, 80, ascii("x"))); // .3 is ours, but only port 53 answers
        assertUnreachable(sink.poll(), DNS, Icmpv4Errors.CODE_PORT_UNREACHABLE, 40000, 80);
        send(guest.udp(68, -1, 67, ascii("dhcp discover")));
        send(guest.udp(5353, 0xE00000FB, 5353, ascii("mdns")));
        send(guest.udp(40000, 0x0A0002FF, 9, ascii("subnet broadcast")));
        assertThat(sink.poll()).isNull();
        assertThat(nat.dropped()).isEqualTo(3);
        assertThat(host.sockets).isEmpty();
    }

    @Test
    void gatewayWithHostLoopbackDisabledIsPortUnreachable() {
        config = config.withHostLoopback(false);
        guest = new TestGuest(config);
        nat = nat(config, UdpNat.Limits.DEFAULT, DnsForwarder.of(List.of(RESOLVER)));
        send(guest.udp(40000, GW, 7777, ascii("x")));
        assertUnreachable(sink.poll(), GW, Icmpv4Errors.CODE_PORT_UNREACHABLE, 40000, 7777);
        assertThat(host.sockets).isEmpty();
    }

    @Test
    void badChecksumIsDroppedAndZeroChecksumAccepted() {
        ByteBuf bad = guest.udp(40000, GW, 7777, ascii("data"));
        bad.setByte(14 + 20 + 8, 'D');
        send(bad);
        assertThat(host.sockets).isEmpty();
        assertThat(nat.badChecksum()).isEqualTo(1);

        ByteBuf none = guest.udp(40000, GW, 7777, ascii("data"));
        none.setShort(14 + 20 + 6, 0); // "no checksum" over IPv4
        send(none);
        assertThat(host.last().sent).containsExactly(ascii("data"));
    }

    @Test
    void hostSideUnreachableIsReportedToTheGuest() {
        send(guest.udp(40000, GW, 7777, ascii("x")));
        host.last().receiver.unreachable(Icmpv4Errors.CODE_PORT_UNREACHABLE);
        assertUnreachable(sink.poll(), GW, Icmpv4Errors.CODE_PORT_UNREACHABLE, 40000, 7777);
    }

    @Test
    void hostDatagramsAboveTheMtuReachTheGuestAsIpv4FragmentsAndOnlyThoseAboveIpv4sLimitAreDropped() {
        send(guest.udp(40000, GW, 7777, ascii("x")));
        int max = config.mtu() - 28;
        byte[] big = new byte[max];
        for (int i = 0; i < max; i++) {
            big[i] = (byte) (i * 31);
        }
        host.last().reply(big);
        byte[] frame = sink.poll();
        assertThat(frame).hasSize(14 + config.mtu());
        assertThat(new TestGuest.Received(frame).udpPayload()).isEqualTo(big);
        assertThat(sink.poll()).as("the largest fitting datagram is one packet").isNull();

        byte[] bigger = java.util.Arrays.copyOf(big, 30_000);
        bigger[29_999] = 42;
        host.last().reply(bigger);
        java.util.List<byte[]> frames = sink.drain();
        assertThat(config.mtu()).isEqualTo(1500);
        assertThat(frames).as("30008 UDP bytes in 1480-byte pieces").hasSize(21);
        byte[] whole = dev.jnet.usernet.ip.WireFragments.joinIpv4(frames, config.mtu());
        assertThat(new TestGuest.Received(whole).udpPayload()).isEqualTo(bigger);

        host.last().reply(new byte[65_507 + 1]); // beyond what an IPv4 datagram holds
        assertThat(sink.poll()).isNull();
        assertThat(nat.oversized()).isEqualTo(1);
    }

    @Test
    void guestDatagramsUpToTheMtuArePassedWhole() {
        byte[] big = new byte[config.mtu() - 28];
        new java.util.Random(5).nextBytes(big);
        send(guest.udp(40000, GW, 7777, big));
        assertThat(host.last().sent.get(0)).isEqualTo(big);
    }

    @Test
    void closeClosesEverySocket() {
        send(guest.udp(40000, GW, 7777, ascii("x")));
        send(guest.udp(53000, DNS, 53, ascii("q")));
        nat.close();
        assertThat(host.open()).isZero();
        assertThat(nat.flowCount() + nat.dnsFlowCount()).isZero();
        assertThat(scheduler.pendingTimers()).isZero();
    }

    /** An ICMP destination unreachable from {@code from} quoting a UDP header with these ports. */
    static void assertUnreachable(byte[] frame, int from, int code, int srcPort, int dstPort) {
        assertThat(frame).as("ICMP error frame").isNotNull();
        TestGuest.Received r = new TestGuest.Received(frame);
        assertThat(r.ip.src()).isEqualTo(from);
        assertThat(r.ip.dst()).isEqualTo(GUEST);
        IcmpV4Packet icmp = r.icmp();
        assertThat(icmp.type()).isEqualTo(IcmpV4Packet.TYPE_DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(code);
        Ipv4Packet quoted = new Ipv4Packet().wrap(r.buf, icmp.payloadOffset(), icmp.payloadLength());
        assertThat(quoted.src()).isEqualTo(GUEST);
        assertThat(quoted.dst()).isEqualTo(from);
        assertThat(quoted.protocol()).isEqualTo(Ipv4Packet.PROTO_UDP);
        int udp = icmp.payloadOffset() + quoted.headerLength();
        assertThat(r.buf.getUnsignedShort(udp)).isEqualTo(srcPort);
        assertThat(r.buf.getUnsignedShort(udp + 2)).isEqualTo(dstPort);
    }
}
