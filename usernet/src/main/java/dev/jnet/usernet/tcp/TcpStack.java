package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.icmp.Icmpv4Errors;
import dev.jnet.usernet.ip.Ipv4Handler;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Handler;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The TCP layer: demultiplexes the guest's segments to {@link TcpConnection}s, admits new
 * connections (bounded table, embryonic and TIME_WAIT caps with oldest-first eviction), answers
 * segments without a connection with RST, and builds every segment towards the guest.
 *
 * <p>A guest's SYN starts a host connect; the handshake is answered only when that connect
 * succeeds: refused (or timed out) becomes a RST, unreachable an ICMP host unreachable, as in
 * libslirp. Destinations the {@link AddressMap} calls unreachable (another address of the
 * guest's subnet, the gateway with host loopback disabled, .3 on a port other than 53) are
 * refused with a RST, as slirp4netns does for the gateway with {@code --disable-host-loopback}.
 *
 * <p>ACKs and host flushes are coalesced to once per event-loop batch: segments of one tap
 * read share one ACK and one write syscall.
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

    private final Scheduler scheduler;
    private final Ipv4Output out;
    /** null: IPv6 is off, IPv6 segments are dropped */
    private final Ipv6Output out6;
    private final AddressMap map;
    private final TcpHostConnector connector;
    private final Supplier<InetSocketAddress> dnsTcpUpstream;
    private final TcpLimits limits;
    private final int ourMss;
    private final int ourMss6;
    private int nextForwardPort = FIRST_FORWARD_PORT;

    private final ConnectionTable table;
    private final ConnectionList embryonic = new ConnectionList();
    private final ConnectionList timeWait = new ConnectionList();
    /** connections whose host socket is not closed yet (also after their entry is gone) */
    private final Set<TcpConnection> hostOpen = new HashSet<>();
    private final ArrayDeque<TcpConnection> dirty = new ArrayDeque<>();
    private final Runnable flushTask = this::flushDirty;
    private boolean flushScheduled;
    private boolean closed;

    private final SplittableRandom isn = new SplittableRandom(new SecureRandom().nextLong());
    private final TcpSegment in = new TcpSegment();
    private final TcpSegment outSeg = new TcpSegment();
    private final TcpOptions options = new TcpOptions();
    private final TcpOptions synAckOptions = new TcpOptions();
    private final TcpOptions scratch = new TcpOptions();
    private final Icmpv4Errors icmp = new Icmpv4Errors();

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
        this.scheduler = scheduler;
        this.out = out;
        this.out6 = out6;
        this.map = map;
        this.connector = connector;
        this.dnsTcpUpstream = dnsTcpUpstream;
        this.limits = limits;
        this.ourMss = config.mss();
        this.ourMss6 = config.mtu() - Ipv6Packet.HEADER_LENGTH - TcpSegment.MIN_HEADER_LENGTH;
        this.table = new ConnectionTable(limits.maxConnections());
    }

    /** Live entries in the connection table, TIME_WAIT included. */
    public int connectionCount() {
        return table.size();
    }

    /** Entries whose handshake is not complete. */
    public int embryonicCount() {
        return embryonic.size();
    }

    /** Entries in TIME_WAIT. */
    public int timeWaitCount() {
        return timeWait.size();
    }

    /** Host sockets not closed yet (a closing socket may outlive its entry while it drains). */
    public int openHostSockets() {
        return hostOpen.size();
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
            if (seg.check() && seg.verifyChecksumIpv4(ip.src(), ip.dst())) {
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
            if (seg.check() && seg.verifyChecksum(InternetChecksum.pseudoHeaderV6(ip.buffer(), ip.srcIndex(),
                    ip.dstIndex(), Ipv6Packet.NH_TCP, transportLength))) {
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
            c.segment(seg, buf);
        } else if (pureSyn && (flags & TcpSegment.FIN) == 0) {
            accept(v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, seg);
        } else if ((flags & TcpSegment.RST) == 0) {
            refuse(v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, seg);
        }
    }

    private void accept(boolean v6, long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort,
            TcpSegment seg) {
        AddressMap.Kind kind = v6 ? map.classify6(dstHigh, dstLow, dstPort) : map.classify((int) dstLow, dstPort);
        InetSocketAddress target = switch (kind) {
            case HOST -> new InetSocketAddress(v6 ? map.hostInetAddress6(dstHigh, dstLow)
                    : map.hostInetAddress((int) dstLow), dstPort);
            case DNS -> dnsTcpUpstream.get();
            case UNREACHABLE -> null;
        };
        if (target == null) {
            refuse(v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort, seg);
            return;
        }
        if (!makeRoom()) {
            return; // full of live connections: drop the SYN like a full backlog
        }
        seg.parseOptions(options); // a malformed option list still yields what parsed
        TcpConnection c = new TcpConnection(this, v6, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort,
                isn.nextInt(), false);
        c.guestSyn(seg.seq(), options);
        table.put(c);
        embryonic.addLast(c);
        hostOpen.add(c);
        c.startConnect(connector, target);
    }

    /** Room for one more entry: evicts the oldest embryonic (SYN flood) and, if full, TIME_WAIT entry. */
    private boolean makeRoom() {
        if (embryonic.size() >= limits.maxEmbryonic()) {
            embryonic.oldest().destroy(false); // the oldest half-open entry goes
        }
        if (table.size() >= limits.maxConnections()) {
            TcpConnection oldest = timeWait.oldest();
            if (oldest == null) {
                return false;
            }
            oldest.destroy(true);
        }
        return true;
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
                || !makeRoom()) {
            return false;
        }
        TcpConnection c = new TcpConnection(this, v6, guestHigh, guestLow, guestPort, srcHigh, srcLow, port,
                isn.nextInt(), true);
        table.put(c);
        embryonic.addLast(c);
        hostOpen.add(c);
        c.startActive(attach.apply(c));
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
            emit6(dstHigh, dstLow, dstPort, srcHigh, srcLow, srcPort, seq, ack, flags, 0, null, null, 0, 0);
        } else {
            emit((int) dstLow, dstPort, (int) srcLow, srcPort, seq, ack, flags, 0, null, null, 0, 0);
        }
    }

    // ---------------------------------------------------------------- services for connections

    TcpLimits limits() {
        return limits;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    ByteBufAllocator alloc() {
        return out.sink().alloc();
    }

    /** The MSS the guest link allows for the family (IPv6 headers are 20 bytes longer). */
    int ourMss(boolean v6) {
        return v6 ? ourMss6 : ourMss;
    }

    /** A cleared options holder for one segment being built (the loop's single thread). */
    TcpOptions scratchOptions() {
        return scratch.clear();
    }

    void handshakeDone(TcpConnection c) {
        embryonic.remove(c);
    }

    void timeWaitEntered(TcpConnection c) {
        if (timeWait.size() >= limits.maxTimeWait()) {
            timeWait.oldest().destroy(true);
        }
        timeWait.addLast(c);
    }

    void removed(TcpConnection c) {
        if (c.list != null) {
            c.list.remove(c);
        }
        table.remove(c);
    }

    void hostClosed(TcpConnection c) {
        hostOpen.remove(c);
    }

    void markDirty(TcpConnection c) {
        if (!c.dirty) {
            c.dirty = true;
            dirty.add(c);
        }
        if (!flushScheduled) {
            flushScheduled = true;
            scheduler.execute(flushTask);
        }
    }

    private void flushDirty() {
        flushScheduled = false;
        TcpConnection c;
        while ((c = dirty.poll()) != null) {
            c.dirty = false;
            c.flush();
        }
    }

    void sendReset(TcpConnection c, int seq, int ack, int flags) {
        emit(c, seq, ack, flags, 0, null, null, 0, 0);
    }

    void emit(TcpConnection c, int seq, int ack, int flags, int window, TcpOptions opts, SendBuffer data,
            int dataOffset, int length) {
        if (c.v6) {
            emit6(c.remoteHigh, c.remoteLow, c.remotePort, c.guestHigh, c.guestLow, c.guestPort, seq, ack, flags,
                    window, opts, data, dataOffset, length);
        } else {
            emit(c.remoteAddr, c.remotePort, c.guestAddr, c.guestPort, seq, ack, flags, window, opts, data,
                    dataOffset, length);
        }
    }

    void emitSynAck(TcpConnection c, int iss, int ack, int window, int windowScale, boolean sackPermitted) {
        synAckOptions.clear().mss(ourMss(c.v6)).sackPermitted(sackPermitted);
        if (windowScale >= 0) {
            synAckOptions.windowScale(windowScale);
        }
        emit(c, iss, ack, TcpSegment.SYN | TcpSegment.ACK, window, synAckOptions, null, 0, 0);
    }

    /** Our SYN of an active open: MSS, window scale and SACK offered. */
    void emitSyn(TcpConnection c, int iss, int window) {
        synAckOptions.clear().mss(ourMss(c.v6)).sackPermitted(true).windowScale(limits.windowScale());
        emit(c, iss, 0, TcpSegment.SYN, window, synAckOptions, null, 0, 0);
    }

    /** ICMP host unreachable about the guest's SYN (rebuilt: the original is long gone). */
    void sendHostUnreachable(TcpConnection c, int guestIsn) {
        int length = Ipv4Packet.MIN_HEADER_LENGTH + TcpSegment.MIN_HEADER_LENGTH;
        ByteBuf original = alloc().heapBuffer(length);
        try {
            Ipv4Packet.emitHeader(original, 0, c.guestAddr, c.remoteAddr, Ipv4Packet.PROTO_TCP, 64, 0,
                    TcpSegment.MIN_HEADER_LENGTH);
            TcpSegment.emitHeader(original, Ipv4Packet.MIN_HEADER_LENGTH, c.guestPort, c.remotePort, guestIsn, 0,
                    TcpSegment.SYN, 0, 0, null);
            original.writerIndex(length);
            icmp.sendUnreachable(out, new Ipv4Packet().wrap(original), Icmpv4Errors.CODE_HOST_UNREACHABLE);
        } finally {
            original.release();
        }
    }

    /** Builds one segment towards the guest: header, options, payload copied from {@code data}. */
    private void emit(int src, int srcPort, int dst, int dstPort, int seq, int ack, int flags, int window,
            TcpOptions opts, SendBuffer data, int dataOffset, int length) {
        int optionsLength = opts == null ? 0 : TcpSegment.optionsLength(opts);
        ByteBuf buf = out.allocate(TcpSegment.MIN_HEADER_LENGTH + optionsLength + length);
        int start = buf.writerIndex();
        int headerLength = TcpSegment.emitHeader(buf, start, srcPort, dstPort, seq, ack, flags, window, 0, opts);
        buf.writerIndex(start + headerLength);
        if (length > 0) {
            data.copyTo(dataOffset, buf, length);
        }
        outSeg.wrap(buf, start, headerLength + length).fillChecksumIpv4(src, dst);
        outSeg.clear();
        out.send(buf, src, dst, Ipv4Packet.PROTO_TCP);
    }

    /** {@link #emit(int, int, int, int, int, int, int, int, TcpOptions, SendBuffer, int, int)} over IPv6. */
    private void emit6(long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort, int seq,
            int ack, int flags, int window, TcpOptions opts, SendBuffer data, int dataOffset, int length) {
        int optionsLength = opts == null ? 0 : TcpSegment.optionsLength(opts);
        ByteBuf buf = out6.allocate(TcpSegment.MIN_HEADER_LENGTH + optionsLength + length);
        int start = buf.writerIndex();
        int headerLength = TcpSegment.emitHeader(buf, start, srcPort, dstPort, seq, ack, flags, window, 0, opts);
        buf.writerIndex(start + headerLength);
        if (length > 0) {
            data.copyTo(dataOffset, buf, length);
        }
        int segmentLength = headerLength + length;
        outSeg.wrap(buf, start, segmentLength).fillChecksum(
                InternetChecksum.pseudoHeaderV6(srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_TCP, segmentLength));
        outSeg.clear();
        out6.send(buf, srcHigh, srcLow, dstHigh, dstLow, Ipv6Packet.NH_TCP);
    }

    /** Aborts every connection: host sockets reset and closed, buffers released. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (TcpConnection c : table.snapshot()) {
            c.destroy(false);
        }
        for (TcpConnection c : new ArrayList<>(hostOpen)) {
            c.abortHost();
        }
        hostOpen.clear();
        dirty.clear();
    }
}
