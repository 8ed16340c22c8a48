package dev.jnet.usernet.forward;

import dev.jnet.linux.Fd;
import dev.jnet.usernet.guest.GuestTarget;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * pasta's splice of host-loopback clients: a connection a forward accepted from the host's
 * loopback goes to the namespace's loopback of the client's family (127.0.0.1 or ::1) at the
 * guest port (through a socket made there, {@link NamespaceSockets}), so a guest server
 * listening on its loopback only is reached, as with pasta; when nothing answers there
 * (refused, or no socket could be had), the connection takes the usual way through the
 * guest's interface. Runs on the stack's loop; at most {@link #MAX_CONNECTIONS} spliced
 * connections at once (more take the usual way).
 */
final class LoopbackSplice {
    static final int MAX_CONNECTIONS = 1024;
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final EventLoop loop;
    private final NamespaceSockets sockets;
    private int connections; // on the loop

    LoopbackSplice(EventLoop loop, NamespaceSockets sockets) {
        this.loop = loop;
        this.sockets = sockets;
    }

    /**
     * Where in the namespace a client at {@code client} is spliced to: 127.0.0.1 for an IPv4
     * loopback client (IPv4-mapped ones too), ::1 for ::1; {@code null} for any other client.
     */
    static InetAddress spliced(InetAddress client) {
        Inet4Address v4 = ForwardSources.ipv4(client);
        if (v4 != null) {
            return v4.isLoopbackAddress() ? NamespaceForwards.loopback() : null;
        }
        return client.isLoopbackAddress() ? client : null;
    }

    /**
     * On the loop, for {@code host}, a connection just accepted (not reading) from
     * {@code client}: connects to the namespace's loopback ({@link #spliced}) at {@code port}
     * and relays both ways; {@code fallback} (run on the loop, {@code host} not auto-reading;
     * what it read meanwhile is replayed to the handlers the fallback adds) when
     * that fails (nothing listens there, or ::1 with IPv4 namespace sockets, {@link
     * NamespaceSockets#open(GuestTarget, boolean)}).
     */
    void connect(Channel host, InetAddress client, int port, Runnable fallback) {
        InetAddress to = spliced(client);
        if (to == null || connections >= MAX_CONNECTIONS) {
            fallback.run();
            return;
        }
        connections++;
        host.config().setAutoRead(false);
        Splice.hold(host); // a request sent and half-closed at once is kept for the splice or the fallback
        sockets.take().whenComplete((fd, error) -> loop.execute(() -> {
            if (error != null) {
                connections--;
                fallback(host, fallback);
            } else {
                connectWith(fd, host, new InetSocketAddress(to, port), fallback);
            }
        }));
    }

    private void connectWith(Fd fd, Channel host, InetSocketAddress to, Runnable fallback) {
        if (!host.isOpen()) {
            connections--;
            fd.close();
            return;
        }
        EpollSocketChannel ns;
        try {
            ns = new EpollSocketChannel(fd.get()); // Netty owns the descriptor from here
        } catch (RuntimeException e) {
            connections--;
            fd.close();
            fallback(host, fallback);
            return;
        }
        ns.closeFuture().addListener(f -> connections--);
        ChannelFuture c = new Bootstrap().group(loop).channelFactory(() -> ns)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(to);
        c.addListener((ChannelFutureListener) cf -> {
            if (!cf.isSuccess()) {
                ns.close();
                fallback(host, fallback); // nothing listens on the namespace's loopback: pasta goes through the tap
                return;
            }
            if (!host.isActive()) {
                ns.close();
                return;
            }
            host.config().setOption(ChannelOption.TCP_NODELAY, true);
            Splice.join(host, ns);
        });
    }

    private static void fallback(Channel host, Runnable fallback) {
        Runnable replay = Splice.unhold(host);
        if (host.isOpen()) {
            fallback.run();
            host.eventLoop().execute(replay); // what the client sent meanwhile, to the fallback's handlers
        }
    }
}
