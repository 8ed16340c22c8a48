package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp.IcmpEcho;
import dev.jnet.usernet.icmp.IcmpEchoForwarder;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Reassembler;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.tcp.TcpHostConnector;
import dev.jnet.usernet.tcp.TcpLimits;
import dev.jnet.usernet.tcp.TcpStack;
import dev.jnet.usernet.udp.FakeUdpHost;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 fuzz: a whole {@link Stack} with TCP (fake host side: no traffic anywhere), UDP NAT,
 * DNS and ICMP takes seeded random and mutated ARP/IPv4/ICMP/UDP/TCP frames and random bytes:
 * no exception escapes, its handlers never throw, every table stays within its bound, no
 * buffer leaks (exact direct-memory accounting of the stack's allocator, refCnt of every frame
 * in and every host buffer handed to it, and a smaller run under Netty's PARANOID leak
 * detector). Frame count: {@code -Djnet.test.fuzz.frames=N} (default 1,000,000).
 */
class StackFullFuzzTest {
    private static final int FRAMES = Integer.getInteger("jnet.test.fuzz.frames", 1_000_000);
    private static final int PARANOID_FRAMES = Integer.getInteger("jnet.test.fuzz.paranoidFrames", 20_000);
    private static final TcpLimits LIMITS = TcpLimits.defaults().withTable(64, 16, 16);
    private static final int MAX_UDP = 8;
    private static final int MAX_DNS = 4;
    private static final int MAX_ICMP = 8;

    @Test
    void aMillionFramesNeverThrowLeakOrGrowTables() {
        fuzz(FRAMES, 20261202);
    }

    @Test
    void paranoidLeakDetectorFindsNoLeak() {
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        List<String> leaks = new CopyOnWriteArrayList<>();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        // only buffers this test made: a buffer another test left unreleased is collected (and
        // reported) whenever the GC runs, which may be during this test
        ByteBufUtil.setLeakListener((type, records) -> {
            if (records.contains(StackFullFuzzTest.class.getName())) {
                leaks.add(type + ": " + records);
            }
        });
        try {
            fuzz(PARANOID_FRAMES, 7);
            // leaks are reported when a tracked buffer is collected unreleased, on a later allocation
            for (int i = 0; i < 5 && leaks.isEmpty(); i++) {
                System.gc();
                ByteBufAllocator.DEFAULT.directBuffer(16).release();
            }
        } finally {
            ResourceLeakDetector.setLevel(before);
            ByteBufUtil.setLeakListener(null);
        }
        assertThat(leaks).isEmpty();
    }

