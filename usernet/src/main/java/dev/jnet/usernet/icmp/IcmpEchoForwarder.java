package dev.jnet.usernet.icmp;

import dev.jnet.linux.Errno;
import dev.jnet.linux.SyscallException;
import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.FlowTable;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * Echo requests from the guest to outside hosts, sent from host ICMP datagram sockets. A flow
 * is (guest echo identifier, destination) with one socket; the kernel gives each socket its
 * own identifier, so replies are given the guest's identifier back (sequence numbers and data
 * pass unchanged) and are sent to the guest from the destination it pinged. Where the kernel
 * refuses ping sockets ({@code EACCES}: {@code ping_group_range}), echo forwarding is silently
 * unsupported, as in slirp4netns. Flows live in a bounded table and expire when idle.
 */
public final class IcmpEchoForwarder implements AutoCloseable {
    /** Default table size. */
    public static final int MAX_FLOWS = 256;
    /** Default idle timeout: a ping run sends every second; a minute of silence ends it. */
    public static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Ipv4Output out;
    private final EchoSockets sockets;
    private final FlowTable<Flow> flows;
    private final IcmpV4Packet icmp = new IcmpV4Packet();
    private boolean unsupported;
    private long forwarded;
    private long replies;
    private long dropped;

    public IcmpEchoForwarder(Scheduler scheduler, Ipv4Output out, EchoSockets sockets, int maxFlows, long idleNanos) {
        this.out = out;
        this.sockets = sockets;
        this.flows = new FlowTable<>(scheduler, maxFlows, idleNanos, Flow::close);
    }

    /**
     * Forwards the guest's echo request {@code echo} (inside {@code ip}) to {@code hostAddr}.
     * The views are valid only during the call.
     */
    public void forward(Ipv4Packet ip, IcmpV4Packet echo, int hostAddr) {
        if (unsupported) {
            dropped++;
            return;
        }
        int dst = ip.dst();
        int id = echo.echoIdentifier();
        long key = ((long) id << 32) | (dst & 0xFFFF_FFFFL);
        Flow flow = flows.get(key);
        if (flow == null) {
            flow = new Flow(key, id, dst, ip.src());
            try {
                flow.socket = sockets.open(hostAddr, flow);
            } catch (SyscallException e) {
                if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM || e.errno() == Errno.EPROTONOSUPPORT) {
                    unsupported = true; // ping_group_range excludes us: for good
                }
                dropped++;
                return;
            }
            flows.put(key, flow);
        }
        flow.guestAddr = ip.src();
        forwarded++;
        flow.socket.send(echo.buffer(), echo.offset(), echo.length());
    }

    private void reply(Flow flow, ByteBuf message) {
        int start = message.readerIndex();
        icmp.wrap(message, start, message.readableBytes());
        try {
            if (!icmp.check() || icmp.type() != IcmpV4Packet.TYPE_ECHO_REPLY) {
                message.release();
                dropped++;
                return;
            }
            icmp.setEchoIdentifier(flow.guestId).fillChecksum();
        } finally {
            icmp.clear();
        }
        flows.touch(flow.key);
        replies++;
        out.send(message, flow.dst, flow.guestAddr, Ipv4Packet.PROTO_ICMP);
    }

    /** Whether the kernel refused ping sockets (forwarding is off for this stack's life). */
    public boolean unsupported() {
        return unsupported;
    }

    /** Echo flows (host sockets). */
    public int flowCount() {
        return flows.size();
    }

    /** Requests handed to host sockets. */
    public long forwarded() {
        return forwarded;
    }

    /** Replies sent to the guest. */
    public long replies() {
        return replies;
    }

    /** Requests not forwarded, replies not understood. */
    public long dropped() {
        return dropped;
    }

    /** Flows closed because they were idle. */
    public long expiredFlows() {
        return flows.expirations();
    }

    /** Flows closed to make room. */
    public long evictedFlows() {
        return flows.evictions();
    }

    /** Closes every socket. */
    @Override
    public void close() {
        flows.clear();
    }

    private final class Flow implements EchoSockets.Receiver {
        final long key;
        final int guestId;
        final int dst;
        int guestAddr;
        EchoSockets.Socket socket;
        boolean closed;

        Flow(long key, int guestId, int dst, int guestAddr) {
            this.key = key;
            this.guestId = guestId;
            this.dst = dst;
            this.guestAddr = guestAddr;
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
                IcmpEchoForwarder.this.reply(this, message);
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
