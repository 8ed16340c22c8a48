package dev.jnet.usernet.forward;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Helper;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.guest.GuestTarget;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Forwarding from the guest's network namespace to the host (pasta's {@code -T} for TCP,
 * {@code -U} for UDP): a socket on the namespace's loopback (127.0.0.1, as pasta binds it)
 * whose connections, or datagrams, are relayed to the host's loopback at the mapped port. The
 * namespace's socket is made inside the namespace by jnet-helper (it has the privileges there)
 * and taken over by this process; it stays in that namespace, so its bind, accepts and
 * receives happen there. Everything runs on the stack's event loop; at most
 * {@link #MAX_CONNECTIONS} relayed TCP connections and UDP flows at once (more connections are
 * closed as they are accepted, more flows' datagrams dropped). TCP: each direction stops
 * reading while the other side's socket buffer is full. UDP: one host socket per namespace
 * client (its source address and port), connected to the host's port, so replies find their
 * client; a datagram meeting a full send buffer is dropped (UDP's answer to backpressure),
 * and a flow idle for {@link #UDP_IDLE_SECONDS} is closed, as pasta times its UDP flows out.
 */
public final class NamespaceForwards implements AutoCloseable {
    /** One forward: the namespace's {@code proto} port {@code nsPort} to the host's loopback port {@code hostPort}. */
    public record Port(HostForward.Proto proto, int nsPort, int hostPort) {
        public Port {
            Objects.requireNonNull(proto, "proto");
            if (nsPort < 1 || nsPort > 65535 || hostPort < 1 || hostPort > 65535) {
                throw new IllegalArgumentException("port out of range: " + nsPort + ":" + hostPort);
            }
        }

        /** A TCP forward. */
        public Port(int nsPort, int hostPort) {
            this(HostForward.Proto.TCP, nsPort, hostPort);
        }

        /** pasta's option for it: -T or -U. */
        String option() {
            return proto == HostForward.Proto.TCP ? "-T" : "-U";
        }
    }

    public static final int MAX_CONNECTIONS = 1024;
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_DGRAM = 2;
    /** pasta's UDP flow timeout. */
    public static final long UDP_IDLE_SECONDS = 180;
    static final long UDP_SWEEP_SECONDS = 10;
    /** The largest UDP payload over IPv4, and one byte to spare. */
    private static final int MAX_DATAGRAM = 65_508;
    private static final int BACKLOG = 128;
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final long BIND_TIMEOUT_SECONDS = 10;
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    static final WriteBufferWaterMark UDP_WATER_MARK = new WriteBufferWaterMark(256 << 10, 1 << 20);

    private final GuestTarget target;
    private final EventLoop loop;
    /** The namespace's sockets by {@link #key}; guarded by this (the caller's thread and an auto-forward scan's). */
    private final Map<Integer, Channel> listeners = new HashMap<>();
    private int connections; // TCP connections and UDP flows, on the loop

    private NamespaceForwards(GuestTarget target, EventLoop loop) {
        this.target = target;
        this.loop = loop;
    }

    /**
     * Listens on 127.0.0.1:{@code nsPort} inside {@code target}'s network namespace for each of
     * {@code ports}; fails (closing what it opened) when a port cannot be bound, with pasta's
     * words for what it could not do.
     */
    public static NamespaceForwards open(GuestTarget target, EventLoop loop, List<Port> ports) {
        NamespaceForwards out = new NamespaceForwards(target, loop);
        try {
            for (Port p : ports) {
                out.add(p);
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static int key(HostForward.Proto proto, int nsPort) {
        return proto.ordinal() << 16 | nsPort;
    }

    /**
     * Listens on 127.0.0.1:{@code p.nsPort()} in the namespace too (blocks: jnet-helper makes
     * the socket; never call it on the loop). A port listened on already is left as it is.
     *
     * @throws ForwardException when the port cannot be bound there
     */
    public void add(Port p) {
        int key = key(p.proto(), p.nsPort());
        synchronized (this) {
            if (listeners.containsKey(key)) {
                return;
            }
        }
        boolean udp = p.proto() == HostForward.Proto.UDP;
        Fd fd;
        try {
            fd = target.enter().takeSocket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | Syscalls.SOCK_CLOEXEC, 0);
        } catch (Helper.HelperException e) {
            throw new ForwardException(ForwardException.Kind.BIND_FAILED, p.option() + " " + p.nsPort()
                    + ": opening a socket in the namespace: " + e.getMessage());
        }
        Channel ch;
        try {
            Syscalls.setNonBlocking(fd.get(), "namespace listener");
            // Netty owns the descriptor from here
            ch = udp ? new EpollDatagramChannel(fd.get()) : new EpollServerSocketChannel(fd.get());
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
        ch.config().setOption(ChannelOption.SO_REUSEADDR, true);
        if (udp) {
            ch.config().setOption(ChannelOption.RCVBUF_ALLOCATOR, datagrams());
            ch.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, UDP_WATER_MARK);
            ch.pipeline().addLast(new NamespaceUdpRelay(this, ch, p.hostPort()));
        } else {
            ch.config().setOption(ChannelOption.SO_BACKLOG, BACKLOG);
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    accepted((Channel) msg, p.hostPort());
                }
            });
        }
        ChannelFuture f = loop.register(ch).syncUninterruptibly();
        f = ch.bind(new InetSocketAddress(loopback(), p.nsPort()));
        if (!f.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS) || !f.isSuccess()) {
            ch.close();
            Throwable c = f.cause();
            throw new ForwardException(ForwardException.Kind.BIND_FAILED, "Failed to bind port " + p.nsPort() + " in the namespace"
                    + (c != null ? ": " + c.getMessage() : ""));
        }
        synchronized (this) {
            listeners.put(key, ch);
        }
    }

    /** Stops listening on TCP namespace port {@code nsPort} (relayed connections live on); no-op when it is not. */
    public void remove(int nsPort) {
        Channel ch;
        synchronized (this) {
            ch = listeners.remove(key(HostForward.Proto.TCP, nsPort));
        }
        if (ch != null) {
            ch.close().awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** The namespace's {@code proto} ports listened on (TCP) or bound (UDP) now. */
    public synchronized BitSet ports(HostForward.Proto proto) {
        BitSet out = new BitSet();
        for (int key : listeners.keySet()) {
            if (key >>> 16 == proto.ordinal()) {
                out.set(key & 0xffff);
            }
        }
        return out;
    }

    static FixedRecvByteBufAllocator datagrams() {
        return new FixedRecvByteBufAllocator(MAX_DATAGRAM);
    }

    EventLoop loop() {
        return loop;
    }

    /** On the loop: whether one more relayed connection or flow may open (then counted until {@link #release}). */
    boolean reserve() {
        if (connections >= MAX_CONNECTIONS) {
            return false;
        }
        connections++;
        return true;
    }

    /** On the loop: a connection or flow {@link #reserve} counted has gone. */
    void release() {
        connections--;
    }

    static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(LOOPBACK);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A namespace client connected: connect to the host's loopback port, then relay both ways. */
    private void accepted(Channel client, int hostPort) {
        if (!reserve()) {
            client.unsafe().closeForcibly();
            return;
        }
        client.config().setAutoRead(false);
        client.closeFuture().addListener(f -> release());
        loop.register(client).addListener((ChannelFutureListener) reg -> {
            if (!reg.isSuccess()) {
                client.close();
                return;
            }
            Splice.hold(client); // what it sends (and its EOF) while the host side connects
            ChannelFuture c = new Bootstrap().group(loop)
                    .channelFactory(() -> new EpollSocketChannel(SocketProtocolFamily.INET))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(new InetSocketAddress(loopback(), hostPort));
            c.addListener((ChannelFutureListener) cf -> {
                if (!cf.isSuccess()) {
                    client.close(); // pasta: the namespace client sees the connection end
                    return;
                }
                Channel host = cf.channel();
                if (!client.isActive()) {
                    host.close(); // the namespace client went while we connected
                    return;
                }
                Splice.join(client, host);
            });
        });
    }

    @Override
    public void close() {
        List<Channel> all;
        synchronized (this) {
            all = new ArrayList<>(listeners.values());
            listeners.clear();
        }
        for (Channel ch : all) {
            ch.close().awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }
}
