package dev.jnet.usernet.udp;

import dev.jnet.linux.Errno;
import dev.jnet.usernet.icmp.Icmpv4Errors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Errors;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.ArrayDeque;

/**
 * Host sockets for UDP flows: one connected {@link EpollDatagramChannel} per flow on the
 * stack's event loop, bound to the outbound address if one is set (else the kernel picks
 * address and ephemeral port). Being connected, a socket hears only its remote, and the
 * kernel reports ICMP port unreachable as {@code ECONNREFUSED}, passed on to the guest.
 */
public final class NettyUdpHostConnector implements UdpHostConnector {
    /** Datagrams kept per flow while its socket is still connecting. */
    static final int MAX_PENDING = 4;

    private final EventLoop loop;
    /** --outbound-addr / --outbound-addr6: local address of sockets of that family, or null */
    private final InetAddress bind4;
    private final InetAddress bind6;
    private final int maxPayload;
    private final int headroom;

    /**
     * @param bindAddress local address of every socket ({@code --outbound-addr}), or {@code null}
     * @param maxPayload  largest datagram the guest link can carry; larger ones are read
     *                    truncated to one byte more, so the receiver can tell and drop them
     * @param headroom    bytes reserved in front of each received datagram (the guest's
     *                    Ethernet + IPv4 + UDP headers: {@link UdpNat#HEADROOM}), so it is
     *                    forwarded in place
     */
    public NettyUdpHostConnector(EventLoop loop, InetAddress bindAddress, int maxPayload, int headroom) {
        this(loop, bindAddress instanceof Inet4Address ? bindAddress : null,
                bindAddress instanceof Inet4Address ? null : bindAddress, maxPayload, headroom);
    }

    /** With a local address per family ({@code bind4} for IPv4 sockets, {@code bind6} for IPv6; null: any). */
    public NettyUdpHostConnector(EventLoop loop, InetAddress bind4, InetAddress bind6, int maxPayload, int headroom) {
        this.loop = loop;
        this.bind4 = bind4;
        this.bind6 = bind6;
        this.maxPayload = maxPayload;
        this.headroom = headroom;
    }

    @Override
    public HostSocket open(InetSocketAddress remote, Receiver receiver) {
        return new Socket(remote, receiver);
    }

    private final class Socket extends ChannelInboundHandlerAdapter implements HostSocket {
        private final EpollDatagramChannel channel;
        private final Receiver receiver;
        private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>(MAX_PENDING);
        private boolean connected;
        private boolean failed;
        private boolean closed;

        Socket(InetSocketAddress remote, Receiver receiver) {
            this.receiver = receiver;
            boolean v4 = remote.getAddress() instanceof Inet4Address;
            channel = new EpollDatagramChannel(v4 ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6);
            channel.config().setRecvByteBufAllocator(new HeadroomRecvByteBufAllocator(headroom, maxPayload + 1));
            channel.pipeline().addLast(this);
            loop.register(channel).addListener(reg -> {
                if (!reg.isSuccess() || closed) {
                    fail();
                    return;
                }
                InetAddress bind = v4 ? bind4 : bind6;
                ChannelFuture c = bind == null ? channel.connect(remote)
                        : channel.connect(remote, new InetSocketAddress(bind, 0));
                c.addListener(done -> {
                    if (done.isSuccess() && !closed) {
                        connected = true;
                        ByteBuf b;
                        while ((b = pending.poll()) != null) {
                            channel.write(b, channel.voidPromise());
                        }
                        channel.flush();
                    } else {
                        fail();
                    }
                });
            });
        }

        private void fail() {
            failed = true; // until the flow expires: the guest's retries from new ports get new sockets
            releasePending();
            if (!closed) {
                receiver.unreachable(Icmpv4Errors.CODE_NET_UNREACHABLE);
            }
        }

        @Override
        public void send(ByteBuf payload) {
            if (closed || failed) {
                payload.release();
            } else if (connected) {
                channel.writeAndFlush(payload, channel.voidPromise());
            } else if (pending.size() < MAX_PENDING) {
                pending.add(payload);
            } else {
                payload.release(); // UDP: dropping is allowed, growing is not
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                releasePending();
                channel.close();
            }
        }

        private void releasePending() {
            ByteBuf b;
            while ((b = pending.poll()) != null) {
                b.release();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket packet = (DatagramPacket) msg;
            try {
                if (!closed) {
                    receiver.datagram(packet.content());
                }
            } finally {
                packet.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            int code = icmpCode(cause);
            if (code >= 0 && !closed) {
                receiver.unreachable(code);
            }
        }
    }

    /** The ICMP unreachable code for a socket error, or -1 if the guest need not hear of it. */
    static int icmpCode(Throwable cause) {
        if (cause instanceof PortUnreachableException) {
            return Icmpv4Errors.CODE_PORT_UNREACHABLE;
        }
        if (cause instanceof Errors.NativeIoException e) {
            int errno = Math.abs(e.expectedErr()); // Netty stores it negated
            if (errno == Errno.ECONNREFUSED) {
                return Icmpv4Errors.CODE_PORT_UNREACHABLE;
            }
            if (errno == Errno.EHOSTUNREACH) {
                return Icmpv4Errors.CODE_HOST_UNREACHABLE;
            }
            if (errno == Errno.ENETUNREACH) {
                return Icmpv4Errors.CODE_NET_UNREACHABLE;
            }
        }
        return -1;
    }
}
