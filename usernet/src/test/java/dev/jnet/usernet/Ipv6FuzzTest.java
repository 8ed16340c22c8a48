package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp6.Icmpv6EchoForwarder;
import dev.jnet.usernet.icmp6.Icmpv6Input;
import dev.jnet.usernet.icmp6.NeighborDiscovery;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.ip.Reassembler;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.udp.FakeUdpHost;
import dev.jnet.usernet.udp.Udp6Nat;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated IPv6 frames (NDP, echo, UDP, extension headers, garbage) never make the stack throw
 * or leak a frame, every frame it sends is well-formed IPv6 with valid checksums, and the
 * IPv6 flow tables stay within their bounds.
 */
class Ipv6FuzzTest {
    static final long PREFIX = Ipv6Config.DEFAULT_PREFIX_HIGH;

    @Test
    void garbageInNeverThrowsLeaksOrGrowsTables() {
        UsernetConfig config = UsernetConfig.defaults().withIpv6(Ipv6Config.defaults());
        ManualScheduler scheduler = new ManualScheduler();
        MemoryFrameSink sink = new MemoryFrameSink();
        FakeUdpHost host = new FakeUdpHost();
        Ipv4Output out = new Ipv4Output(config, sink);
        Ipv6Output out6 = new Ipv6Output(config, out);
        AddressMap map = new AddressMap(config);
        NeighborDiscovery ndp = new NeighborDiscovery(config, scheduler, out6);
        Icmpv6EchoForwarder echo = new Icmpv6EchoForwarder(scheduler, out6,
                (addr, r) -> new StackFuzzTest.NullEchoSocket(), 8, 1_000_000);
        Udp6Nat udp = new Udp6Nat(config, scheduler, out6, map,
                DnsForwarder.of(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353))), host,
                new UdpNat.Limits(8, 1_000_000, 4, 1_000_000));
        Ipv6Stack v6 = new Ipv6Stack(out6, ndp, new Icmpv6Input(out6, map, ndp, echo), udp, null);
        Stack stack = new Stack(config, scheduler, out, null, () -> 0, null, null, v6);
        TestGuest6 guest = new TestGuest6(config);
        Random rnd = new Random(20261206);
        long[][] dsts = {{PREFIX, 2}, {PREFIX, 3}, {PREFIX, 0x99}, {0x2001_0db8_0000_0000L, 0x10},
            {0xff02_0000_0000_0000L, 1}, {0, 1}, {NeighborDiscovery.LINK_LOCAL_HIGH, 0x5055_0aff_fe00_0202L}};

        List<ByteBuf> held = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            long[] dst = dsts[rnd.nextInt(dsts.length)];
            byte[] payload = new byte[rnd.nextInt(64)];
            rnd.nextBytes(payload);
            ByteBuf frame = switch (rnd.nextInt(6)) {
                case 0 -> guest.neighborSolicitation(rnd.nextBoolean() ? 0 : TestGuest6.LL_HIGH,
                        rnd.nextBoolean() ? 0 : TestGuest6.LL_LOW, dst[0], dst[1], rnd.nextBoolean() ? 255 : 64);
                case 1 -> guest.routerSolicitation(255);
                case 2 -> guest.ping(dst[0], dst[1], rnd.nextInt(65536), i, payload);
                case 3 -> guest.udp(1024 + rnd.nextInt(100), dst[0], dst[1], rnd.nextBoolean() ? 53 : rnd.nextInt(65536),
                        payload);
                case 4 -> guest.ipv6(config.gatewayMac(), PREFIX, TestGuest6.GLOBAL_LOW, dst[0], dst[1],
                        new int[] {0, 43, 44, 60, 59, 6, 17, 58}[rnd.nextInt(8)], rnd.nextInt(256), payload);
                default -> StackFuzzTest.random(rnd);
            };
            if (frame.readableBytes() >= EthernetFrame.HEADER_LENGTH && rnd.nextInt(4) != 0) {
                frame.setShort(12, EthernetFrame.ETHERTYPE_IPV6); // garbage as IPv6 too
            }
            int flips = rnd.nextInt(4);
            for (int f = 0; f < flips && frame.readableBytes() > 0; f++) {
                frame.setByte(rnd.nextInt(frame.readableBytes()), rnd.nextInt(256));
            }
            if (rnd.nextInt(8) == 0 && frame.readableBytes() > 1) {
                frame.writerIndex(rnd.nextInt(frame.readableBytes()));
            }
            stack.receiveFrame(frame);
            if (frame.refCnt() != 0) {
                held.add(frame); // a fragment the reassembly keeps (bounded: see reassemblyPending)
            }
            if (held.size() > 256) {
                held.removeIf(b -> b.refCnt() == 0);
            }
            assertThat(stack.stats().reassemblyPending()).isLessThanOrEqualTo(Reassembler.Limits.DEFAULT.memoryBytes());
            for (byte[] sent : sink.drain()) {
                TestGuest6.Received r = new TestGuest6.Received(sent); // a valid IPv6 header
                if (r.ip.nextHeader() == Ipv6Packet.NH_UDP) {
                    r.udp();
                } else {
                    assertThat(r.icmp().type()).isIn(Icmpv6Packet.TYPE_DEST_UNREACHABLE, Icmpv6Packet.TYPE_ECHO_REPLY,
                            Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT, Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT);
                    assertThat(r.ip.payloadLength()).isLessThanOrEqualTo(1280 - 40);
                }
            }
            assertThat(stack.stats().handlerErrors()).as("%s", stack.lastHandlerError()).isZero();
            assertThat(udp.flowCount()).isLessThanOrEqualTo(8);
            assertThat(udp.dnsFlowCount()).isLessThanOrEqualTo(4);
            assertThat(echo.flowCount()).isLessThanOrEqualTo(8);
            if (i % 1000 == 0) {
                scheduler.advance(500_000);
            }
        }
        assertThat(v6.input().delivered()).isGreaterThan(5_000);
        stack.close();
        assertThat(host.open()).isZero();
        assertThat(held).as("frames the reassembly still holds after close").allMatch(b -> b.refCnt() == 0);
    }
}
