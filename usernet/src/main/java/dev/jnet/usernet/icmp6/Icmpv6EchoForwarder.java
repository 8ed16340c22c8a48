package dev.jnet.usernet.icmp6;

import dev.jnet.linux.Errno;
import dev.jnet.linux.SyscallException;
import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.icmp.Echo6Sockets;
import dev.jnet.usernet.icmp.EchoSockets;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.nat.FlowTable;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.net.Inet6Address;

/**
 * ICMPv6 echo requests from the guest to outside hosts, sent from host ICMPv6 datagram
 * sockets: the IPv6 twin of {@link dev.jnet.usernet.icmp.IcmpEchoForwarder}. A flow is
 * (guest echo identifier, destination) with one socket; replies get the guest's identifier
 * back and a checksum for the guest's addresses, and come from the destination it pinged.
 * Where the kernel refuses ping sockets ({@code EACCES}) forwarding is silently off. Flows
 * live in a bounded table keyed by a hash of the flow; a colliding flow replaces the older.
 */
public final class Icmpv6EchoForwarder implements AutoCloseable {
    /** errno when the host has no IPv6 at all. */
    static final int EAFNOSUPPORT = 97;

    private final Ipv6Output out;
    private final Echo6Sockets sockets;
    private final FlowTable<Flow> flows;
    private final Icmpv6Packet icmp = new Icmpv6Packet();
    private boolean unsupported;
    private long forwarded;
    private long replies;
    private long dropped;

    public Icmpv6EchoForwarder(Scheduler scheduler, Ipv6Output out, Echo6Sockets sockets, int maxFlows,
            long idleNanos) {
        this.out = out;
        this.sockets = sockets;
        this.flows = new FlowTable<>(scheduler, maxFlows, idleNanos, Flow::close);
    }

    /** Forwards the guest's echo request {@code echo} (inside {@code ip}) to {@code host}. */
    public void forward(Ipv6Packet ip, Icmpv6Packet echo, Inet6Address host) {
        if (unsupported) {
            dropped++;
            return;
        }
        long dstHigh = ip.dstHigh();
        long dstLow = ip.dstLow();
        int id = echo.echoIdentifier();
        long key = flowKey(dstHigh, dstLow, id);
        Flow flow = flows.get(key);
        if (flow != null && !flow.is(dstHigh, dstLow, id)) {
            flows.remove(key); // hash collision: the newer flow wins
            flow = null;
        }
        if (flow == null) {
            flow = new Flow(key, id, dstHigh, dstLow);
            try {
                flow.socket = sockets.open(host, flow);
            } catch (SyscallException e) {
                if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM || e.errno() == Errno.EPROTONOSUPPORT
                        || e.errno() == EAFNOSUPPORT) {
                    unsupported = true; // ping_group_range excludes us, or no IPv6 on the host: for good
                }
                dropped++;
                return;
            }
            flows.put(key, flow);
        }
        flow.guestHigh = ip.srcHigh();
        flow.guestLow = ip.srcLow();
        forwarded++;
        flow.socket.send(echo.buffer(), echo.offset(), echo.length());
    }

    static long flowKey(long high, long low, int id) {
        long h = high * 0x9E37_79B9_7F4A_7C15L ^ low;
        h = (h ^ (h >>> 29)) * 0xBF58_476D_1CE4_E5B9L;
        return h ^ (h >>> 32) ^ ((long) id << 48);
    }

    private void reply(Flow flow, ByteBuf message) {
        int start = message.readerIndex();
        int length = message.readableBytes();
        icmp.wrap(message, start, length);
        try {
            if (!icmp.check() || icmp.type() != Icmpv6Packet.TYPE_ECHO_REPLY) {
                message.release();
                dropped++;
                return;
            }
            icmp.setEchoIdentifier(flow.guestId).fillChecksum(NeighborDiscovery.pseudoHeader(
                    flow.dstHigh, flow.dstLow, flow.guestHigh, flow.guestLow, length));
        } finally {
            icmp.clear();
        }
        flows.touch(flow.key);
        replies++;
        out.send(message, flow.dstHigh, flow.dstLow, flow.guestHigh, flow.guestLow, Ipv6Packet.NH_ICMPV6);
    }

    /** Whether the kernel refused ICMPv6 ping sockets (forwarding is off for this stack's life). */
    public boolean unsupported() {
        return unsupported;
    }

    public int flowCount() {
        return flows.size();
    }

    public long forwarded() {
        return forwarded;
    }

    public long replies() {
        return replies;
    }

    public long dropped() {
        return dropped;
    }

    @Override
    public void close() {
        flows.clear();
    }

    private final class Flow implements EchoSockets.Receiver {
        final long key;
        final int guestId;
        final long dstHigh;
        final long dstLow;
        long guestHigh;
        long guestLow;
        EchoSockets.Socket socket;
        boolean closed;

        Flow(long key, int guestId, long dstHigh, long dstLow) {
            this.key = key;
            this.guestId = guestId;
            this.dstHigh = dstHigh;
            this.dstLow = dstLow;
        }

        boolean is(long high, long low, int id) {
            return dstHigh == high && dstLow == low && guestId == id;
        }

        @Override
        public ByteBuf allocate() {
            return out.allocate(out.maxTransportLength());
        }

        @Override
        public void reply(ByteBuf message) {
            if (closed) {
                message.release();
            } else {
                Icmpv6EchoForwarder.this.reply(this, message);
            }
        }

        void close() {
            closed = true;
            if (socket != null) {
                socket.close();
            }
        }
    }
}
