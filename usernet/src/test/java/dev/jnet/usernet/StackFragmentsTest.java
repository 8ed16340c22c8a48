package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp.IcmpEcho;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.ip.WireFragments;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.udp.FakeUdpHost;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fragments through the whole stack at MTU 1500: what the guest sends in pieces reaches the host
 * whole, what comes back above the MTU reaches the guest in pieces, both families.
 */
class StackFragmentsTest {
    static final int GW = 0x0A000202;
    static final int TEST_NET = 0xC0000201; // 192.0.2.1: never leaves the test (fake host side)
    static final long PREFIX = Ipv6Config.DEFAULT_PREFIX_HIGH;
    static final long GW_MAC = 0x5255_0A00_0202L;
    static final long OUTSIDE_HIGH = 0x2001_0db8_0000_0000L;

    final UsernetConfig config = UsernetConfig.defaults().withIpv6(Ipv6Config.defaults())
            .withResolvConf(Path.of("/nonexistent/resolv.conf"));
    final ManualScheduler scheduler = new ManualScheduler();
    final MemoryFrameSink sink = new MemoryFrameSink();
    final FakeUdpHost host = new FakeUdpHost();
    final TestGuest guest = new TestGuest(config);
    final TestGuest6 guest6 = new TestGuest6(config);
    final Random random = new Random(13);
    Stack stack;

