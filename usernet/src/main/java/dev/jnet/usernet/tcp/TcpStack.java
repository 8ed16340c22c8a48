package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Handler;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Handler;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.nat.HostRedirect;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The TCP layer: demultiplexes the guest's segments to {@link TcpConnection}s, admits new
 * connections (bounded table, embryonic and TIME_WAIT caps with oldest-first eviction: the
 * {@link ConnectionRegistry}), and answers segments without a connection with RST. Every
 * segment towards the guest is built by its {@link SegmentWriter}; connections reach it only
 * through the {@link SegmentOutput} interface and never see the stack.
 *
 * <p>A guest's SYN starts a host connect; the handshake is answered only when that connect
 * succeeds: refused becomes a RST; ENETUNREACH an ICMP net unreachable, EHOSTUNREACH and a
 * timeout an ICMP host unreachable (ICMPv6 no route / address unreachable), as in libslirp.
 * The gateway with host loopback disabled gets ICMP net unreachable, as from slirp4netns with
 * {@code --disable-host-loopback}; other destinations the {@link AddressMap} calls
 * unreachable (another address of the guest's subnet, .3 on a port other than 53) a RST.
 *
 * <p>ACKs and host flushes are coalesced to once per event-loop batch (the registry's flush
 * queue): segments of one tap read share one ACK and one write syscall.
 *
 * <p>Both families: IPv4 from {@link #receive(Ipv4Packet)}, IPv6 from {@link
 * #receive(Ipv6Packet, int, int, int)} (when made with an {@link Ipv6Output}); a connection's
 * addresses are two longs each plus the family, IPv4 in the low 32 bits, so the per-segment
 * lookup stays allocation-free for both. {@link #openToGuest} is the active open of port
 * forwards: the same connections, with the host side an accepted socket.
 */
public final class TcpStack implements Ipv4Handler, Ipv6Handler, AutoCloseable {
    /** Source ports we pick for forwarded connections (Linux's default ephemeral range). */
    static final int FIRST_FORWARD_PORT = 32768;
    static final int LAST_FORWARD_PORT = 60999;

    /** null: IPv6 is off, IPv6 segments are dropped */
    private final Ipv6Output out6;
    private final AddressMap map;
    private final TcpHostConnector connector;
    private final Supplier<InetSocketAddress> dnsTcpUpstream;
    private int nextForwardPort = FIRST_FORWARD_PORT;

    private final ConnectionRegistry registry;
    private final ConnectionTable table;
    private final SegmentWriter writer;
    private final ConnectionContext context;
    private boolean closed;

    private final SplittableRandom isn = new SplittableRandom(new SecureRandom().nextLong());
    private final TcpSegment in = new TcpSegment();
    private final TcpOptions options = new TcpOptions();

    public TcpStack(UsernetConfig config, Scheduler scheduler, Ipv4Output out, AddressMap map,
            TcpHostConnector connector, Supplier<InetSocketAddress> dnsTcpUpstream) {
        this(config, scheduler, out, map, connector, dnsTcpUpstream, TcpLimits.defaults());
    }

    public TcpStack(UsernetConfig config, Scheduler scheduler, Ipv4Output out, AddressMap map,
            TcpHostConnector connector, Supplier<InetSocketAddress> dnsTcpUpstream, TcpLimits limits) {
        this(config, scheduler, out, null, map, connector, dnsTcpUpstream, limits);
    }

    /** Both families; {@code out6} may be {@code null} (IPv6 off). */
    public TcpStack(UsernetConfig config, Scheduler scheduler, Ipv4Output out, Ipv6Output out6, AddressMap map,
            TcpHostConnector connector, Supplier<InetSocketAddress> dnsTcpUpstream) {
        this(config, scheduler, out, out6, map, connector, dnsTcpUpstream, TcpLimits.defaults());
    }

    /** Both families; {@code out6} may be {@code null} (IPv6 off). */
    public TcpStack(UsernetConfig config, Scheduler scheduler, Ipv4Output out, Ipv6Output out6, AddressMap map,
            TcpHostConnector connector, Supplier<InetSocketAddress> dnsTcpUpstream, TcpLimits limits) {
        this.out6 = out6;
        this.map = map;
        this.connector = connector;
        this.dnsTcpUpstream = dnsTcpUpstream;
        this.registry = new ConnectionRegistry(limits, scheduler);
        this.table = registry.table;
        this.writer = new SegmentWriter(out, out6);
        this.context = new ConnectionContext(limits, scheduler, writer, registry, config.mss(),
                config.mtu() - Ipv6Packet.HEADER_LENGTH - TcpSegment.MIN_HEADER_LENGTH);
    }

    /** Every connection in the table, TIME_WAIT included, added to {@code into}; on the stack's thread. */
    public void flows(java.util.List<dev.jnet.usernet.FlowInfo> into) {
        for (TcpConnection c : table.snapshot()) {
            into.add(c.info());
        }
    }

    /** Live entries in the connection table, TIME_WAIT included. */
    public int connectionCount() {
        return table.size();
    }

    /** Entries whose handshake is not complete. */
    public int embryonicCount() {
        return registry.embryonicCount();
    }

    /** Entries in TIME_WAIT. */
    public int timeWaitCount() {
        return registry.timeWaitCount();
    }

    /** Host bytes held in the send buffers of all connections (the {@link TcpLimits#memoryBudget}). */
    public long sendBufferedBytes() {
        return registry.memory.used();
    }

    /** TCP super-packets (payload above the MSS, GSO) sent to the guest through a link with offloads. */
    public long superPacketsSent() {
        return writer.superPacketsSent();
    }

    /** Host sockets not closed yet (a closing socket may outlive its entry while it drains). */
    /** Connections whose ACK waits for our answer ({@link DelayedAcks}). */
    int delayedAcks() {
        return registry.delayedAcks();
    }

    public int openHostSockets() {
        return registry.openHostSockets();
    }

    /** The IPv4 connection's entry, or {@code null} (tests). */
    TcpConnection connection(int guestAddr, int guestPort, int remoteAddr, int remotePort) {
        return table.get(guestAddr, guestPort, remoteAddr, remotePort);
    }

    /** State of the connection of a four-tuple, or {@code null} (diagnostics and tests). */
    public TcpState state(int guestAddr, int guestPort, int remoteAddr, int remotePort) {
        TcpConnection c = table.get(guestAddr, guestPort, remoteAddr, remotePort);
        return c == null ? null : c.state();
    }

    /** State of an IPv6 connection, or {@code null} (diagnostics and tests). */
    public TcpState state6(long guestHigh, long guestLow, int guestPort, long remoteHigh, long remoteLow,
            int remotePort) {
        TcpConnection c = table.get(true, guestHigh, guestLow, guestPort, remoteHigh, remoteLow, remotePort);
        return c == null ? null : c.state();
    }

    @Override
    public void receive(Ipv4Packet ip) {
        if (closed) {
            return;
        }
        TcpSegment seg = in.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength());
        try {
            if (seg.check() && (ip.transportChecksumTrusted() || seg.verifyChecksumIpv4(ip.src(), ip.dst()))) {
                input(false, 0, ip.src() & 0xFFFF_FFFFL, 0, ip.dst() & 0xFFFF_FFFFL, seg, ip.buffer());
            }
        } finally {
            seg.clear();
        }
    }

    @Override
    public void receive(Ipv6Packet ip, int nextHeader, int transportOffset, int transportLength) {
        if (closed || out6 == null || nextHeader != Ipv6Packet.NH_TCP) {
            return;
        }
        TcpSegment seg = in.wrap(ip.buffer(), transportOffset, transportLength);
        try {
            if (seg.check() && (ip.transportChecksumTrusted() || seg.verifyChecksum(InternetChecksum.pseudoHeaderV6(
                    ip.buffer(), ip.srcIndex(), ip.dstIndex(), Ipv6Packet.NH_TCP, transportLength)))) {
                input(true, ip.srcHigh(), ip.srcLow(), ip.dstHigh(), ip.dstLow(), seg, ip.buffer());
            }
        } finally {
            seg.clear();
        }
    }

    /** A checked segment from the guest ({@code src}) to {@code dst}, either family. */
    private void input(boolean v6, long srcHigh, long srcLow, long dstHigh, long dstLow, TcpSegment seg,
            ByteBuf buf) {
        int srcPort = seg.srcPort();
        int dstPort = seg.dstPort();
        if (srcPort == 0 || dstPort == 0) {
            return;
        }
        int flags = seg.flags();
        boolean pureSyn = (flags & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) == TcpSegment.SYN;
        TcpConnection c = table.get(v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort);
        if (c != null && c.state() == TcpState.TIME_WAIT && pureSyn) {
            c.destroy(true); // a new incarnation of the four-tuple ends our TIME_WAIT
            c = null;
        }
        if (c != null) {
            try {
                c.segment(seg, buf);
            } catch (OutOfMemoryError e) {
                registry.abort(c); // an allocation failed serving this connection: only it goes
            }
        } else if (pureSyn && (flags & TcpSegment.FIN) == 0) {
            accept(v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, seg);
        } else if ((flags & TcpSegment.RST) == 0) {
            refuse(v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, seg);
        }
    }

    private void accept(boolean v6, long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort,
            TcpSegment seg) {
        AddressMap.Kind kind = v6 ? map.classify6(HostRedirect.TCP, dstHigh, dstLow, dstPort)
                : map.classify(HostRedirect.TCP, (int) dstLow, dstPort);
        InetSocketAddress target = switch (kind) {
            case HOST -> v6 ? map.hostSocketAddress6(HostRedirect.TCP, dstHigh, dstLow, dstPort)
                    : map.hostSocketAddress(HostRedirect.TCP, (int) dstLow, dstPort);
            case DNS -> dnsTcpUpstream.get();
            case UNREACHABLE -> null;
        };
        if (target == null) {
            if (map.isGateway(v6, dstHigh, dstLow)) {
                // host loopback disabled: as libslirp, ICMP net unreachable ("Network is unreachable")
                writer.unreachable(v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, seg.seq(), true);
            } else {
                refuse(v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, seg);
            }
            return;
        }
        if (!registry.makeRoom()) {
            // full of live connections (the table is sized to the fds we may open): refuse at once,
            // as slirp4netns does when it has no fd, rather than leave the guest retrying its SYN
            refuse(v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, seg);
            return;
        }
        seg.parseOptions(options); // a malformed option list still yields what parsed
        TcpConnection c = new TcpConnection(context, v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort,
                isn.nextInt(), false);
        c.guestSyn(seg.seq(), options);
        registry.add(c);
        c.startConnect(connector, target);
    }

    /**
     * Active open towards the guest, for a port forward: a connection from {@code src} port
     * {@code srcPort} (0: the stack picks a free one) to the guest's {@code guest:guestPort},
     * spliced to the host connection {@code attach} makes for the connection's listener (an
     * accepted socket, adopted). The guest's refusal (RST) or silence aborts that host side.
     *
     * @return whether the connection was made; if not (four-tuple in use, no free port, table
     *     full of live connections, stack closed) {@code attach} is not called and the caller
     *     closes its socket
     */
    public boolean openToGuest(boolean v6, long srcHigh, long srcLow, int srcPort, long guestHigh, long guestLow,
            int guestPort, Function<TcpHostConnector.Listener, TcpHostConnector.HostConnection> attach) {
        if (closed || (v6 && out6 == null)) {
            return false;
        }
        int port = srcPort != 0 ? srcPort : freeForwardPort(v6, srcHigh, srcLow, guestHigh, guestLow, guestPort);
        if (port == 0 || table.get(v6, guestHigh, guestLow, guestPort, srcHigh, srcLow, port) != null
                || !registry.makeRoom()) {
            return false;
        }
        TcpConnection c = new TcpConnection(context, v6, guestHigh, guestLow, guestPort, srcHigh, srcLow, port,
                isn.nextInt(), true);
        registry.add(c);
        c.startActive(attach);
        return true;
    }

    /** A source port no entry uses with this guest endpoint, round robin over the range; 0 if none. */
    private int freeForwardPort(boolean v6, long srcHigh, long srcLow, long guestHigh, long guestLow,
            int guestPort) {
        int range = LAST_FORWARD_PORT - FIRST_FORWARD_PORT + 1;
        for (int i = 0; i < range; i++) {
            int port = nextForwardPort;
            nextForwardPort = port == LAST_FORWARD_PORT ? FIRST_FORWARD_PORT : port + 1;
            if (table.get(v6, guestHigh, guestLow, guestPort, srcHigh, srcLow, port) == null) {
                return port;
            }
        }
        return 0;
    }

    /** RST for a segment that has no connection (RFC 9293 3.10.7.1). */
    private void refuse(boolean v6, long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort,
            TcpSegment seg) {
        int seq;
        int ack;
        int flags;
        if (seg.ack()) {
            seq = seg.ackNumber();
            ack = 0;
            flags = TcpSegment.RST;
        } else {
            seq = 0;
            ack = seg.seq() + seg.segmentLength();
            flags = TcpSegment.RST | TcpSegment.ACK;
        }
        if (v6) {
            writer.emit6(dstHigh, dstLow, dstPort, srcHigh, srcLow, srcPort, seq, ack, flags, 0, null, null, 0, 0, 0);
        } else {
            writer.emit((int) dstLow, dstPort, (int) srcLow, srcPort, seq, ack, flags, 0, null, null, 0, 0, 0);
        }
    }

    /** What the stack's connections share (tests make connections with it). */
    ConnectionContext context() {
        return context;
    }

    /** Aborts every connection: host sockets reset and closed, buffers released. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        registry.closeAll();
    }
}
