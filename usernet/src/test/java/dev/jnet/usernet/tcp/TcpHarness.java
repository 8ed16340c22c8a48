package dev.jnet.usernet.tcp;

import dev.jnet.usernet.ManualScheduler;
import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A TcpStack on a virtual clock with an in-memory link to test guests: frames from the stack
 * are parsed and logged, then handed (possibly dropped, duplicated or delayed) to the guest
 * owning the destination port; the guests' segments go the same way into the stack.
 */
final class TcpHarness implements FrameSink {
    static final long MS = 1_000_000L;
    static final int GUEST = 0x0A000264; // 10.0.2.100
    static final int GATEWAY = 0x0A000202;
    static final int REMOTE = 0xCB00710A; // 203.0.113.10

    final ManualScheduler scheduler;
    /** the stack's thread and clock: {@link #scheduler} or a real event loop */
    final Scheduler clock;
    final UsernetConfig config;
    final FakeHostConnector connector;
    final Ipv4Output out;
    final TcpStack stack;
    final List<Seg> log = new ArrayList<>();
    /** whether to keep every segment in {@link #log} (off for big real-loop runs) */
    boolean logging = true;
    final List<byte[]> icmp = new ArrayList<>();
    final Map<Integer, GuestTcp> guests = new HashMap<>();
    final Random random;

    // impairment of both directions
    double loss;
    double duplicate;
    long maxJitterNanos;
    /** whether a bad checksum from the stack fails the test (else the guest drops it: a lossy link) */
    final boolean checksumFailuresFatal;
    /** stack-to-guest frames dropped for a bad checksum or a flipped MAC/EtherType (corrupted on a lossy link) */
    long badChecksums;
    /** where guest frames go instead of straight into the TcpStack: a whole Stack, maybe behind a lossy link */
    dev.jnet.usernet.link.FrameHandler frames;

    /** fixed one-way delay of the link */
    long delayNanos;
    /** drops stack-to-guest segments the test picks */
    java.util.function.Predicate<Seg> dropToGuest = s -> false;

    /** One segment the stack sent. */
    record Seg(long time, int src, int dst, int srcPort, int dstPort, int seq, int ack, int flags, int window,
            int length, int mss, int windowScale, boolean sackPermitted, int[] sack) {
        boolean has(int f) {
            return (flags & f) == f;
        }

        @Override
        public String toString() {
            return (time / MS) + "ms " + srcPort + ">" + dstPort + " [" + TcpSegment.flagsToString(flags) + "] seq "
                    + Integer.toUnsignedString(seq) + " ack " + Integer.toUnsignedString(ack) + " win " + window
                    + " len " + length;
        }
    }

    TcpHarness(TcpLimits limits) {
        this(UsernetConfig.defaults(), limits, 1);
    }

    TcpHarness(UsernetConfig config, TcpLimits limits, long seed) {
        this(config, limits, seed, new ManualScheduler(), sink -> sink);
    }

    /**
     * A harness whose stack-to-guest frames pass {@code link} (a fault injector, say) before the
     * harness parses them; frames the link corrupted are then dropped as a guest drops them.
     */
    TcpHarness(UsernetConfig config, TcpLimits limits, long seed, ManualScheduler scheduler,
            java.util.function.UnaryOperator<FrameSink> link) {
        this(config, limits, seed, scheduler, link, false);
    }

    /** With {@code offload}, the link is a tap with checksum and segmentation offload ({@link #sendOffloaded}). */
    TcpHarness(UsernetConfig config, TcpLimits limits, long seed, boolean offload) {
        this(config, limits, seed, new ManualScheduler(), sink -> sink, offload);
    }

    private TcpHarness(UsernetConfig config, TcpLimits limits, long seed, ManualScheduler scheduler,
            java.util.function.UnaryOperator<FrameSink> link, boolean offload) {
        this.offload = offload;
        this.config = config;
        this.random = new Random(seed);
        this.scheduler = scheduler;
        this.clock = scheduler;
        this.connector = new FakeHostConnector(scheduler);
        FrameSink toGuest = link.apply(this);
        this.out = new Ipv4Output(config, toGuest);
        this.checksumFailuresFatal = toGuest == this;
        this.stack = new TcpStack(config, scheduler, out, new AddressMap(config), connector,
                () -> new InetSocketAddress("127.0.0.1", 53), limits);
    }

