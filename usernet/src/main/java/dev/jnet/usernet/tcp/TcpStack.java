package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.icmp.Icmpv4Errors;
import dev.jnet.usernet.ip.Ipv4Handler;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.wire.Ipv4Packet;
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
 */
public final class TcpStack implements Ipv4Handler, AutoCloseable {
    private final Scheduler scheduler;
    private final Ipv4Output out;
    private final AddressMap map;
    private final TcpHostConnector connector;
    private final Supplier<InetSocketAddress> dnsTcpUpstream;
    private final TcpLimits limits;
    private final int ourMss;

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
        this.scheduler = scheduler;
        this.out = out;
        this.map = map;
        this.connector = connector;
        this.dnsTcpUpstream = dnsTcpUpstream;
        this.limits = limits;
        this.ourMss = config.mss();
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

    @Override
    public void receive(Ipv4Packet ip) {
        if (closed) {
            return;
        }
        ByteBuf buf = ip.buffer();
        TcpSegment seg = in.wrap(buf, ip.payloadOffset(), ip.payloadLength());
        try {
            if (!seg.check() || !seg.verifyChecksumIpv4(ip.src(), ip.dst())) {
                return;
            }
            int src = ip.src();
            int dst = ip.dst();
            int srcPort = seg.srcPort();
            int dstPort = seg.dstPort();
            if (srcPort == 0 || dstPort == 0) {
                return;
            }
            int flags = seg.flags();
            boolean pureSyn = (flags & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) == TcpSegment.SYN;
            TcpConnection c = table.get(src, srcPort, dst, dstPort);
            if (c != null && c.state() == TcpState.TIME_WAIT && pureSyn) {
                c.destroy(true); // a new incarnation of the four-tuple ends our TIME_WAIT
                c = null;
            }
            if (c != null) {
                c.segment(seg, buf);
            } else if (pureSyn && (flags & TcpSegment.FIN) == 0) {
                accept(src, srcPort, dst, dstPort, seg);
            } else if ((flags & TcpSegment.RST) == 0) {
                refuse(src, srcPort, dst, dstPort, seg);
            }
        } finally {
            seg.clear();
        }
    }

    private void accept(int src, int srcPort, int dst, int dstPort, TcpSegment seg) {
        InetSocketAddress target = switch (map.classify(dst, dstPort)) {
            case HOST -> new InetSocketAddress(map.hostInetAddress(dst), dstPort);
            case DNS -> dnsTcpUpstream.get();
            case UNREACHABLE -> null;
        };
        if (target == null) {
            refuse(src, srcPort, dst, dstPort, seg);
            return;
        }
        if (embryonic.size() >= limits.maxEmbryonic()) {
            embryonic.oldest().destroy(false); // SYN flood: the oldest half-open entry goes
        }
        if (table.size() >= limits.maxConnections()) {
            TcpConnection oldest = timeWait.oldest();
            if (oldest == null) {
                return; // full of live connections: drop the SYN like a full backlog
            }
            oldest.destroy(true);
        }
        seg.parseOptions(options); // a malformed option list still yields what parsed
        TcpConnection c = new TcpConnection(this, src, srcPort, dst, dstPort, seg.seq(), options, isn.nextInt());
        table.put(c);
        embryonic.addLast(c);
        hostOpen.add(c);
        c.startConnect(connector, target);
    }

    /** RST for a segment that has no connection (RFC 9293 3.10.7.1). */
    private void refuse(int src, int srcPort, int dst, int dstPort, TcpSegment seg) {
        if (seg.ack()) {
            emit(dst, dstPort, src, srcPort, seg.ackNumber(), 0, TcpSegment.RST, 0, null, null, 0, 0);
        } else {
            emit(dst, dstPort, src, srcPort, 0, seg.seq() + seg.segmentLength(), TcpSegment.RST | TcpSegment.ACK, 0,
                    null, null, 0, 0);
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

    int ourMss() {
        return ourMss;
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
        emit(c.remoteAddr, c.remotePort, c.guestAddr, c.guestPort, seq, ack, flags, 0, null, null, 0, 0);
    }

    void emit(TcpConnection c, int seq, int ack, int flags, int window, TcpOptions opts, SendBuffer data,
            int dataOffset, int length) {
        emit(c.remoteAddr, c.remotePort, c.guestAddr, c.guestPort, seq, ack, flags, window, opts, data, dataOffset,
                length);
    }

    void emitSynAck(TcpConnection c, int iss, int ack, int window, int windowScale, boolean sackPermitted) {
        synAckOptions.clear().mss(ourMss).sackPermitted(sackPermitted);
        if (windowScale >= 0) {
            synAckOptions.windowScale(windowScale);
        }
        emit(c, iss, ack, TcpSegment.SYN | TcpSegment.ACK, window, synAckOptions, null, 0, 0);
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