    private static void fuzz(int frames, long seed) {
        UsernetConfig config = UsernetConfig.defaults();
        ManualScheduler scheduler = new ManualScheduler();
        UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);
        CountingSink sink = new CountingSink(alloc);
        FakeUdpHost udpHost = new FakeUdpHost();
        Ipv4Output out = new Ipv4Output(config, sink);
        AddressMap map = new AddressMap(config);
        UdpNat udp = new UdpNat(config, scheduler, out, map,
                DnsForwarder.of(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353))), udpHost,
                new UdpNat.Limits(MAX_UDP, 1_000_000_000L, MAX_DNS, 1_000_000_000L));
        IcmpEchoForwarder echo = new IcmpEchoForwarder(scheduler, out, (addr, r) -> new StackFuzzTest.NullEchoSocket(),
                MAX_ICMP, 1_000_000_000L);
        FuzzHost tcpHost = new FuzzHost(scheduler, alloc);
        TcpStack tcp = new TcpStack(config, scheduler, out, map, tcpHost,
                () -> new InetSocketAddress(InetAddress.getLoopbackAddress(), 5353), LIMITS);
        Stack stack = new Stack(config, scheduler, out, tcp, tcp::connectionCount, udp, new IcmpEcho(config, out, map, echo));
        TestGuest guest = new TestGuest(config);
        Random rnd = new Random(seed);
        int[] dsts = {0x0A000202, 0x0A000203, 0x0A000232, 0xC0000201, 0xCB00710A, 0xC6336401, 0xFFFFFFFF, 0x7F000001};

        List<ByteBuf> held = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            int dst = dsts[rnd.nextInt(dsts.length)];
            byte[] payload = new byte[rnd.nextInt(rnd.nextInt(8) == 0 ? 1400 : 64)];
            rnd.nextBytes(payload);
            ByteBuf frame = switch (rnd.nextInt(7)) {
                case 0 -> guest.arpRequest(dst);
                case 1 -> guest.ping(dst, rnd.nextInt(65536), i, payload);
                case 2 -> guest.udp(1024 + rnd.nextInt(100), dst, rnd.nextBoolean() ? 53 : rnd.nextInt(65536), payload);
                case 3 -> guest.ipv4(guest.addr, dst, rnd.nextInt(256), payload);
                case 4, 5 -> guest.ipv4(guest.addr, dst, Ipv4Packet.PROTO_TCP, tcp(rnd, guest.addr, dst, payload));
                default -> StackFuzzTest.random(rnd);
            };
            int flips = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(4) : 0; // most frames stay valid: they go deeper
            for (int f = 0; f < flips && frame.readableBytes() > 0; f++) {
                frame.setByte(rnd.nextInt(frame.readableBytes()), rnd.nextInt(256));
            }
            if (rnd.nextInt(16) == 0 && frame.readableBytes() > 1) {
                frame.writerIndex(rnd.nextInt(frame.readableBytes()));
            }
            stack.receiveFrame(frame);
            if (frame.refCnt() != 0) {
                held.add(frame); // a fragment the reassembly keeps (bounded: see reassemblyPending)
            }
            if (held.size() > 256) {
                held.removeIf(b -> b.refCnt() == 0);
            }
            if (rnd.nextInt(64) == 0) {
                tcpHost.actOnSome(rnd);
            }
            if (i % 256 == 0) {
                scheduler.advance(rnd.nextInt(200) * 1_000_000L);
                StackStats s = stack.stats();
                assertThat(s.handlerErrors()).as("frame %d: %s", i, stack.lastHandlerError()).isZero();
                assertThat(s.tcpConnections()).isLessThanOrEqualTo(LIMITS.maxConnections());
                assertThat(tcp.embryonicCount()).isLessThanOrEqualTo(LIMITS.maxEmbryonic());
                assertThat(tcp.timeWaitCount()).isLessThanOrEqualTo(LIMITS.maxTimeWait());
                assertThat(s.udpFlows()).isLessThanOrEqualTo(MAX_UDP);
                assertThat(s.dnsFlows()).isLessThanOrEqualTo(MAX_DNS);
                assertThat(s.icmpFlows()).isLessThanOrEqualTo(MAX_ICMP);
                assertThat(s.reassemblyPending()).isLessThanOrEqualTo(Reassembler.Limits.DEFAULT.memoryBytes());
                assertThat(tcpHost.open()).isLessThanOrEqualTo(LIMITS.maxConnections());
            }
        }
        StackStats s = stack.stats();
        assertThat(s.framesReceived()).isEqualTo(frames);
        assertThat(s.handlerErrors()).as("%s", stack.lastHandlerError()).isZero();
        assertThat(sink.sent).as("the stack answered some frames").isPositive();
        stack.close();
        scheduler.advance(10_000_000_000L);
        assertThat(held).as("frames the reassembly still holds after close").allMatch(b -> b.refCnt() == 0);
        assertThat(udpHost.open()).isZero();
        assertThat(tcpHost.open()).as("host connections left open").isZero();
        assertThat(tcpHost.handedOut.stream().filter(b -> b.refCnt() > 0).count()).as("host buffers still held").isZero();
        assertThat(alloc.metric().usedDirectMemory()).as("direct memory the stack allocated and kept").isZero();
        assertThat(alloc.metric().usedHeapMemory()).isZero();
    }

    /** A TCP segment between the guest and a few four-tuples, with random flags, numbers and options. */
    private static byte[] tcp(Random rnd, int src, int dst, byte[] payload) {
        int srcPort = 40000 + rnd.nextInt(8);
        int dstPort = rnd.nextInt(4) == 0 ? rnd.nextInt(65536) : 80 + rnd.nextInt(3);
        int flags = switch (rnd.nextInt(6)) {
            case 0 -> TcpSegment.SYN;
            case 1 -> TcpSegment.ACK;
            case 2 -> TcpSegment.ACK | TcpSegment.PSH;
            case 3 -> TcpSegment.FIN | TcpSegment.ACK;
            case 4 -> TcpSegment.RST;
            default -> rnd.nextInt(256);
        };
        TcpOptions opts = rnd.nextBoolean() ? null
                : new TcpOptions().mss(rnd.nextInt(65536)).windowScale(rnd.nextInt(16)).sackPermitted(rnd.nextBoolean());
        int optLen = opts == null ? 0 : TcpSegment.optionsLength(opts);
        int len = flags == TcpSegment.SYN ? 0 : payload.length;
        byte[] seg = new byte[TcpSegment.MIN_HEADER_LENGTH + optLen + len];
        ByteBuf b = Unpooled.wrappedBuffer(seg);
        int hl = TcpSegment.emitHeader(b, 0, srcPort, dstPort, rnd.nextInt(), rnd.nextInt(), flags, rnd.nextInt(65536), 0, opts);
        b.setBytes(hl, payload, 0, len);
        new TcpSegment().wrap(b, 0, seg.length).fillChecksumIpv4(src, dst);
        return seg;
    }

    /** Counts and releases what the stack sends the guest. */
    private static final class CountingSink implements FrameSink {
        private final ByteBufAllocator alloc;
        long sent;

        CountingSink(ByteBufAllocator alloc) {
            this.alloc = alloc;
        }

        @Override
        public ByteBufAllocator alloc() {
            return alloc;
        }

        @Override
        public void sendFrame(ByteBuf frame) {
            sent++;
            frame.release();
        }
    }

    /**
     * TCP host sockets that exist only in memory: connects succeed or are refused at random
     * moments; accepted ones sometimes send data, end their input or reset.
     */
    private static final class FuzzHost implements TcpHostConnector {
        private final ManualScheduler scheduler;
        private final ByteBufAllocator alloc;
        private final List<Conn> conns = new ArrayList<>();
        final List<ByteBuf> handedOut = new ArrayList<>();

        FuzzHost(ManualScheduler scheduler, ByteBufAllocator alloc) {
            this.scheduler = scheduler;
            this.alloc = alloc;
        }

        @Override
        public HostConnection connect(InetSocketAddress remote, Listener listener) {
            Conn c = new Conn(listener);
            conns.add(c);
            return c;
        }

        int open() {
            conns.removeIf(c -> c.closed);
            return conns.size();
        }

        void actOnSome(Random rnd) {
            open();
            if (conns.isEmpty()) {
                return;
            }
            Conn c = conns.get(rnd.nextInt(conns.size()));
            scheduler.execute(() -> c.act(rnd.nextInt(6)));
            scheduler.runPending();
        }

        private final class Conn implements HostConnection {
            final Listener listener;
            boolean connected;
            boolean closed;
            long pending;

            Conn(Listener listener) {
                this.listener = listener;
            }

            void act(int what) {
                if (closed) {
                    return;
                }
                switch (what) {
                    case 0 -> {
                        if (!connected) {
                            connected = true;
                            listener.connected();
                        }
                    }
                    case 1 -> {
                        if (!connected) {
                            closed = true;
                            listener.connectFailed(Failure.REFUSED);
                        }
                    }
                    case 2, 3 -> {
                        if (connected) {
                            ByteBuf data = alloc.directBuffer(512).writeZero(512);
                            handedOut.add(data);
                            listener.received(data);
                        }
                    }
                    case 4 -> {
                        if (connected) {
                            listener.inputShutdown();
                        }
                    }
                    default -> {
                        if (connected) {
                            closed = true;
                            listener.reset();
                        }
                    }
                }
            }

            @Override
            public void setReading(int bytes) {
            }

            @Override
            public void write(ByteBuf data) {
                pending += data.readableBytes();
                data.release();
            }

            @Override
            public void flush() {
                if (pending > 0) {
                    pending = 0;
                    scheduler.execute(() -> {
                        if (!closed) {
                            listener.writeCompleted();
                        }
                    });
                }
            }

            @Override
            public long pendingWriteBytes() {
                return pending;
            }

            @Override
            public void shutdownOutput() {
            }

            @Override
            public void close() {
                closed = true;
            }

            @Override
            public void abort() {
                closed = true;
            }
        }
    }
}
