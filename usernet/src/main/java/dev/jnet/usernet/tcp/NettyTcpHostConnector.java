package dev.jnet.usernet.tcp;

import dev.jnet.linux.Errno;
import dev.jnet.usernet.EventLoopScheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.netty.DelegatingRecvHandle;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollSocketChannelConfig;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.internal.PlatformDependent;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Host sockets as Netty epoll channels on the stack's own event loop (no locks, no hand-off):
 * non-blocking connect (bound to {@code --outbound-addr} first when set), TCP_NODELAY, half
 * closure allowed, auto-read off so the guest's window decides when the host is read.
 */
public final class NettyTcpHostConnector implements TcpHostConnector {
    /** Host connect timeout; the guest's own SYN retries give up after about two minutes. */
    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 30_000;
    /**
     * A bulk flow's reads grow to 256 KiB: a quarter of the recv calls of 64 KiB reads, and of the
     * ACKs the host socket sends (each runs the host sender's ACK processing and its next
     * transmission inside our recv on loopback); with the gathered write towards the tap,
     * host->guest at MTU 1500 went from 12.3 to 20.6 Gbit/s (bench/results/2026-12-06-tput1500.md).
     * No read asks for more than the connection's allowance ({@link HostConnection#setReading}),
     * so large reads do not grow what a connection holds beyond its window and buffer.
     */
    private static final int MAX_MESSAGES_PER_READ = 4;
    private static final int MAX_READ_BUFFER = 256 * 1024;
    /**
     * The smallest read: a read that was asked for before the allowance fell to 0 still takes
     * this much (bounded overshoot) rather than a byte at a time.
     */
    private static final int MIN_READ_BUFFER = 2048;
    /** The errno in Netty's connect exception messages: "connect(..) failed with error(-111): ...". */
    private static final Pattern ERRNO = Pattern.compile("error\\((-?\\d+)\\)");

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    /** --outbound-addr and --outbound-addr6: local addresses of connects of either family, or null */
    private final InetSocketAddress local4;
    private final InetSocketAddress local6;
    private final WriteBufferWaterMark waterMark;
    private final int connectTimeoutMillis;
    /** shared: each channel takes its own handle from it, wrapped in its connection's allowance */
    private final RecvByteBufAllocator adaptive =
            new AdaptiveRecvByteBufAllocator(512, 16 * 1024, MAX_READ_BUFFER).maxMessagesPerRead(MAX_MESSAGES_PER_READ);

    public NettyTcpHostConnector(EventLoopScheduler scheduler, UsernetConfig config) {
        this(scheduler.eventLoop(), config.outboundAddr(), config.outboundAddr6(), DEFAULT_CONNECT_TIMEOUT_MILLIS,
                TcpLimits.defaults());
    }

    /** @param outboundAddr local address for connects of its family, or null */
    public NettyTcpHostConnector(EventLoop loop, InetAddress outboundAddr, int connectTimeoutMillis, TcpLimits limits) {
        this(loop, outboundAddr instanceof Inet6Address ? null : outboundAddr,
                outboundAddr instanceof Inet6Address ? outboundAddr : null, connectTimeoutMillis, limits);
    }

    /** @param outboundAddr IPv4 local address of IPv4 connects, or null; {@code outboundAddr6} the same for IPv6 */
    public NettyTcpHostConnector(EventLoop loop, InetAddress outboundAddr, InetAddress outboundAddr6,
            int connectTimeoutMillis, TcpLimits limits) {
        this.loop = loop;
        this.local4 = outboundAddr == null ? null : new InetSocketAddress(outboundAddr, 0);
        this.local6 = outboundAddr6 == null ? null : new InetSocketAddress(outboundAddr6, 0);
        int high = Math.max(2, limits.receiveBuffer());
        this.waterMark = new WriteBufferWaterMark(high / 2, high);
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.bootstrap = new Bootstrap().group(loop).channel(EpollSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark);
    }

    /**
     * On the loop (the stack's case, a guest's SYN) the channel is made, configured, registered
     * and connected right here: the connect syscall goes out while the SYN is handled, and none
     * of {@link Bootstrap}'s per-connect work (a clone with its option maps, every option set
     * again through the generic path, a resolver look-up of a resolved address, the connect as
     * a task of its own) is paid per connection. Off the loop, or when no socket can be made
     * (EMFILE: the bootstrap reports that as a failed future, as it always has), the bootstrap.
     */
    @Override
    public HostConnection connect(InetSocketAddress remote, Listener listener) {
        NettyHostConnection connection = new NettyHostConnection(listener);
        connection.remote = remote;
        InetSocketAddress local = local(remote);
        ChannelFuture direct = loop.inEventLoop() ? connectDirect(connection, remote, local) : null;
        ChannelFuture f = direct != null ? direct : bootstrapConnect(connection, remote, local);
        connection.channel = f.channel();
        connection.channel.closeFuture().addListener(ignored -> connection.reportClosed());
        if (f.isDone()) {
            loop.execute(() -> connection.connectDone(f)); // never call back from inside connect()
        } else {
            f.addListener((ChannelFutureListener) connection::connectDone);
        }
        return connection;
    }

