package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.linux.Errno;
import dev.jnet.linux.SyscallException;
import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp.Echo6Sockets;
import dev.jnet.usernet.icmp.EchoSockets;
import dev.jnet.usernet.icmp6.NeighborDiscovery;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.udp.FakeUdpHost;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The IPv6 half of the stack against an in-memory link, host and clock. */
class Ipv6StackTest {
    static final long PREFIX = Ipv6Config.DEFAULT_PREFIX_HIGH;
    static final long LL = NeighborDiscovery.LINK_LOCAL_HIGH;
    static final long GW_MAC = 0x5255_0A00_0202L;
    /** fe80::5055:aff:fe00:202, the EUI-64 of 52:55:0a:00:02:02 */
    static final long GW_LL_LOW = 0x5055_0aff_fe00_0202L;
    static final long ALL_NODES_HIGH = 0xff02_0000_0000_0000L;
    static final long OUTSIDE_HIGH = 0x2001_0db8_0000_0000L;

    final UsernetConfig config = UsernetConfig.defaults().withIpv6(Ipv6Config.defaults())
            .withResolvConf(Path.of("/nonexistent/resolv.conf"));
    final TestGuest6 guest = new TestGuest6(config);
    final ManualScheduler scheduler = new ManualScheduler();
    final MemoryFrameSink sink = new MemoryFrameSink();
    final FakeUdpHost udpHost = new FakeUdpHost();
    final FakeEcho6 echo = new FakeEcho6();
    final InetSocketAddress resolver = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353);
    Stack stack;
    Ipv6Stack v6;

    @BeforeEach
    void start() {
        Ipv4Output out = new Ipv4Output(config, sink);
        Ipv6Output out6 = new Ipv6Output(config, out);
        v6 = Ipv6Stack.create(config, scheduler, out6, new AddressMap(config), DnsForwarder.of(List.of(resolver)),
                udpHost, echo, null);
        stack = new Stack(config, scheduler, out, null, () -> 0, null, null, v6);
        scheduler.runPending();
        TestGuest6.Received ra = new TestGuest6.Received(sink.poll()); // the start-up advertisement
        assertThat(ra.icmp().type()).isEqualTo(Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT);
        assertThat(sink.size()).isZero();
        // the guest's first frame teaches the stack its MAC, as on a real link
        stack.receiveFrame(guest.routerSolicitation(255));
        sink.drain();
    }

    @AfterEach
    void stop() {
        stack.close();
    }

    @Test
    void neighborSolicitationForTheGatewayGetsARouterAdvertisementByteForByte() {
        stack.receiveFrame(guest.neighborSolicitation(TestGuest6.LL_HIGH, TestGuest6.LL_LOW, PREFIX, 2, 255));
        TestGuest6.Received na = new TestGuest6.Received(sink.poll());
        assertThat(na.eth.dst()).isEqualTo(TestGuest6.MAC);
        assertThat(na.eth.src()).isEqualTo(GW_MAC);
        assertThat(na.ip.hopLimit()).isEqualTo(255);
        assertThat(na.ip.srcHigh()).isEqualTo(PREFIX);
        assertThat(na.ip.srcLow()).isEqualTo(2);
        assertThat(na.ip.dstHigh()).isEqualTo(TestGuest6.LL_HIGH);
        assertThat(na.ip.dstLow()).isEqualTo(TestGuest6.LL_LOW);
        int checksum = na.icmp().checksum();
        byte[] expected = HexFormat.of().parseHex(
                "88" + "00" + String.format("%04x", checksum) + "e0000000"   // NA, router+solicited+override
                + "fd000000000000000000000000000002"                           // target
                + "0201" + "52550a000202");                                     // target link-layer address
        assertThat(na.transport()).isEqualTo(expected);
        assertThat(v6.ndp().neighborAdvertisements()).isEqualTo(1);
    }

    @Test
    void answersForTheDnsAddressAndTheGatewayLinkLocalAddressButNotForOthers() {
        stack.receiveFrame(guest.neighborSolicitation(PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, 3, 255));
        stack.receiveFrame(guest.neighborSolicitation(TestGuest6.LL_HIGH, TestGuest6.LL_LOW, LL, GW_LL_LOW, 255));
        stack.receiveFrame(guest.neighborSolicitation(TestGuest6.LL_HIGH, TestGuest6.LL_LOW, PREFIX, 0x99, 255));
        List<byte[]> frames = sink.drain();
        assertThat(frames).hasSize(2);
        TestGuest6.Received dns = new TestGuest6.Received(frames.get(0));
        assertThat(dns.ip.srcLow()).isEqualTo(3);
        assertThat(dns.ip.dstLow()).isEqualTo(TestGuest6.GLOBAL_LOW);
        TestGuest6.Received ll = new TestGuest6.Received(frames.get(1));
        assertThat(ll.ip.srcHigh()).isEqualTo(LL);
        assertThat(ll.ip.srcLow()).isEqualTo(GW_LL_LOW);
        assertThat(ll.icmp().type()).isEqualTo(Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT);
        assertThat(v6.ndp().ignored()).isEqualTo(1);
    }

    @Test
    void dadProbesForTheGuestsOwnAddressAreNeverAnsweredAndForOursGoToAllNodes() {
        stack.receiveFrame(guest.neighborSolicitation(0, 0, PREFIX, TestGuest6.GLOBAL_LOW, 255));
        assertThat(sink.size()).isZero();
        stack.receiveFrame(guest.neighborSolicitation(0, 0, PREFIX, 2, 255));
        TestGuest6.Received na = new TestGuest6.Received(sink.poll());
        assertThat(na.ip.dstHigh()).isEqualTo(ALL_NODES_HIGH);
        assertThat(na.ip.dstLow()).isEqualTo(1);
        assertThat(na.eth.dst()).isEqualTo(0x3333_0000_0001L);
        assertThat(na.icmp().messageWord()).isEqualTo(0xa000_0000); // router + override, not solicited
    }

    @Test
    void theGuestsAddressIsLearnedFromItsDadProbeAndItsPackets() {
        assertThat(v6.output().guestAddressKnown()).isFalse(); // the RS came from the link-local address
        stack.receiveFrame(guest.neighborSolicitation(0, 0, PREFIX, 0x1234, 255));
        assertThat(v6.output().guestAddressKnown()).isTrue();
        assertThat(v6.output().guestAddressHigh()).isEqualTo(PREFIX);
        assertThat(v6.output().guestAddressLow()).isEqualTo(0x1234);
        stack.receiveFrame(guest.ping(PREFIX, 2, 1, 1, new byte[4])); // from fd00::64
        assertThat(v6.output().guestAddressLow()).isEqualTo(TestGuest6.GLOBAL_LOW);
    }

    @Test
    void ndpWithAHopLimitOtherThan255IsDroppedAndCounted() {
        stack.receiveFrame(guest.neighborSolicitation(TestGuest6.LL_HIGH, TestGuest6.LL_LOW, PREFIX, 2, 64));
        stack.receiveFrame(guest.routerSolicitation(1));
        assertThat(sink.size()).isZero();
        assertThat(v6.ndp().badHopLimit()).isEqualTo(2);
    }

    @Test
    void routerSolicitationGetsAnAdvertisementWithPrefixMtuAndRdnss() {
        stack.receiveFrame(guest.routerSolicitation(255));
        TestGuest6.Received ra = new TestGuest6.Received(sink.poll());
        assertThat(ra.eth.dst()).isEqualTo(0x3333_0000_0001L);
        assertThat(ra.ip.hopLimit()).isEqualTo(255);
        assertThat(ra.ip.srcHigh()).isEqualTo(LL);
        assertThat(ra.ip.srcLow()).isEqualTo(GW_LL_LOW);
        assertThat(ra.ip.dstHigh()).isEqualTo(ALL_NODES_HIGH);
        assertThat(ra.ip.dstLow()).isEqualTo(1);
        Icmpv6Packet icmp = ra.icmp(); // checksum verified
        assertThat(icmp.type()).isEqualTo(Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT);
        String hex = HexFormat.of().formatHex(ra.transport()).substring(8); // after type, code, checksum
        assertThat(hex).isEqualTo(
                "40" + "40" + "0708" + "00000000" + "00000000"              // hop limit 64, M=0 O=1, 1800 s
                + "0101" + "52550a000202"                                     // source link-layer address
                + "0501" + "0000" + "000005dc"                                // MTU 1500
                + "0304" + "40" + "c0" + "00015180" + "00003840" + "00000000" // fd00::/64, L+A, 1 day, 4 h
                + "fd000000000000000000000000000000"
                + "1903" + "0000" + "000004b0"                                // RDNSS, 1200 s
                + "fd000000000000000000000000000003");
    }

    @Test
    void withoutDnsTheAdvertisementHasNoRdnss() {
        stack.close();
        UsernetConfig noDns = config.withDns(false);
        Ipv4Output out = new Ipv4Output(noDns, sink);
        v6 = Ipv6Stack.create(noDns, scheduler, new Ipv6Output(noDns, out), new AddressMap(noDns),
                DnsForwarder.of(List.of()), udpHost, echo, null);
        stack = new Stack(noDns, scheduler, out, null, () -> 0, null, null, v6);
        scheduler.runPending();
        TestGuest6.Received ra = new TestGuest6.Received(sink.poll());
        assertThat(ra.icmp().length()).isEqualTo(64);
    }

    /** pasta's --dhcp-dns/--dhcp-search: the announced servers in one RDNSS, the search list in a DNSSL. */
    @Test
    void anAnnouncementBecomesRdnssWithEveryServerAndDnssl() throws Exception {
        stack.close();
        DnsAnnouncement announced = new DnsAnnouncement(List.of(),
                List.of((java.net.Inet6Address) InetAddress.getByName("2001:db8::53"),
                        (java.net.Inet6Address) InetAddress.getByName("2001:db8::54")),
                List.of("Example.TEST."));
        UsernetConfig c = config.withServices(new LinkServices(true, true, true, true, announced));
        Ipv4Output out = new Ipv4Output(c, sink);
        v6 = Ipv6Stack.create(c, scheduler, new Ipv6Output(c, out), new AddressMap(c), DnsForwarder.of(List.of()),
                udpHost, echo, null);
        stack = new Stack(c, scheduler, out, null, () -> 0, null, null, v6);
        scheduler.runPending();
        TestGuest6.Received ra = new TestGuest6.Received(sink.poll());
        String hex = HexFormat.of().formatHex(ra.transport()).substring(8 + 16 + 16 + 16 + 72); // after the RA header and its link-layer, MTU and prefix options
        assertThat(hex).isEqualTo(
                "1905" + "0000" + "000004b0"                                  // RDNSS, 2 servers, 1200 s
                + "20010db8000000000000000000000053" + "20010db8000000000000000000000054"
                + "1f03" + "0000" + "000004b0"                                // DNSSL, 24 octets, 1200 s
                + "076578616d706c6504746573740000" + "00");                   // example.test, padded
    }

    /** pasta's --no-ra: no advertisement, at start, later or solicited; --no-ndp: no NDP answer at all. */
    @Test
    void withoutRaNothingIsAdvertisedAndWithoutNdpNothingIsAnswered() {
        for (LinkServices off : List.of(new LinkServices(true, true, true, false), new LinkServices(true, true, false, true))) {
            stack.close();
            sink.drain();
            UsernetConfig c = config.withServices(off);
            Ipv4Output out = new Ipv4Output(c, sink);
            v6 = Ipv6Stack.create(c, scheduler, new Ipv6Output(c, out), new AddressMap(c), DnsForwarder.of(List.of()),
                    udpHost, echo, null);
            stack = new Stack(c, scheduler, out, null, () -> 0, null, null, v6);
            scheduler.runPending();
            stack.receiveFrame(guest.routerSolicitation(255));
            scheduler.advance(TimeUnit.SECONDS.toNanos(1800));
            assertThat(sink.size()).as(off + ": no advertisement").isZero();
            stack.receiveFrame(guest.neighborSolicitation(TestGuest6.LL_HIGH, TestGuest6.LL_LOW, PREFIX, 2, 255));
            assertThat(sink.size()).as(off + ": the gateway's solicitation").isEqualTo(off.ndp() ? 1 : 0);
        }
    }

    @Test
    void advertisesPeriodicallyWithinLibslirpsInterval() {
        scheduler.advance(TimeUnit.SECONDS.toNanos(199));
        assertThat(sink.size()).isZero();
        // each gap is drawn from 200..600 s: by 600 s one to three, by 1800 s three to nine
        scheduler.advance(TimeUnit.SECONDS.toNanos(401));
        assertThat(sink.size()).isBetween(1, 3);
        scheduler.advance(TimeUnit.SECONDS.toNanos(1200));
        assertThat(sink.size()).isBetween(3, 9);
        stack.close();
        sink.drain();
        scheduler.advance(TimeUnit.SECONDS.toNanos(1200));
        assertThat(sink.size()).isZero();
    }

    @Test
    void echoToTheStacksOwnAddressesIsAnswered() {
        byte[] data = "ping6".getBytes(StandardCharsets.US_ASCII);
        long[][] targets = {{PREFIX, 2}, {PREFIX, 3}, {LL, GW_LL_LOW}};
        for (long[] t : targets) {
            stack.receiveFrame(guest.ping(t[0], t[1], 0x4242, 7, data));
            TestGuest6.Received r = new TestGuest6.Received(sink.poll());
            Icmpv6Packet icmp = r.icmp();
            assertThat(icmp.type()).isEqualTo(Icmpv6Packet.TYPE_ECHO_REPLY);
            assertThat(icmp.echoIdentifier()).isEqualTo(0x4242);
            assertThat(icmp.echoSequence()).isEqualTo(7);
            assertThat(r.ip.srcHigh()).isEqualTo(t[0]);
            assertThat(r.ip.srcLow()).isEqualTo(t[1]);
            assertThat(r.ip.dstLow()).isEqualTo(TestGuest6.GLOBAL_LOW);
            assertThat(r.eth.dst()).isEqualTo(TestGuest6.MAC);
            assertThat(TestGuest.bytes(r.buf, icmp.payloadOffset(), icmp.payloadLength())).isEqualTo(data);
        }
        assertThat(v6.icmp().answered()).isEqualTo(3);
    }

    @Test
    void echoToAnOutsideHostGoesThroughAPingSocketAndTheReplyGetsTheGuestsIdentifier() throws Exception {
        byte[] data = {1, 2, 3, 4};
        stack.receiveFrame(guest.ping(OUTSIDE_HIGH, 0x10, 0x4242, 1, data));
        assertThat(echo.opened).containsExactly(InetAddress.getByName("2001:db8::10"));
        byte[] sent = echo.sent.get(0);
        assertThat(sent[0] & 0xff).isEqualTo(Icmpv6Packet.TYPE_ECHO_REQUEST);
        // the kernel answers with its own identifier 0x0777 and a checksum for the host's addresses
        echo.reply(HexFormat.of().parseHex("81000000" + "0777" + "0001" + "01020304"));
        TestGuest6.Received r = new TestGuest6.Received(sink.poll());
        Icmpv6Packet icmp = r.icmp();
        assertThat(icmp.type()).isEqualTo(Icmpv6Packet.TYPE_ECHO_REPLY);
        assertThat(icmp.echoIdentifier()).isEqualTo(0x4242);
        assertThat(r.ip.srcHigh()).isEqualTo(OUTSIDE_HIGH);
        assertThat(r.ip.srcLow()).isEqualTo(0x10);
    }

    @Test
    void echoForwardingIsSilentlyOffWhenTheKernelRefusesPingSockets() {
        echo.refuse = true;
        stack.receiveFrame(guest.ping(OUTSIDE_HIGH, 0x10, 1, 1, new byte[4]));
        stack.receiveFrame(guest.ping(OUTSIDE_HIGH, 0x11, 1, 1, new byte[4]));
        assertThat(sink.size()).isZero();
        assertThat(echo.attempts).isEqualTo(1);
        assertThat(v6.icmp().forwarder().unsupported()).isTrue();
    }

    @Test
    void echoToAnotherAddressOfThePrefixGetsAddressUnreachable() {
        stack.receiveFrame(guest.ping(PREFIX, 0x99, 1, 1, new byte[8]));
        TestGuest6.Received r = new TestGuest6.Received(sink.poll());
        Icmpv6Packet icmp = r.icmp();
        assertThat(icmp.type()).isEqualTo(Icmpv6Packet.TYPE_DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(3);
        assertThat(r.ip.srcLow()).isEqualTo(0x99);
        assertThat(icmp.payloadLength()).isEqualTo(40 + 8 + 8); // the whole packet, after the unused word
    }

    @Test
    void udpToTheGatewayGoesToTheHostsLoopbackAndTheReplyComesFromTheGateway() throws Exception {
        byte[] query = "hello".getBytes(StandardCharsets.US_ASCII);
        stack.receiveFrame(guest.udp(40000, PREFIX, 2, 7777, query));
        FakeUdpHost.Socket s = udpHost.last();
        assertThat(s.remote).isEqualTo(new InetSocketAddress(InetAddress.getByName("::1"), 7777));
        assertThat(s.sent).containsExactly(query);
        s.reply("world".getBytes(StandardCharsets.US_ASCII));
        TestGuest6.Received r = new TestGuest6.Received(sink.poll());
        assertThat(r.ip.srcLow()).isEqualTo(2);
        assertThat(r.ip.dstLow()).isEqualTo(TestGuest6.GLOBAL_LOW);
        assertThat(r.udp().srcPort()).isEqualTo(7777);
        assertThat(r.udp().dstPort()).isEqualTo(40000);
        assertThat(new String(r.udpPayload(), StandardCharsets.US_ASCII)).isEqualTo("world");
        // the same flow again: no second socket
        stack.receiveFrame(guest.udp(40000, PREFIX, 2, 7777, query));
        assertThat(udpHost.sockets).hasSize(1);
        assertThat(v6.udp().flowCount()).isEqualTo(1);
    }

    @Test
    void dnsToPrefix3GoesToTheIpv4ResolverAndTheAnswerComesFromPrefix3() {
        stack.receiveFrame(guest.udp(5000, PREFIX, 3, 53, new byte[] {0x12, 0x34}));
        FakeUdpHost.Socket s = udpHost.last();
        assertThat(s.remote).isEqualTo(resolver);
        s.reply(new byte[] {0x12, 0x34, (byte) 0x81, (byte) 0x80});
        TestGuest6.Received r = new TestGuest6.Received(sink.poll());
        assertThat(r.ip.srcLow()).isEqualTo(3);
        assertThat(r.udp().srcPort()).isEqualTo(53);
        assertThat(r.udpPayload()).containsExactly(0x12, 0x34, 0x81, 0x80);
        assertThat(v6.udp().dnsFlowCount()).isEqualTo(1);
    }

    @Test
    void udpToAnOutsideHostAndHostErrorsBecomeIcmpv6Unreachable() throws Exception {
        stack.receiveFrame(guest.udp(5000, OUTSIDE_HIGH, 0x10, 9, new byte[] {1}));
        FakeUdpHost.Socket s = udpHost.last();
        assertThat(s.remote).isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::10"), 9));
        s.receiver.unreachable(3); // ECONNREFUSED
        TestGuest6.Received r = new TestGuest6.Received(sink.poll());
        Icmpv6Packet icmp = r.icmp();
        assertThat(icmp.type()).isEqualTo(Icmpv6Packet.TYPE_DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(4);
        assertThat(r.ip.srcHigh()).isEqualTo(OUTSIDE_HIGH);
        // the quoted packet is the guest's flow
        Ipv6Packet quoted = new Ipv6Packet().wrap(r.buf, icmp.payloadOffset(), 48);
        assertThat(quoted.srcLow()).isEqualTo(TestGuest6.GLOBAL_LOW);
        assertThat(r.buf.getUnsignedShort(icmp.payloadOffset() + 40)).isEqualTo(5000);
    }

    @Test
    void udpToPortsOfTheStackWithoutServiceAndToMulticastIsRefusedOrDropped() {
        stack.receiveFrame(guest.udp(5000, PREFIX, 3, 54, new byte[] {1}));
        TestGuest6.Received r = new TestGuest6.Received(sink.poll());
        assertThat(r.icmp().code()).isEqualTo(4);
        stack.receiveFrame(guest.udp(5353, 0xff02_0000_0000_0000L, 0xfb, 5353, new byte[] {1}));
        assertThat(sink.size()).isZero();
        assertThat(v6.udp().dropped()).isEqualTo(1);
        assertThat(udpHost.sockets).isEmpty();
    }

    @Test
    void withHostLoopbackDisabledTheGatewayRefusesUdpButStillAnswersPing() {
        stack.close();
        UsernetConfig noLoopback = config.withHostLoopback(false);
        Ipv4Output out = new Ipv4Output(noLoopback, sink);
        v6 = Ipv6Stack.create(noLoopback, scheduler, new Ipv6Output(noLoopback, out), new AddressMap(noLoopback),
                DnsForwarder.of(List.of(resolver)), udpHost, echo, null);
        stack = new Stack(noLoopback, scheduler, out, null, () -> 0, null, null, v6);
        scheduler.runPending();
        sink.drain();
        stack.receiveFrame(guest.udp(40000, PREFIX, 2, 7777, new byte[] {1}));
        TestGuest6.Received r = new TestGuest6.Received(sink.poll());
        assertThat(r.icmp().type()).isEqualTo(Icmpv6Packet.TYPE_DEST_UNREACHABLE);
        assertThat(r.icmp().code()).isEqualTo(4);
        assertThat(udpHost.sockets).isEmpty();
        stack.receiveFrame(guest.ping(PREFIX, 2, 1, 1, new byte[4]));
        assertThat(new TestGuest6.Received(sink.poll()).icmp().type()).isEqualTo(Icmpv6Packet.TYPE_ECHO_REPLY);
    }

    @Test
    void badAndMissingUdpChecksumsFragmentsAndGarbageAreCountedDrops() {
        byte[] udp = TestGuest6.udpBytes(PREFIX, TestGuest6.GLOBAL_LOW, 1, PREFIX, 2, 2, new byte[] {9});
        byte[] bad = udp.clone();
        bad[6] ^= 1;
        byte[] zero = udp.clone();
        zero[6] = 0;
        zero[7] = 0;
        stack.receiveFrame(guest.ipv6(GW_MAC, PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, 2, Ipv6Packet.NH_UDP, 64, bad));
        stack.receiveFrame(guest.ipv6(GW_MAC, PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, 2, Ipv6Packet.NH_UDP, 64, zero));
        assertThat(v6.udp().badChecksum()).isEqualTo(2);
        byte[] fragment = new byte[8 + udp.length];
        fragment[0] = Ipv6Packet.NH_UDP;
        fragment[3] = 1; // M: the first of several (an odd length, so malformed for the reassembly)
        System.arraycopy(udp, 0, fragment, 8, udp.length);
        stack.receiveFrame(guest.ipv6(GW_MAC, PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, 2, Ipv6Packet.NH_FRAGMENT, 64,
                fragment));
        assertThat(v6.input().fragments()).isEqualTo(1);
        ByteBuf truncated = guest.udp(1, PREFIX, 2, 2, new byte[] {9});
        truncated.setShort(EthernetFrame.HEADER_LENGTH + 4, 500); // payload length beyond the frame
        stack.receiveFrame(truncated);
        assertThat(v6.input().malformed()).isEqualTo(1);
        byte[] icmp = TestGuest6.icmp(PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, 2, Icmpv6Packet.TYPE_ECHO_REQUEST, 0, 0,
                new byte[4]);
        icmp[5] ^= 1;
        stack.receiveFrame(guest.ipv6(GW_MAC, PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, 2, Ipv6Packet.NH_ICMPV6, 64, icmp));
        assertThat(v6.icmp().badChecksum()).isEqualTo(1);
        assertThat(sink.size()).isZero();
        assertThat(udpHost.sockets).isEmpty();
    }

    @Test
    void hopByHopAndDestinationOptionsAreSkipped() {
        byte[] udp = TestGuest6.udpBytes(PREFIX, TestGuest6.GLOBAL_LOW, 1000, PREFIX, 2, 2000, new byte[] {9});
        byte[] withOptions = new byte[16 + udp.length];
        withOptions[0] = 60; // hop-by-hop, then destination options
        withOptions[1] = 0;
        withOptions[2] = 1; // PadN 4
        withOptions[3] = 4;
        withOptions[8] = Ipv6Packet.NH_UDP;
        withOptions[10] = 1;
        withOptions[11] = 4;
        System.arraycopy(udp, 0, withOptions, 16, udp.length);
        stack.receiveFrame(guest.ipv6(GW_MAC, PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, 2, Ipv6Packet.NH_HOP_BY_HOP, 64,
                withOptions));
        assertThat(udpHost.last().sent).containsExactly(new byte[] {9});
    }

    @Test
    void tcpWithoutAHandlerIsDroppedAndIpv6IsDroppedWhenOff() {
        stack.receiveFrame(guest.ipv6(GW_MAC, PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, 2, Ipv6Packet.NH_TCP, 64,
                new byte[20]));
        assertThat(v6.input().noHandler()).isEqualTo(1);
        stack.close();
        UsernetConfig off = config.withIpv6(null);
        stack = new Stack(off, scheduler, new Ipv4Output(off, sink), null, () -> 0, null, null);
        stack.receiveFrame(guest.routerSolicitation(255));
        assertThat(sink.size()).isZero();
        assertThat(stack.stats().framesUnsupported()).isEqualTo(1);
    }

    /** Echo sockets in memory: records requests, plays the kernel's replies. */
    static final class FakeEcho6 implements Echo6Sockets {
        final List<InetAddress> opened = new ArrayList<>();
        final List<byte[]> sent = new ArrayList<>();
        EchoSockets.Receiver receiver;
        boolean refuse;
        int attempts;

        @Override
        public EchoSockets.Socket open(Inet6Address host, EchoSockets.Receiver r) {
            attempts++;
            if (refuse) {
                throw new SyscallException(Errno.EACCES, "socket", "ICMP echo to " + host.getHostAddress());
            }
            opened.add(host);
            receiver = r;
            return new EchoSockets.Socket() {
                @Override
                public void send(ByteBuf buf, int index, int length) {
                    byte[] b = new byte[length];
                    buf.getBytes(index, b);
                    sent.add(b);
                }

                @Override
                public void close() {}
            };
        }

        void reply(byte[] message) {
            ByteBuf buf = receiver.allocate();
            buf.writeBytes(message);
            receiver.reply(buf);
        }
    }
}
