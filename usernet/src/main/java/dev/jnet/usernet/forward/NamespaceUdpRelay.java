package dev.jnet.usernet.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The namespace's UDP socket: each client's datagrams go out of a host socket of its own,
 * connected to the host's loopback port; what comes back is sent to that client.
 */
final class NamespaceUdpRelay extends ChannelInboundHandlerAdapter {
    private final NamespaceForwards owner;
    private final EventLoop loop;
    private final Channel nsSocket;
    private final int hostPort;
    private final Map<InetSocketAddress, Flow> flows = new HashMap<>();
    private ScheduledFuture<?> sweep;

    NamespaceUdpRelay(NamespaceForwards owner, Channel nsSocket, int hostPort) {
        this.owner = owner;
        this.loop = owner.loop();
        this.nsSocket = nsSocket;
        this.hostPort = hostPort;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sweep = loop.scheduleAtFixedRate(this::closeIdle, NamespaceForwards.UDP_SWEEP_SECONDS,
                NamespaceForwards.UDP_SWEEP_SECONDS, TimeUnit.SECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket p = (DatagramPacket) msg;
        try {
            Flow flow = flows.get(p.sender());
            if (flow == null) {
                flow = open(p.sender());
            }
            if (flow != null) {
                flow.send(p.content());
            }
        } finally {
            p.release();
        }
    }

    /** A host socket for a new client, or null (too many flows, or no socket). */
    private Flow open(InetSocketAddress client) {
        if (!owner.reserve()) {
            return null;
        }
        Channel host = new EpollDatagramChannel(SocketProtocolFamily.INET);
        host.config().setOption(ChannelOption.RCVBUF_ALLOCATOR, NamespaceForwards.datagrams());
        host.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, NamespaceForwards.UDP_WATER_MARK);
        host.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                DatagramPacket reply = (DatagramPacket) msg;
                if (nsSocket.isWritable()) {
                    nsSocket.writeAndFlush(new DatagramPacket(reply.content().retain(), client), nsSocket.voidPromise());
                }
                reply.release();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // ECONNREFUSED from an earlier send (nothing on the host's port): the flow lives on
            }
        });
        ChannelPromise ready = host.newPromise();
        loop.register(host).addListener((ChannelFutureListener) r -> {
            if (!r.isSuccess()) {
                ready.setFailure(r.cause());
                return;
            }
            host.connect(new InetSocketAddress(NamespaceForwards.loopback(), hostPort)).addListener((ChannelFutureListener) c -> {
                if (c.isSuccess()) {
                    ready.setSuccess();
                } else {
                    ready.setFailure(c.cause());
                    host.close();
                }
            });
        });
        Flow flow = new Flow(host, ready);
        flows.put(client, flow);
        host.closeFuture().addListener(f -> {
            flows.remove(client, flow);
            owner.release();
        });
        return flow;
    }

    private void closeIdle() {
        long now = System.nanoTime();
        List<Flow> idle = new ArrayList<>();
        for (Flow f : flows.values()) {
            if (now - f.lastUsed > TimeUnit.SECONDS.toNanos(NamespaceForwards.UDP_IDLE_SECONDS)) {
                idle.add(f);
            }
        }
        idle.forEach(f -> f.host.close());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (sweep != null) {
            sweep.cancel(false);
        }
        new ArrayList<>(flows.values()).forEach(f -> f.host.close());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a failed send to a namespace client that went: the socket lives on
    }

    /** One namespace client's host socket (connected once {@code ready}) and when it last sent. */
    private static final class Flow {
        final Channel host;
        final ChannelFuture ready;
        long lastUsed = System.nanoTime();

        Flow(Channel host, ChannelFuture ready) {
            this.host = host;
            this.ready = ready;
        }

        /** Sends {@code payload} (not consumed) to the host's port; dropped while the send buffer is full. */
        void send(ByteBuf payload) {
            lastUsed = System.nanoTime();
            if (ready.isSuccess()) {
                if (host.isWritable()) {
                    host.writeAndFlush(payload.retain(), host.voidPromise());
                }
            } else if (!ready.isDone()) {
                ByteBuf held = payload.retain(); // the first datagrams of a flow wait for its connect
                ready.addListener(f -> {
                    if (f.isSuccess() && host.isWritable()) {
                        host.writeAndFlush(held, host.voidPromise());
                    } else {
                        held.release();
                    }
                });
            }
        }
    }
}