    private ChannelFuture bootstrapConnect(NettyHostConnection connection, InetSocketAddress remote,
            InetSocketAddress local) {
        Bootstrap b = bootstrap.clone().handler(connection)
                .option(ChannelOption.RCVBUF_ALLOCATOR, connection.recvAllocator);
        return local == null ? b.connect(remote) : b.connect(remote, local);
    }

    /** The channel made, registered and connecting; null if the socket could not be made. */
    private ChannelFuture connectDirect(NettyHostConnection connection, InetSocketAddress remote,
            InetSocketAddress local) {
        EpollSocketChannel channel;
        try {
            channel = new EpollSocketChannel();
        } catch (ChannelException e) {
            return null; // no socket (EMFILE, ENFILE): the bootstrap's failed future tells the guest
        }
        EpollSocketChannelConfig config = channel.config();
        config.setAutoRead(false);
        if (!PlatformDependent.canEnableTcpNoDelayByDefault()) {
            config.setTcpNoDelay(true); // else the channel's constructor set it already: no second syscall
        }
        config.setAllowHalfClosure(true);
        config.setConnectTimeoutMillis(connectTimeoutMillis);
        config.setWriteBufferWaterMark(waterMark);
        config.setRecvByteBufAllocator(connection.recvAllocator);
        connection.channel = channel; // before any pipeline event can reach the handler
        channel.pipeline().addLast(connection);
        ChannelFuture registered = loop.register(channel); // on the loop: done when it returns
        if (registered.isDone() && !registered.isSuccess()) {
            return registered; // e.g. epoll_ctl failed: reported as a connect failure, the channel closed
        }
        return local == null ? channel.connect(remote) : channel.connect(remote, local);
    }

    /**
     * Adopts an accepted socket (a port forward's host side) for {@code listener}, with the
     * options of our own connects. Call on the loop while the channel registers (from a
     * {@code ChannelInitializer}), before it is active, so nothing is read before the guest's
     * window allows it, or later with auto-read off (after pasta's splice gave up, which then
     * replays what it read meanwhile). No {@link Listener#connected} follows: the socket is
     * connected.
     */
    public HostConnection adopt(Channel accepted, Listener listener) {
        accepted.config().setAutoRead(false);
        accepted.config().setOption(ChannelOption.TCP_NODELAY, true);
        accepted.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        accepted.config().setWriteBufferWaterMark(waterMark);
        NettyHostConnection connection = new NettyHostConnection(listener);
        accepted.config().setRecvByteBufAllocator(connection.recvAllocator);
        connection.channel = accepted;
        connection.connected = true;
        accepted.pipeline().addLast(connection);
        accepted.closeFuture().addListener(ignored -> connection.reportClosed());
        return connection;
    }

    /**
     * What a connect failure tells the guest. Netty reports ENETUNREACH and EHOSTUNREACH as one
     * {@code NoRouteToHostException} ({@link Failure#HOST_UNREACHABLE} here, told apart by a
     * {@link RouteProbe} on a real failure); other errnos only in the message ("error(-111)").
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
    private Failure classify(Throwable cause, InetSocketAddress remote) {
        Failure f = classify(cause);
        if (cause instanceof NoRouteToHostException) {
            InetSocketAddress local = local(remote);
            f = RouteProbe.classify(remote, local == null ? null : local.getAddress());
        }
        return f;
    }

    /** The outbound address for a connect to {@code remote}: of its family, or null. */
    private InetSocketAddress local(InetSocketAddress remote) {
        return remote.getAddress() instanceof Inet6Address ? local6 : local4;
    }

