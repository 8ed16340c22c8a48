package dev.jnet.usernet.icmp;

import dev.jnet.linux.Errno;
import dev.jnet.linux.SyscallException;
import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.ip.IpOutput;
import dev.jnet.usernet.nat.FlowTable;
import dev.jnet.usernet.wire.PacketView;
import io.netty.buffer.ByteBuf;

/**
 * What {@link IcmpEchoForwarder} and its IPv6 twin share, independent of the address family:
 * the bounded table of echo flows with one host ping socket each, switching forwarding off for
 * good when the kernel refuses ping sockets, the way replies come back (dropped unless the
 * family's flow can rewrite them for the guest, read into the family's output buffers) and the
 * counters. Subclasses key the flows and rewrite replies (identifier, checksum, IP header).
 *
 * @param <F> the subclass's flow
 */
public abstract class AbstractEchoForwarder<F extends AbstractEchoForwarder.EchoFlow> implements AutoCloseable {
    /** Echo flows by the subclass's key. */
    protected final FlowTable<F> flows;
    private final IpOutput out;
    private boolean unsupported;
    private long forwarded;
    private long replies;
    private long dropped;

    protected AbstractEchoForwarder(Scheduler scheduler, IpOutput out, int maxFlows, long idleNanos) {
        this.out = out;
        this.flows = new FlowTable<>(scheduler, maxFlows, idleNanos, EchoFlow::close);
    }

    /** @return true (the request counted as dropped) once the kernel refused ping sockets */
    protected final boolean refusing() {
        if (unsupported) {
            dropped++;
        }
        return unsupported;
    }

    /** Whether {@code errno} from opening a ping socket means the kernel will never give one. */
    protected boolean refusedForGood(int errno) {
        return errno == Errno.EACCES || errno == Errno.EPERM || errno == Errno.EPROTONOSUPPORT;
    }

    /** Counts a ping socket the kernel refused; if it is for good, forwarding stops. */
    private void openFailed(SyscallException e) {
        if (refusedForGood(e.errno())) {
            unsupported = true; // e.g. ping_group_range excludes us: for good
        }
        dropped++;
    }

    /**
     * Opens the host socket of a new flow with the family's {@code sockets} and enters the flow.
     *
     * @return false if the kernel refused the socket (the request is dropped)
     */
    protected final boolean add(F flow, Opener sockets) {
        try {
            flow.socket = sockets.open(flow);
        } catch (SyscallException e) {
            openFailed(e);
            return false;
        }
        flows.put(flow.key, flow);
        return true;
    }

    /** Opens a ping socket to the flow's host destination. */
    @FunctionalInterface
    protected interface Opener {
        /** @throws SyscallException if the kernel refuses */
        EchoSockets.Socket open(EchoSockets.Receiver receiver);
    }

    /** Hands the guest's echo request to the flow's host socket. */
    protected final void send(F flow, PacketView echo) {
        forwarded++;
        flow.packetsFromGuest++;
        flow.bytesFromGuest += echo.length();
        flow.socket.send(echo.buffer(), echo.offset(), echo.length());
    }

    private void reply(EchoFlow flow, ByteBuf message) {
        if (!flow.rewriteReply(message)) {
            message.release();
            dropped++;
            return;
        }
        flows.touch(flow.key);
        replies++;
        flow.packetsToGuest++;
        flow.bytesToGuest += message.readableBytes();
        flow.sendToGuest(message);
    }

    /** Whether the kernel refused ping sockets (forwarding is off for this stack's life). */
    public boolean unsupported() {
        return unsupported;
    }

    /** Every echo flow, added to {@code into} (ICMP "ports": the guest's identifier, 0); on the stack's thread. */
    public void flows(java.util.List<dev.jnet.usernet.FlowInfo> into) {
        long now = System.nanoTime();
        flows.forEach(f -> into.add(new dev.jnet.usernet.FlowInfo("icmp", f.guestText(), f.guestId, f.remoteText(), 0,
                "open", f.bytesFromGuest, f.bytesToGuest, f.packetsFromGuest, f.packetsToGuest,
                (now - f.madeNanos) / 1_000_000)));
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

    /** One echo flow: its key, the guest's identifier and its host socket. */
    public abstract static class EchoFlow implements EchoSockets.Receiver {
        private final AbstractEchoForwarder<?> forwarder;
        protected final long key;
        protected final int guestId;
        EchoSockets.Socket socket; // set by the forwarder (add), never by subclasses
        private boolean closed;
        long packetsFromGuest;
        long packetsToGuest;
        long bytesFromGuest;
        long bytesToGuest;
        final long madeNanos = System.nanoTime();

        protected EchoFlow(AbstractEchoForwarder<?> forwarder, long key, int guestId) {
            this.forwarder = forwarder;
            this.key = key;
            this.guestId = guestId;
        }

        /**
         * Checks that {@code message} (from the reader index on) is an echo reply and gives it the
         * guest's identifier and checksum; false drops it.
         */
        protected abstract boolean rewriteReply(ByteBuf message);

        /** The guest's address as text (list_connections). */
        protected abstract String guestText();

        /** The address it pings as text. */
        protected abstract String remoteText();

        /** Sends the rewritten reply to the guest from the destination it pinged. */
        protected abstract void sendToGuest(ByteBuf message);

        /** A buffer of the family's output, with room for the largest message the guest link carries. */
        @Override
        public final ByteBuf allocate() {
            return forwarder.out.allocate(forwarder.out.maxDatagramLength());
        }

        @Override
        public final void reply(ByteBuf message) {
            if (closed) {
                message.release();
            } else {
                forwarder.reply(this, message);
            }
        }

        final void close() {
            closed = true;
            if (socket != null) {
                socket.close();
            }
        }
    }
}