    /** A harness on a real loop with a real connector (no virtual clock, no impairment). */
    TcpHarness(UsernetConfig config, TcpLimits limits, Scheduler loop, TcpHostConnector hostConnector) {
        this.offload = false;
        this.config = config;
        this.random = new Random(1);
        this.scheduler = null;
        this.clock = loop;
        this.connector = null;
        this.out = new Ipv4Output(config, this);
        this.checksumFailuresFatal = true;
        this.stack = new TcpStack(config, loop, out, new AddressMap(config), hostConnector,
                () -> new InetSocketAddress("127.0.0.1", 53), limits);
    }

    @Override
    public ByteBufAllocator alloc() {
        return UnpooledByteBufAllocator.DEFAULT;
    }

    /** whether the link offers offloads (fixed before the stack is built: it asks once) */
    final boolean offload;
    /** super-packets the stack sent (payload above their segment size) and the segment sizes it named */
    final List<int[]> superPackets = new ArrayList<>();

    @Override
    public int offloadFrameLimit() {
        return offload ? EthernetFrame.HEADER_LENGTH + 65535 : 0;
    }

    /** As the guest's kernel takes a frame from a tap with offloads: completes the partial checksum, keeps it whole. */
    @Override
    public void sendOffloaded(ByteBuf frame, int csumStart, int headerEnd, boolean v6, int segmentSize) {
        int payload = frame.readableBytes() - headerEnd;
        if (payload > segmentSize) {
            superPackets.add(new int[] {payload, segmentSize});
        }
        int start = frame.readerIndex() + csumStart;
        frame.setShort(start + 16, InternetChecksum.finish(InternetChecksum.sum(frame, start, frame.writerIndex() - start)));
        sendFrame(frame);
    }

    @Override
    public void sendFrame(ByteBuf frame) {
        try {
            if (!checksumFailuresFatal && !addressedToGuest(frame)) {
                badChecksums++; // the guest's NIC drops it, as it would a frame whose CRC fails
                return;
            }
            int ipOff = frame.readerIndex() + EthernetFrame.HEADER_LENGTH;
            Ipv4Packet ip = new Ipv4Packet().wrap(frame, ipOff, frame.writerIndex() - ipOff);
            if (!ip.check() || !ip.verifyChecksum()) {
                if (!checksumFailuresFatal) {
                    badChecksums++;
                    return;
                }
                throw new AssertionError("stack sent a bad IPv4 header");
            }
            if (ip.protocol() == Ipv4Packet.PROTO_ICMP) {
                byte[] b = new byte[ip.totalLength()];
                frame.getBytes(ipOff, b);
                icmp.add(b);
                return;
            }
            TcpSegment tcp = new TcpSegment().wrap(frame, ip.payloadOffset(), ip.payloadLength());
            if (!tcp.check() || !tcp.verifyChecksumIpv4(ip.src(), ip.dst())) {
                if (!checksumFailuresFatal) {
                    badChecksums++;
                    return;
                }
                throw new AssertionError("stack sent a bad TCP segment");
            }
            TcpOptions o = new TcpOptions();
            tcp.parseOptions(o);
            Seg s = new Seg(clock.nanoTime(), ip.src(), ip.dst(), tcp.srcPort(), tcp.dstPort(), tcp.seq(),
                    tcp.ackNumber(), tcp.flags(), tcp.window(), tcp.payloadLength(), o.mss, o.windowScale,
                    o.sackPermitted, java.util.Arrays.copyOf(o.sackBlocks, 2 * o.sackBlockCount));
            if (logging) {
                log.add(s);
            }
            GuestTcp g = guests.get(s.dstPort);
            if (g == null || dropToGuest.test(s)) {
                return;
            }
            byte[] payload = new byte[tcp.payloadLength()];
            frame.getBytes(tcp.payloadOffset(), payload);
            deliver(() -> g.onSegment(s, payload));
        } finally {
            frame.release();
        }
    }

    /** Destination MAC the guest's and EtherType IPv4 (a lossy link may have flipped a bit of either). */
    private boolean addressedToGuest(ByteBuf frame) {
        int at = frame.readerIndex();
        long guestMac = config.guestMac() >= 0 ? config.guestMac() : 0x0200_0000_0064L;
        long dst = ((long) frame.getUnsignedShort(at) << 32) | frame.getUnsignedInt(at + 2);
        return frame.readableBytes() > EthernetFrame.HEADER_LENGTH && frame.getUnsignedShort(at + 12) == EthernetFrame.ETHERTYPE_IPV4
                && (dst == guestMac || dst == 0xFFFF_FFFF_FFFFL);
    }

