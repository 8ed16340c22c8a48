package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp.IcmpEcho;
import dev.jnet.usernet.icmp.IcmpEchoForwarder;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.udp.FakeUdpHost;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated and random frames never make the stack throw or leak a frame, every frame it sends
 * is well formed, and its tables stay within their bounds.
 */
class StackFuzzTest {
    @Test
    void garbageInNeverThrowsLeaksOrGrowsTables() {
        UsernetConfig config = UsernetConfig.defaults();
        ManualScheduler scheduler = new ManualScheduler();
        MemoryFrameSink sink = new MemoryFrameSink();
        FakeUdpHost host = new FakeUdpHost();
        Ipv4Output out = new Ipv4Output(config, sink);
        AddressMap map = new AddressMap(config);
        UdpNat udp = new UdpNat(config, scheduler, out, map,
                DnsForwarder.of(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353))), host,
                new UdpNat.Limits(8, 1_000_000, 4, 1_000_000));
        IcmpEchoForwarder echo = new IcmpEchoForwarder(scheduler, out, (addr, r) -> new NullEchoSocket(), 8, 1_000_000);
        Stack stack = new Stack(config, scheduler, out, null, () -> 0, udp, new IcmpEcho(config, out, map, echo));
        TestGuest guest = new TestGuest(config);
        Random rnd = new Random(20261202);
        int[] dsts = {0x0A000202, 0x0A000203, 0x0A000232, 0xC0000201, 0xC6336401, 0xFFFFFFFF, 0x7F000001};

        for (int i = 0; i < 20_000; i++) {
            int dst = dsts[rnd.nextInt(dsts.length)];
            byte[] payload = new byte[rnd.nextInt(64)];
            rnd.nextBytes(payload);
            ByteBuf frame = switch (rnd.nextInt(5)) {
                case 0 -> guest.arpRequest(dst);
                case 1 -> guest.ping(dst, rnd.nextInt(65536), i, payload);
                case 2 -> guest.udp(1024 + rnd.nextInt(100), dst, rnd.nextBoolean() ? 53 : rnd.nextInt(65536), payload);
                case 3 -> guest.ipv4(guest.addr, dst, rnd.nextInt(256), payload);
                default -> random(rnd);
            };
            int flips = rnd.nextInt(4);
            for (int f = 0; f < flips && frame.readableBytes() > 0; f++) {
                int at = rnd.nextInt(frame.readableBytes());
                frame.setByte(at, rnd.nextInt(256));
            }
            if (rnd.nextInt(8) == 0 && frame.readableBytes() > 1) {
                frame.writerIndex(rnd.nextInt(frame.readableBytes()));
            }
            stack.receiveFrame(frame);
            assertThat(frame.refCnt()).isZero();
            for (byte[] sent : sink.drain()) {
                TestGuest.Received r = new TestGuest.Received(sent); // asserts a valid IPv4 header
                if (r.eth.etherType() == 0x0800 && r.ip.protocol() == Ipv4Packet.PROTO_UDP) {
                    r.udp();
                }
            }
            StackStats s = stack.stats();
            assertThat(s.handlerErrors()).as("%s", stack.lastHandlerError()).isZero();
            assertThat(s.udpFlows()).isLessThanOrEqualTo(8);
            assertThat(s.dnsFlows()).isLessThanOrEqualTo(4);
            assertThat(s.icmpFlows()).isLessThanOrEqualTo(8);
            if (i % 1000 == 0) {
                scheduler.advance(500_000);
            }
        }
        stack.close();
        assertThat(host.open()).isZero();
    }

    static ByteBuf random(Random rnd) {
        int len = rnd.nextInt(100);
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(Math.max(1, len));
        byte[] bytes = new byte[len];
        rnd.nextBytes(bytes);
        return b.writeBytes(bytes);
    }

    static final class NullEchoSocket implements dev.jnet.usernet.icmp.EchoSockets.Socket {
        @Override
        public void send(ByteBuf buf, int index, int length) {
        }

        @Override
        public void close() {
        }
    }
}