    /** One host socket: its inbound handler, write-completion listener and control surface. */
    private final class NettyHostConnection extends ChannelInboundHandlerAdapter
            implements HostConnection, ChannelFutureListener {
        private final Listener listener;
        private final Runnable notifyWritten = this::notifyWritten;
        Channel channel;
        InetSocketAddress remote;
        /** sizes this socket's reads by {@link #room} */
        final RecvByteBufAllocator recvAllocator = new RoomBoundedAllocator();
        private boolean connected;
        /** what the stack takes now ({@link #setReading}), lowered as reads hand bytes over; 0: not reading */
        private int room;
        private boolean ended; // aborted, closing or failed: no more callbacks
        private boolean notifyScheduled;
        private boolean shutdownPending;
        private boolean closePending;
        private boolean unflushedWrites;
        private boolean closedReported;

        NettyHostConnection(Listener listener) {
            this.listener = listener;
        }

        void connectDone(ChannelFuture f) {
            if (ended) {
                return;
            }
            if (f.isSuccess()) {
                connected = true;
                listener.connected();
            } else {
                ended = true;
                listener.connectFailed(classify(f.cause(), remote));
                channel.close();
                if (!channel.isRegistered()) {
                    reportClosed(); // never got a socket (e.g. EMFILE): no close will follow on our loop
                }
            }
        }

        /** {@link Listener#closed}, exactly once and on the stack's loop. */
        void reportClosed() {
            if (!loop.inEventLoop()) {
                loop.execute(this::reportClosed);
                return;
            }
            if (!closedReported) {
                closedReported = true;
                listener.closed();
            }
        }

        @Override
        public void setReading(int bytes) {
            boolean start = room == 0 && bytes > 0;
            room = bytes;
            if (start && connected && !ended) {
                channel.read();
            }
        }

        @Override
        public void write(ByteBuf data) {
            if (ended || !connected) {
                data.release();
                return;
            }
            // no promise per segment: failures surface in exceptionCaught, completion is
            // tracked once per flush
            channel.write(data, channel.voidPromise());
            unflushedWrites = true;
        }

        @Override
        public void flush() {
            if (connected && unflushedWrites && !ended) {
                unflushedWrites = false;
                channel.flush();
                if (pendingWriteBytes() == 0) {
                    writtenOut(); // the usual case: the socket took it all, no promise needed
                } else {
                    // completes once everything written before it has reached the socket
                    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(this);
                }
            }
        }

        @Override
        public long pendingWriteBytes() {
            ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
            return buffer == null ? 0 : buffer.totalPendingWriteBytes();
        }

        @Override
        public void shutdownOutput() {
            if (ended) {
                return;
            }
            if (pendingWriteBytes() == 0) {
                ((EpollSocketChannel) channel).shutdownOutput();
            } else {
                shutdownPending = true; // Netty fails queued writes on shutdown: wait for them
                flush();
            }
        }

        @Override
        public void close() {
            room = 0;
            if (pendingWriteBytes() == 0 || !connected) {
                ended = true;
                channel.close();
            } else {
                closePending = true;
                flush();
            }
        }

        @Override
        public void abort() {
            ended = true;
            room = 0;
            if (channel.isActive()) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0); // the host peer sees a reset
            }
            channel.close();
        }

        /** Completion of a flush: every write queued before it reached the socket. */
        @Override
        public void operationComplete(ChannelFuture f) {
            if (!f.isSuccess()) {
                fail();
                return;
            }
            writtenOut();
        }

        /** Every queued write reached the socket: the listener hears it once the flush is over. */
        private void writtenOut() {
            if (!notifyScheduled) {
                // after the whole flush: the outbound buffer's count is only lowered after the
                // promise completes, and one window update per flush is enough
                notifyScheduled = true;
                loop.execute(notifyWritten);
            }
        }

        private void notifyWritten() {
            notifyScheduled = false;
            if (ended && !closePending) {
                return;
            }
            if (pendingWriteBytes() == 0) {
                if (shutdownPending) {
                    shutdownPending = false;
                    ((EpollSocketChannel) channel).shutdownOutput();
                }
                if (closePending) {
                    closePending = false;
                    ended = true;
                    channel.close();
                    return;
                }
            }
            if (!ended) {
                listener.writeCompleted();
            }
        }

        private void fail() {
            if (ended) {
                return;
            }
            ended = true;
            listener.reset();
            channel.close();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ended || !(msg instanceof ByteBuf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf data = (ByteBuf) msg;
            room = Math.max(0, room - data.readableBytes()); // the listener lowers its copy alike
            listener.received(data);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (room > 0 && !ended) {
                ctx.read();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                room = 0;
                if (!ended) {
                    listener.inputShutdown();
                }
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(); // ECONNRESET and friends
        }

        /**
         * {@link #adaptive}'s read sizes, capped by what the stack takes now: a read never asks
         * for more than {@link #room} ({@link #MIN_READ_BUFFER} for a read already under way
         * when it fell to 0), and a wake-up stops reading once it is used up.
         */
        private final class RoomBoundedAllocator implements RecvByteBufAllocator {
            @Override
            public Handle newHandle() {
                return new DelegatingRecvHandle(adaptive.newHandle()) {
                    @Override
                    public int guess() {
                        return Math.min(delegate.guess(), room > 0 ? room : MIN_READ_BUFFER);
                    }

                    @Override
                    public boolean continueReading() {
                        return room > 0 && delegate.continueReading();
                    }

                    @Override
                    public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
                        return room > 0 && delegate.continueReading(maybeMoreDataSupplier);
                    }
                };
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!ended && connected) {
                fail(); // closed under us
            }
        }
    }
}
