package dev.jnet.usernet.tcp;

import dev.jnet.linux.Errno;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stack's own connects to the host as raw non-blocking sockets registered with the stack's
 * epoll loop ({@link EpollIoHandle}: no channel, no pipeline, no promises), for the cost of a
 * connection: a guest's SYN is a handful of syscalls, not a Netty channel's ~20 (its object
 * graph, its EPOLLOUT round and connect-timeout task even when the connect is done at once, its
 * getsockopt/getsockname/SHUT_RD bookkeeping; bench/results/2026-12-06-conn2.md).
 *
 * <p>Per socket: {@code socket}, {@code setsockopt(TCP_NODELAY)}, {@code bind} for
 * {@code --outbound-addr}, {@code connect}, and when that says EINPROGRESS a {@code getpeername}:
 * a connect to the host's own addresses is complete when the call returns (the SYN-ACK is
 * processed before the socket lock is released), and the guest's SYN-ACK then goes out in the
 * same wake-up instead of one epoll round later. The socket is registered once, edge-triggered,
 * for EPOLLIN, EPOLLOUT and EPOLLRDHUP and never modified: flow control is whether we read, not
 * what epoll watches ({@link HostConnection#setReading}), so stopping and starting a read costs
 * no {@code epoll_ctl}. A read that fills its buffer may have left more behind (edge-triggered:
 * no new event comes for it), so the socket stays "readable" until a short read, EOF or
 * EAGAIN says otherwise. Guest data queued by {@link HostConnection#write} goes out with one
 * {@code writev} per flush; what the socket does not take waits for EPOLLOUT.
 *
 * <p>Everything runs on the loop; every callback is posted or made from the socket's own
 * events, never from inside a call of the stack's ({@link TcpHostConnector}'s contract).
 */
public final class RawTcpHostConnector implements TcpHostConnector {
    /** Host connect timeout; the guest's own SYN retries give up after about two minutes. */
    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 30_000;
    /** Reads grow to 256 KiB on a bulk flow ({@link AcceptedTcpSockets#MAX_READ_BUFFER} says why). */
    private static final int MAX_READ_BUFFER = AcceptedTcpSockets.MAX_READ_BUFFER;
    private static final int INITIAL_READ_BUFFER = 16 * 1024;
    private static final int MIN_READ_BUFFER = AcceptedTcpSockets.MIN_READ_BUFFER;
    /** reads per wake-up and connection before the others get their turn (the rest follows as a task) */
    private static final int MAX_READS_PER_WAKEUP = AcceptedTcpSockets.MAX_MESSAGES_PER_READ;
    /** The errno in Netty's connect exception messages: "connect(..) failed with error(-111): ...". */
    private static final Pattern ERRNO = Pattern.compile("error\\((-?\\d+)\\)");
    private static final EpollIoOps INTEREST = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT)
            .with(EpollIoOps.EPOLLRDHUP).with(EpollIoOps.EPOLLET);

    /** {@code <sys/epoll.h>}: hang-up (Netty names no constant for it, but reports it) */
    private static final int EPOLLHUP = 0x010;

    private final IoEventLoop loop;
    private final ByteBufAllocator alloc;
    private final InetSocketAddress local4;
    private final InetSocketAddress local6;
    private final int connectTimeoutMillis;
    /** one iovec array for every socket's writev: the loop is single-threaded */
    private final IovArray iov = new IovArray();

    /**
     * @param outboundAddr local address of IPv4 connects, or null; {@code outboundAddr6} the same for IPv6
     */
    public RawTcpHostConnector(IoEventLoop loop, ByteBufAllocator alloc, InetAddress outboundAddr,
            InetAddress outboundAddr6, int connectTimeoutMillis) {
        this.loop = loop;
        this.alloc = alloc;
        this.local4 = outboundAddr == null ? null : new InetSocketAddress(outboundAddr, 0);
        this.local6 = outboundAddr6 == null ? null : new InetSocketAddress(outboundAddr6, 0);
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** The stack's connector: its loop, the pooled allocator, {@code --outbound-addr}/{@code -addr6}. */
    public RawTcpHostConnector(dev.jnet.usernet.EventLoopScheduler scheduler, dev.jnet.usernet.UsernetConfig config) {
        this((IoEventLoop) scheduler.eventLoop(), ByteBufAllocator.DEFAULT, config.outboundAddr(),
                config.outboundAddr6(), DEFAULT_CONNECT_TIMEOUT_MILLIS);
    }

    @Override
    public HostConnection connect(InetSocketAddress remote, Listener listener) {
        RawHostConnection c = new RawHostConnection(listener, remote);
        c.start();
        return c;
    }

    /**
     * What a connect failure tells the guest. Netty's native socket reports ENETUNREACH and
     * EHOSTUNREACH as one {@code NoRouteToHostException} ({@link Failure#HOST_UNREACHABLE} here,
     * told apart by a {@link RouteProbe} on a real failure); other errnos only in the message
     * ("error(-111)").
     */
    static Failure classify(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return Failure.TIMEOUT;
        }
        if (cause instanceof NoRouteToHostException) {
            return Failure.HOST_UNREACHABLE;
        }
        if (cause instanceof ConnectException) {
            Matcher m = ERRNO.matcher(String.valueOf(cause.getMessage()));
            int errno = m.find() ? Math.abs(Integer.parseInt(m.group(1))) : Errno.ECONNREFUSED;
            return switch (errno) {
                case Errno.ECONNREFUSED -> Failure.REFUSED;
                case Errno.ETIMEDOUT -> Failure.TIMEOUT;
                case Errno.ENETUNREACH -> Failure.NET_UNREACHABLE;
                case Errno.EHOSTUNREACH -> Failure.HOST_UNREACHABLE;
                default -> Failure.OTHER;
            };
        }
        return Failure.OTHER;
    }

    /** {@link #classify}, with ENETUNREACH told from EHOSTUNREACH by asking routing again. */
    static Failure classify(Throwable cause, InetSocketAddress remote, InetSocketAddress local) {
        Failure f = classify(cause);
        if (cause instanceof NoRouteToHostException) {
            f = RouteProbe.classify(remote, local == null ? null : local.getAddress());
        }
        return f;
    }

    /** The outbound address for a connect to {@code remote}: of its family, or null. */
    private InetSocketAddress local(InetSocketAddress remote) {
        return remote.getAddress() instanceof Inet6Address ? local6 : local4;
    }

    private final class RawHostConnection implements HostConnection, EpollIoHandle {
        private final Listener listener;
        private final InetSocketAddress remote;
        private Socket socket;
        private IoRegistration registration;
        private Future<?> connectTimeout;
        private boolean connected;
        /** aborted, closing or failed: no more callbacks but {@link Listener#closed} */
        private boolean ended;
        private boolean closed;
        /** edge-triggered: the socket may hold unread bytes or an EOF/error we have not read yet */
        private boolean readable;
        private boolean readScheduled;
        /** EPOLLRDHUP, EPOLLHUP or EPOLLERR seen: a read will end in EOF or an error */
        private boolean peerDone;
        private boolean inputShut;
        /** what the stack takes now, lowered as reads hand bytes over; 0: not reading */
        private int room;
        private int readGuess = INITIAL_READ_BUFFER;
        /** guest bytes for the host, in order; those before {@link #unflushed} may be written */
        private ArrayDeque<ByteBuf> queue;
        private int unflushed;
        private long pending;
        private boolean shutdownPending;
        private boolean closePending;

        RawHostConnection(Listener listener, InetSocketAddress remote) {
            this.listener = listener;
            this.remote = remote;
        }

        void start() {
            try {
                // of the remote's family: Netty's default (IPv6, v4-mapped) costs a setsockopt(IPV6_V6ONLY)
                socket = LinuxSocket.newSocketStream(remote.getAddress() instanceof Inet6Address);
            } catch (RuntimeException e) {
                ended = true; // EMFILE, ENFILE: no socket, no registration
                failLater(e);
                return;
            }
            try {
                socket.setTcpNoDelay(true);
                InetSocketAddress local = local(remote);
                if (local != null) {
                    socket.bind(local);
                }
                boolean done = socket.connect(remote);
                // a connect to the host's own addresses is complete already (see the class comment)
                connected = done || socket.remoteAddress() != null;
                registration = loop.register(this).getNow();
                if (registration == null) {
                    throw new IOException("epoll registration failed");
                }
                registration.submit(INTEREST);
            } catch (IOException | RuntimeException e) {
                ended = true;
                failLater(e);
                return;
            }
            if (connected) {
                loop.execute(this::reportConnected);
            } else if (connectTimeoutMillis > 0) {
                connectTimeout = loop.schedule(this::connectTimedOut, connectTimeoutMillis, TimeUnit.MILLISECONDS);
            }
        }

        /**
         * The connect failed: the listener hears it after this call (unless the stack aborted
         * the connection meanwhile), then the socket closes.
         */
        private void failLater(Throwable cause) {
            Failure f = classify(cause, remote, local(remote));
            loop.execute(() -> {
                if (!closed) {
                    listener.connectFailed(f);
                    closeNow();
                }
            });
        }

        private void reportConnected() {
            if (!ended) {
                listener.connected();
            }
        }

        private void connectTimedOut() {
            connectTimeout = null;
            if (!connected && !ended) {
                ended = true;
                listener.connectFailed(Failure.TIMEOUT);
                closeNow();
            }
        }

        // ------------------------------------------------------------ epoll

        @Override
        public FileDescriptor fd() {
            return socket;
        }

        @Override
        public void handle(IoRegistration reg, IoEvent event) {
            if (closed) {
                return;
            }
            int ops = ((EpollIoEvent) event).ops().value();
            if ((ops & (EpollIoOps.EPOLLRDHUP.value() | EpollIoOps.EPOLLERR.value() | EPOLLHUP)) != 0) {
                peerDone = true; // an EOF or error waits behind any data: a short read does not end reading
            }
            if (!connected) {
                readable |= (ops & EpollIoOps.EPOLLIN.value()) != 0 || peerDone;
                finishConnect();
                return; // anything readable with it is read once the stack asks
            }
            if ((ops & (EpollIoOps.EPOLLOUT.value() | EpollIoOps.EPOLLERR.value())) != 0 && unflushed > 0) {
                if (writeQueued() && !ended) {
                    listener.writeCompleted(); // the window the queue held back is free again
                }
                if (closed) {
                    return;
                }
            }
            if ((ops & (EpollIoOps.EPOLLIN.value() | EpollIoOps.EPOLLRDHUP.value()
                    | EpollIoOps.EPOLLERR.value() | EPOLLHUP)) != 0) {
                readable = true;
                if (room > 0) {
                    readNow();
                }
            }
        }

        private void finishConnect() {
            if (ended) {
                return;
            }
            try {
                // SO_ERROR 0 is also what a socket still connecting says: only a peer name is
                // proof (a wake-up can be spurious, e.g. meant for an earlier owner of the fd number)
                if (!socket.finishConnect() || socket.remoteAddress() == null) {
                    return;
                }
            } catch (IOException e) {
                cancelTimeout();
                ended = true;
                listener.connectFailed(classify(e, remote, local(remote)));
                closeNow();
                return;
            }
            cancelTimeout();
            connected = true;
            listener.connected();
        }

        private void cancelTimeout() {
            if (connectTimeout != null) {
                connectTimeout.cancel(false);
                connectTimeout = null;
            }
        }

        // ------------------------------------------------------------ reading

        @Override
        public void setReading(int bytes) {
            boolean start = room == 0 && bytes > 0;
            room = bytes;
            if (start && readable && connected && !ended && !readScheduled) {
                readScheduled = true; // not from inside the stack's call
                loop.execute(this::scheduledRead);
            }
        }

        private void scheduledRead() {
            readScheduled = false;
            if (room > 0 && readable && !ended) {
                readNow();
            }
        }

        private void readNow() {
            for (int reads = 0; reads < MAX_READS_PER_WAKEUP; reads++) {
                if (room <= 0 || ended || inputShut) {
                    return;
                }
                int want = Math.min(readGuess, room);
                ByteBuf buf = alloc.ioBuffer(want);
                int n;
                try {
                    int w = buf.writerIndex();
                    if (buf.hasMemoryAddress()) {
                        n = socket.readAddress(buf.memoryAddress(), w, w + want);
                    } else {
                        java.nio.ByteBuffer nio = buf.internalNioBuffer(w, want);
                        n = socket.read(nio, nio.position(), nio.limit());
                    }
                } catch (IOException e) {
                    buf.release();
                    fail(); // ECONNRESET and friends
                    return;
                }
                if (n == 0) { // EAGAIN: drained
                    buf.release();
                    readable = false;
                    return;
                }
                if (n < 0) { // EOF
                    buf.release();
                    readable = false;
                    inputShut = true;
                    room = 0;
                    listener.inputShutdown();
                    return;
                }
                buf.writerIndex(buf.writerIndex() + n);
                adaptGuess(n, want);
                room = Math.max(0, room - n); // the listener lowers its copy alike
                listener.received(buf);
                if (n < want && !peerDone) {
                    readable = false; // a short read on a stream socket: nothing was left
                    return;
                }
            }
            if (room > 0 && !ended && !readScheduled) {
                readScheduled = true; // more may wait and no edge will say so: go on after the others
                loop.execute(this::scheduledRead);
            }
        }

        /** Bigger reads for a flow that fills them, smaller for one that does not. */
        private void adaptGuess(int n, int asked) {
            if (n == asked && asked == readGuess) {
                readGuess = Math.min(MAX_READ_BUFFER, readGuess << 1);
            } else if (n <= readGuess >>> 2) {
                readGuess = Math.max(MIN_READ_BUFFER, readGuess >>> 1);
            }
        }

        // ------------------------------------------------------------ writing

        @Override
        public void write(ByteBuf data) {
            if (ended || !connected) {
                data.release();
                return;
            }
            int len = data.readableBytes();
            if (len == 0) {
                data.release();
                return;
            }
            if (!data.isDirect()) {
                ByteBuf direct = alloc.directBuffer(len);
                direct.writeBytes(data, data.readerIndex(), len);
                data.release();
                data = direct;
            }
            if (queue == null) {
                queue = new ArrayDeque<>(4);
            }
            queue.addLast(data);
            pending += len;
        }

        @Override
        public void flush() {
            if (ended || !connected || queue == null) {
                return;
            }
            unflushed = queue.size();
            if (unflushed > 0) {
                writeQueued(); // the caller reads pendingWriteBytes() after: no writeCompleted
            }
        }

        /**
         * Writes what was flushed; what the socket does not take waits for EPOLLOUT. Once the
         * queue is empty a half close or close that waited for it goes ahead.
         *
         * @return whether any bytes were written
         */
        private boolean writeQueued() {
            boolean wrote = false;
            while (unflushed > 0) {
                iov.clear();
                int n = 0;
                for (ByteBuf b : queue) {
                    if (n == unflushed || !iov.add(b, b.readerIndex(), b.readableBytes())) {
                        break;
                    }
                    n++;
                }
                long written;
                try {
                    written = socket.writevAddresses(iov.memoryAddress(0), iov.count());
                } catch (IOException e) {
                    fail(); // EPIPE, ECONNRESET
                    return false;
                }
                if (written <= 0) {
                    break; // EAGAIN: EPOLLOUT follows once the socket has room
                }
                wrote = true;
                pending -= written;
                while (written > 0) {
                    ByteBuf b = queue.peekFirst();
                    int r = b.readableBytes();
                    if (written >= r) {
                        queue.pollFirst().release();
                        unflushed--;
                        written -= r;
                    } else {
                        b.skipBytes((int) written);
                        written = 0;
                    }
                }
            }
            if (pending == 0) {
                if (shutdownPending) {
                    shutdownPending = false;
                    shutdownNow();
                }
                if (closePending) {
                    closePending = false;
                    closeNow();
                }
            }
            return wrote;
        }

        @Override
        public long pendingWriteBytes() {
            return pending;
        }

        @Override
        public void shutdownOutput() {
            if (ended) {
                return;
            }
            if (pending == 0) {
                shutdownNow();
            } else {
                shutdownPending = true; // after the queued writes
                flush();
            }
        }

        private void shutdownNow() {
            try {
                socket.shutdown(false, true);
            } catch (IOException e) {
                // ENOTCONN: the peer is gone; the next read or write says so
            }
        }

        // ------------------------------------------------------------ closing

        @Override
        public void close() {
            room = 0;
            if (pending == 0 || !connected || ended) {
                ended = true;
                closeNow();
            } else {
                closePending = true;
                flush();
            }
        }

        @Override
        public void abort() {
            ended = true;
            room = 0;
            if (connected && !closed) {
                try {
                    socket.setSoLinger(0); // the host peer sees a reset
                } catch (IOException e) {
                    // closed under us already: nothing to reset
                }
            }
            closeNow();
        }

        private void fail() {
            if (ended) {
                return;
            }
            ended = true;
            listener.reset();
            closeNow();
        }

        /** Deregisters and closes the socket, drops queued writes; {@link Listener#closed} once. */
        private void closeNow() {
            if (closed) {
                return;
            }
            closed = true;
            ended = true;
            room = 0;
            cancelTimeout();
            if (queue != null) {
                for (ByteBuf b; (b = queue.pollFirst()) != null; ) {
                    b.release();
                }
                pending = 0;
                unflushed = 0;
            }
            // closed before the registration is cancelled: the close takes the fd out of epoll
            // (no other descriptor refers to the socket) and Netty skips its EPOLL_CTL_DEL for a
            // closed fd, one syscall per connection
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // the fd is released whatever close says
                }
            }
            if (registration != null) {
                registration.cancel();
            }
            listener.closed();
        }
    }
}