    private void deliver(Runnable r) {
        if (loss > 0 && random.nextDouble() < loss) {
            return;
        }
        int copies = duplicate > 0 && random.nextDouble() < duplicate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            if (maxJitterNanos > 0 || delayNanos > 0) {
                clock.schedule(r, delayNanos + (long) (random.nextDouble() * maxJitterNanos));
            } else {
                clock.execute(r);
            }
        }
    }

    /** Sends a segment from the guest to the stack through the impaired link. */
    void guestSend(int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, int window,
            TcpOptions opts, byte[] payload, int off, int len, boolean impaired) {
        int optLen = opts == null ? 0 : TcpSegment.optionsLength(opts);
        int tcpLen = TcpSegment.MIN_HEADER_LENGTH + optLen + len;
        byte[] packet = new byte[Ipv4Packet.MIN_HEADER_LENGTH + tcpLen];
        ByteBuf b = Unpooled.wrappedBuffer(packet);
        Ipv4Packet.emitHeader(b, 0, src, dst, Ipv4Packet.PROTO_TCP, 64, 0, tcpLen);
        int hl = TcpSegment.emitHeader(b, 20, srcPort, dstPort, seq, ack, flags, window, 0, opts);
        b.setBytes(20 + hl, payload, off, len);
        new TcpSegment().wrap(b, 20, tcpLen).fillChecksumIpv4(src, dst);
        Runnable r = () -> inject(packet);
        if (impaired) {
            deliver(r);
        } else {
            r.run();
        }
    }

    /** capacity of the buffers guest packets arrive in (a link may read into large buffers) */
    int frameCapacity;

    /** Every buffer handed to the stack or to the host side, to prove none leaks. */
    final List<ByteBuf> tracked = new ArrayList<>();

    /** Buffers the stack still holds a reference to (slices keep their parent alive). */
    long leakedBuffers() {
        return tracked.stream().filter(b -> b.refCnt() > 0).count();
    }

    /** Hands one raw IPv4 packet to the stack in a fresh direct buffer, released afterwards. */
    void inject(byte[] packet) {
        if (frames != null) {
            frames.receiveFrame(ethernetFrame(packet)); // the handler owns it now
            return;
        }
        ByteBuf b = Unpooled.directBuffer(Math.max(packet.length + 32, frameCapacity));
        if (logging) {
            tracked.add(b);
        }
        b.writeZero(16); // not at offset 0, like a frame after its Ethernet header
        b.readerIndex(16);
        b.writeBytes(packet);
        try {
            stack.receive(new Ipv4Packet().wrap(b));
        } finally {
            b.release();
        }
    }

    /** {@code packet} in an Ethernet frame from the guest's MAC to the gateway's. */
    private ByteBuf ethernetFrame(byte[] packet) {
        ByteBuf b = Unpooled.directBuffer(EthernetFrame.HEADER_LENGTH + packet.length);
        if (logging) {
            tracked.add(b);
        }
        b.writeShort((int) (config.gatewayMac() >>> 32)).writeInt((int) config.gatewayMac());
        long guestMac = config.guestMac() >= 0 ? config.guestMac() : 0x0200_0000_0064L;
        b.writeShort((int) (guestMac >>> 32)).writeInt((int) guestMac);
        b.writeShort(EthernetFrame.ETHERTYPE_IPV4);
        return b.writeBytes(packet);
    }

    GuestTcp guest(int port, int remote, int remotePort) {
        GuestTcp g = new GuestTcp(this, port, remote, remotePort);
        guests.put(port, g);
        return g;
    }

    /** A guest connection from {@code port} to REMOTE:80 that the host accepted, established ({@link FakeHostConnector#last()} is its host side). */
    GuestTcp established(int port) {
        GuestTcp g = guest(port, REMOTE, 80);
        g.connect();
        run();
        connector.last().accept();
        run();
        if (!g.established) {
            throw new AssertionError("connection from port " + port + " not established: " + log);
        }
        return g;
    }

    void run() {
        scheduler.runPending();
    }

    void advance(long nanos) {
        scheduler.advance(nanos);
    }

    /** Runs the virtual clock in steps until {@code done} or {@code limitNanos} of virtual time. */
    boolean runUntil(java.util.function.BooleanSupplier done, long limitNanos) {
        long end = scheduler.nanoTime() + limitNanos;
        scheduler.runPending();
        while (!done.getAsBoolean()) {
            if (scheduler.nanoTime() >= end) {
                return false;
            }
            scheduler.advance(MS);
        }
        return true;
    }

    List<Seg> segsTo(int port) {
        return log.stream().filter(s -> s.dstPort == port).toList();
    }

    Seg lastTo(int port) {
        List<Seg> l = segsTo(port);
        return l.isEmpty() ? null : l.get(l.size() - 1);
    }
}
