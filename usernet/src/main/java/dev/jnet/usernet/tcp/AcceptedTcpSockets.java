package dev.jnet.usernet.tcp;

import dev.jnet.usernet.EventLoopScheduler;
import dev.jnet.usernet.netty.DelegatingRecvHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The host side of port-forwarded connections: sockets a forward's Netty server channel
 * accepted, adopted as {@link TcpHostConnector.HostConnection}s on the stack's own event loop
 * (no locks, no hand-off) with the options of the stack's own connects: TCP_NODELAY, half
 * closure allowed, auto-read off so the guest's window decides when the host is read. (The
 * stack's own connects are {@link RawTcpHostConnector}'s raw sockets.)
 */
public final class AcceptedTcpSockets {
    /**
     * A bulk flow's reads grow to 256 KiB: a quarter of the recv calls of 64 KiB reads, and of the
     * ACKs the host socket sends (each runs the host sender's ACK processing and its next
     * transmission inside our recv on loopback); with the gathered write towards the tap,
     * host->guest at MTU 1500 went from 12.3 to 20.6 Gbit/s (bench/results/2026-12-06-tput1500.md).
     * No read asks for more than the connection's allowance ({@link TcpHostConnector.HostConnection#setReading}),
     * so large reads do not grow what a connection holds beyond its window and buffer.
     */
    static final int MAX_MESSAGES_PER_READ = 4;
    static final int MAX_READ_BUFFER = 256 * 1024;
    /**
     * The smallest read: a read that was asked for before the allowance fell to 0 still takes
     * this much (bounded overshoot) rather than a byte at a time.
     */
    static final int MIN_READ_BUFFER = 2048;

    private final EventLoop loop;
    private final WriteBufferWaterMark waterMark;
    /** shared: each channel takes its own handle from it, wrapped in its connection's allowance */
    private final RecvByteBufAllocator adaptive =
            new AdaptiveRecvByteBufAllocator(512, 16 * 1024, MAX_READ_BUFFER).maxMessagesPerRead(MAX_MESSAGES_PER_READ);

    public AcceptedTcpSockets(EventLoopScheduler scheduler) {
        this(scheduler.eventLoop(), TcpLimits.defaults());
    }

    public AcceptedTcpSockets(EventLoop loop, TcpLimits limits) {
        this.loop = loop;
        int high = Math.max(2, limits.receiveBuffer());
        this.waterMark = new WriteBufferWaterMark(high / 2, high);
    }

    /**
     * Adopts an accepted socket (a port forward's host side) for {@code listener}, with the
     * options of our own connects. Call on the loop while the channel registers (from a
     * {@code ChannelInitializer}), before it is active, so nothing is read before the guest's
     * window allows it, or later with auto-read off (after pasta's splice gave up, which then
     * replays what it read meanwhile). No {@link TcpHostConnector.Listener#connected} follows: the socket is
     * connected.
     */
    public TcpHostConnector.HostConnection adopt(Channel accepted, TcpHostConnector.Listener listener) {
        accepted.config().setAutoRead(false);
        accepted.config().setOption(ChannelOption.TCP_NODELAY, true);
        accepted.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        accepted.config().setWriteBufferWaterMark(waterMark);
        NettyHostConnection connection = new NettyHostConnection(listener);
        accepted.config().setRecvByteBufAllocator(connection.recvAllocator);
        connection.channel = accepted;
        accepted.pipeline().addLast(connection);
        accepted.closeFuture().addListener(ignored -> connection.reportClosed());
        return connection;
    }

    /** One host socket: its inbound handler, write-completion listener and control surface. */
    private final class NettyHostConnection extends ChannelInboundHandlerAdapter
            implements TcpHostConnector.HostConnection, ChannelFutureListener {
        private final TcpHostConnector.Listener listener;
        private final Runnable notifyWritten = this::notifyWritten;
        Channel channel;
        /** sizes this socket's reads by {@link #room} */
        final RecvByteBufAllocator recvAllocator = new RoomBoundedAllocator();
        /** what the stack takes now ({@link #setReading}), lowered as reads hand bytes over; 0: not reading */
        private int room;
        private boolean ended; // aborted, closing or failed: no more callbacks
        private boolean notifyScheduled;
        private boolean shutdownPending;
        private boolean closePending;
        private boolean unflushedWrites;
        private boolean closedReported;

        NettyHostConnection(TcpHostConnector.Listener listener) {
            this.listener = listener;
        }

        /** {@link TcpHostConnector.Listener#closed}, exactly once and on the stack's loop. */
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
            if (start && !ended) {
                channel.read();
            }
        }

        @Override
        public void write(ByteBuf data) {
            if (ended) {
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
            if (unflushedWrites && !ended) {
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
            if (pendingWriteBytes() == 0) {
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
            if (!ended) {
                fail(); // closed under us
            }
        }
    }
}