    @BeforeEach
    void start() {
        Ipv4Output out = new Ipv4Output(config, sink);
        Ipv6Output out6 = new Ipv6Output(config, out);
        AddressMap map = new AddressMap(config);
        DnsForwarder dns = DnsForwarder.of(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353)));
        Ipv6Stack v6 = Ipv6Stack.create(config, scheduler, out6, map, dns, host, null, null);
        UdpNat udp = new UdpNat(config, scheduler, out, map, dns, host, UdpNat.Limits.DEFAULT);
        stack = new Stack(config, scheduler, out, null, () -> 0, udp, new IcmpEcho(config, out, map, null), v6);
        scheduler.runPending();
        stack.receiveFrame(guest6.routerSolicitation(255)); // teaches the stack the guest's MAC
        sink.drain();
        assertThat(config.mtu()).isEqualTo(1500);
    }

    @AfterEach
    void stop() {
        stack.close();
        assertThat(stack.stats().reassemblyPending()).isZero();
    }

    private byte[] payload(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void aThirtyThousandByteUdpDatagramInIpv4FragmentsGoesOutWholeAndItsEchoComesBackFragmented() {
        byte[] data = payload(30_000);
        List<ByteBuf> fragments = WireFragments.splitIpv4(guest.udp(40000, TEST_NET, 7, data), 1480);
        Collections.shuffle(fragments, random);
        fragments.forEach(stack::receiveFrame);
        assertThat(host.last().sent).hasSize(1);
        assertThat(host.last().sent.get(0)).isEqualTo(data);

        host.last().reply(data);
        List<byte[]> frames = sink.drain();
        assertThat(frames).as("30008 UDP bytes in 1480-byte pieces").hasSize(21);
        TestGuest.Received r = new TestGuest.Received(WireFragments.joinIpv4(frames, 1500));
        assertThat(r.ip.src()).isEqualTo(TEST_NET);
        assertThat(r.udpPayload()).isEqualTo(data);
        StackStats s = stack.stats();
        assertThat(s.ipv4Fragments()).isEqualTo(21);
        assertThat(s.reassembled()).isEqualTo(1);
        assertThat(s.fragmentsSent()).isEqualTo(21);
    }

    @Test
    void aBigPingToTheGatewayIsAnsweredInFragments() {
        byte[] data = payload(20_000);
        WireFragments.splitIpv4(guest.ping(GW, 7, 1, data), 1480).forEach(stack::receiveFrame);
        TestGuest.Received r = new TestGuest.Received(WireFragments.joinIpv4(sink.drain(), 1500));
        IcmpV4Packet icmp = r.icmp();
        assertThat(icmp.type()).isEqualTo(IcmpV4Packet.TYPE_ECHO_REPLY);
        assertThat(TestGuest.bytes(r.buf, icmp.offset() + 8, icmp.length() - 8)).isEqualTo(data);
    }

    @Test
    void aFragmentWithTtlZeroIsNotKept() {
        List<ByteBuf> fragments = WireFragments.splitIpv4(guest.udp(40000, TEST_NET, 7, payload(3000)), 1480);
        ByteBuf first = fragments.get(0);
        first.setByte(14 + 8, 0);
        first.setShort(14 + 10, 0);
        first.setShort(14 + 10, dev.jnet.usernet.wire.InternetChecksum.compute(first, 14, 20));
        fragments.forEach(stack::receiveFrame);
        assertThat(host.sockets).isEmpty();
        assertThat(stack.stats().ipv4TtlExpired()).isEqualTo(1);
    }

    private List<ByteBuf> ipv6Fragments(byte[] transport, int nextHeader, int size, int id) {
        List<ByteBuf> frames = new ArrayList<>();
        for (byte[] piece : WireFragments.splitIpv6(transport, nextHeader, size, id)) {
            frames.add(guest6.ipv6(GW_MAC, PREFIX, TestGuest6.GLOBAL_LOW, OUTSIDE_HIGH, 0x10, Ipv6Packet.NH_FRAGMENT, 64,
                    piece));
        }
        return frames;
    }

    @Test
    void aThirtyThousandByteUdpDatagramInIpv6FragmentsGoesOutWholeAndItsEchoComesBackFragmented() {
        byte[] data = payload(30_000);
        byte[] udp = TestGuest6.udpBytes(PREFIX, TestGuest6.GLOBAL_LOW, 40000, OUTSIDE_HIGH, 0x10, 7, data);
        List<ByteBuf> fragments = ipv6Fragments(udp, Ipv6Packet.NH_UDP, 1448, 0x1234);
        Collections.shuffle(fragments, random);
        fragments.forEach(stack::receiveFrame);
        assertThat(host.last().sent).hasSize(1);
        assertThat(host.last().sent.get(0)).isEqualTo(data);

        host.last().reply(data);
        List<byte[]> frames = sink.drain();
        assertThat(frames).as("30008 UDP bytes in (1500 - 48 rounded to 8) = 1448-byte pieces").hasSize(21);
        TestGuest6.Received r = new TestGuest6.Received(WireFragments.joinIpv6(frames, 1500));
        assertThat(r.ip.srcHigh()).isEqualTo(OUTSIDE_HIGH);
        assertThat(r.udp().payloadLength()).isEqualTo(data.length);
        assertThat(TestGuest.bytes(r.buf, r.udp().payloadOffset(), data.length)).isEqualTo(data);
        StackStats s = stack.stats();
        assertThat(s.ipv6Fragments()).isEqualTo(21);
        assertThat(s.reassembled()).isEqualTo(1);
        assertThat(s.fragmentsSent()).isEqualTo(21);
    }

    @Test
    void aBigIpv6PingToTheGatewayIsAnsweredInFragments() {
        byte[] data = payload(20_000);
        long gwLow = Ipv6Config.GATEWAY_LOW;
        byte[] echo = TestGuest6.icmp(PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, gwLow, Icmpv6Packet.TYPE_ECHO_REQUEST, 0,
                0x00070001, data);
        for (byte[] piece : WireFragments.splitIpv6(echo, Ipv6Packet.NH_ICMPV6, 1448, 99)) {
            stack.receiveFrame(guest6.ipv6(GW_MAC, PREFIX, TestGuest6.GLOBAL_LOW, PREFIX, gwLow, Ipv6Packet.NH_FRAGMENT,
                    64, piece));
        }
        TestGuest6.Received r = new TestGuest6.Received(WireFragments.joinIpv6(sink.drain(), 1500));
        Icmpv6Packet icmp = r.icmp();
        assertThat(icmp.type()).isEqualTo(Icmpv6Packet.TYPE_ECHO_REPLY);
        assertThat(TestGuest.bytes(r.buf, icmp.offset() + 8, icmp.length() - 8)).isEqualTo(data);
    }

    @Test
    void anAtomicIpv6FragmentIsHandledAsAWholePacket() {
        byte[] data = payload(100);
        byte[] udp = TestGuest6.udpBytes(PREFIX, TestGuest6.GLOBAL_LOW, 40000, OUTSIDE_HIGH, 0x10, 7, data);
        ipv6Fragments(udp, Ipv6Packet.NH_UDP, 1448, 5).forEach(stack::receiveFrame); // one piece: offset 0, M 0
        assertThat(host.last().sent).containsExactly(data);
        assertThat(stack.ipv6().input().atomicFragments()).isEqualTo(1);
        assertThat(stack.stats().reassembled()).isZero();
    }

    @Test
    void anIpv6FirstFragmentWhoseHeaderChainEndsBeforeTheTransportHeaderIsDropped() {
        // destination options (8 bytes), then TCP: its 20-byte header is not in the first 16 bytes
        byte[] chain = new byte[8 + 40];
        chain[0] = Ipv6Packet.NH_TCP;
        for (ByteBuf f : ipv6Fragments(chain, 60, 16, 6)) {
            stack.receiveFrame(f);
        }
        assertThat(stack.stats().fragmentsTinyFirst()).isEqualTo(1);
        assertThat(stack.stats().reassembled()).isZero();
    }
}
