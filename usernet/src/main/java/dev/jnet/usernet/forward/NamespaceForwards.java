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
import java.util.concurrent.TimeUnit;

/**
 * TCP forwarding from the guest's network namespace to the host (pasta's {@code -T}): a
 * listener on the namespace's loopback (127.0.0.1, as pasta binds it) whose connections are
 * relayed to the host's loopback at the mapped port. The listening socket is made inside the
 * namespace by jnet-helper (it has the privileges there) and taken over by this process; it
 * stays in that namespace, so its bind and accepts happen there. Everything runs on the
 * stack's event loop; at most {@link #MAX_CONNECTIONS} relayed connections at once (more are
 * closed as they are accepted), and each direction stops reading while the other side's
 * socket buffer is full.
 */
public final class NamespaceForwards implements AutoCloseable {
    /** One forward: the namespace's port {@code nsPort} to the host's loopback port {@code hostPort}. */
    public record Port(int nsPort, int hostPort) {
        public Port {
            if (nsPort < 1 || nsPort > 65535 || hostPort < 1 || hostPort > 65535) {
                throw new IllegalArgumentException("port out of range: " + nsPort + ":" + hostPort);
            }
        }
    }

    public static final int MAX_CONNECTIONS = 1024;
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int BACKLOG = 128;
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final long BIND_TIMEOUT_SECONDS = 10;
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private final GuestTarget target;
    private final EventLoop loop;
    /** Namespace port to its listener; guarded by this (the caller's thread and an auto-forward scan's). */
    private final Map<Integer, Channel> listeners = new HashMap<>();
    private int connections; // on the loop

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

    /**
     * Listens on 127.0.0.1:{@code p.nsPort()} in the namespace too (blocks: jnet-helper makes
     * the socket; never call it on the loop). A port listened on already is left as it is.
     *
     * @throws ForwardException when the port cannot be bound there
     */
    public void add(Port p) {
        synchronized (this) {
            if (listeners.containsKey(p.nsPort())) {
                return;
            }
        }
        Fd fd;
        try {
            fd = target.enter().takeSocket(AF_INET, SOCK_STREAM | Syscalls.SOCK_CLOEXEC, 0);
        } catch (Helper.HelperException e) {
            throw new ForwardException(ForwardException.Kind.BIND_FAILED, "-T " + p.nsPort() + ": opening a socket in the namespace: " + e.getMessage());
        }
        Channel ch;
        try {
            Syscalls.setNonBlocking(fd.get(), "namespace listener");
            ch = new EpollServerSocketChannel(fd.get()); // Netty owns the descriptor from here
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
        ch.config().setOption(ChannelOption.SO_REUSEADDR, true);
        ch.config().setOption(ChannelOption.SO_BACKLOG, BACKLOG);
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                accepted((Channel) msg, p.hostPort());
            }
        });
        ChannelFuture f = loop.register(ch).syncUninterruptibly();
        f = ch.bind(new InetSocketAddress(loopback(), p.nsPort()));
        if (!f.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS) || !f.isSuccess()) {
            ch.close();
            Throwable c = f.cause();
            throw new ForwardException(ForwardException.Kind.BIND_FAILED, "Failed to bind port " + p.nsPort() + " in the namespace"
                    + (c != null ? ": " + c.getMessage() : ""));
        }
        synchronized (this) {
            listeners.put(p.nsPort(), ch);
        }
    }

    /** Stops listening on namespace port {@code nsPort} (relayed connections live on); no-op when it is not. */
    public void remove(int nsPort) {
        Channel ch;
        synchronized (this) {
            ch = listeners.remove(nsPort);
        }
        if (ch != null) {
            ch.close().awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** The namespace ports listened on now. */
    public synchronized BitSet ports() {
        BitSet out = new BitSet();
        listeners.keySet().forEach(out::set);
        return out;
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
        if (connections >= MAX_CONNECTIONS) {
            client.unsafe().closeForcibly();
            return;
        }
        connections++;
        client.config().setAutoRead(false);
        client.closeFuture().addListener(f -> connections--);
        loop.register(client).addListener((ChannelFutureListener) reg -> {
            if (!reg.isSuccess()) {
                client.close();
                return;
            }
            ChannelFuture c = new Bootstrap().group(loop)
                    .channelFactory(() -> new EpollSocketChannel(SocketProtocolFamily.INET))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new Splice(client))
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
                client.pipeline().addLast(new Splice(host));
                client.read();
                host.read();
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
