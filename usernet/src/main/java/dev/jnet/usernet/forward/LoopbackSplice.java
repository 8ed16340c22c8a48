package dev.jnet.usernet.forward;

import dev.jnet.linux.Fd;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;

/**
 * pasta's splice of host-loopback clients: a connection a forward accepted from the host's
 * loopback goes to 127.0.0.1 at the guest port inside the namespace (through a socket made
 * there, {@link NamespaceSockets}), so a guest server listening on its loopback only is
 * reached, as with pasta; when nothing answers there (refused, or no socket could be had),
 * the connection takes the usual way through the guest's interface. Runs on the stack's loop;
 * at most {@link #MAX_CONNECTIONS} spliced connections at once (more take the usual way).
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
     * On the loop, for {@code host}, a connection just accepted (not reading): connects to the
     * namespace's 127.0.0.1:{@code port} and relays both ways; {@code fallback} (run on the
     * loop, {@code host} still unread) when that fails.
     */
    void connect(Channel host, int port, Runnable fallback) {
        if (connections >= MAX_CONNECTIONS) {
            fallback.run();
            return;
        }
        connections++;
        host.config().setAutoRead(false);
        sockets.take().whenComplete((fd, error) -> loop.execute(() -> {
            if (error != null) {
                connections--;
                fallback(host, fallback);
            } else {
                connectWith(fd, host, port, fallback);
            }
        }));
    }

    private void connectWith(Fd fd, Channel host, int port, Runnable fallback) {
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
                .connect(new InetSocketAddress(NamespaceForwards.loopback(), port));
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
        if (host.isOpen()) {
            fallback.run();
        }
    }
}
