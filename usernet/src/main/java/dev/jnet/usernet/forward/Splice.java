package dev.jnet.usernet.forward;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * One direction of a relay between two sockets of this process (pasta's "splice"): what one
 * channel reads is written to {@code peer}; it reads again only while the peer can take it.
 * Half-closes pass through as TCP's do: this side's EOF shuts the peer's output once what was
 * written has gone out (a client that sends its request and half-closes still reads the
 * answer), and a socket is closed when both its directions have ended; a reset or an error
 * closes both.
 */
final class Splice extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Splice(Channel peer) {
        this.peer = peer;
    }

    /**
     * Keeps what {@code ch} (registered, not auto-reading) reads until it is joined or {@link
     * #unhold unheld}, and a client's EOF as a half-close: Netty's epoll channels read on
     * EPOLLRDHUP even with auto-read off, so a client that sends and half-closes at once would
     * otherwise lose its bytes, or end the connection, while the other side is being made.
     * Bounded by one read loop (Netty reads at most {@code maxMessagesPerRead} buffers per event).
     */
    static void hold(Channel ch) {
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ch.pipeline().addLast(HOLD, new Hold());
    }

    /**
     * Stops holding {@code ch}'s reads (for another use of it); what to run, on its loop, once
     * that use's handlers are in place: it hands them what was held, then the EOF if one came.
     */
    static Runnable unhold(Channel ch) {
        Hold hold = (Hold) ch.pipeline().remove(HOLD);
        return () -> {
            for (Object m : hold.held) {
                ch.pipeline().fireChannelRead(m);
            }
            if (!hold.held.isEmpty()) {
                ch.pipeline().fireChannelReadComplete();
            }
            hold.held.clear();
            if (ch instanceof DuplexChannel d && d.isInputShutdown()) {
                ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
        };
    }

    /**
     * Relays {@code a} and {@code b} both ways (both registered, not auto-reading; either may
     * be {@link #hold held}: what it held goes first) and starts reading.
     */
    static void join(Channel a, Channel b) {
        a.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        b.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        a.pipeline().addLast(new Splice(b));
        b.pipeline().addLast(new Splice(a));
        for (Channel ch : new Channel[] {a, b}) {
            if (ch.pipeline().get(HOLD) != null) {
                unhold(ch).run(); // its EOF, if it came, ends the relay of what it held
            }
            if (!(ch instanceof DuplexChannel d && d.isInputShutdown())) {
                ch.read();
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        peer.write(msg, peer.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        if (peer.isWritable()) {
            ctx.channel().read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && peer.isActive()) {
            peer.read(); // our buffer drained: the peer may read into it again
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channel self = ctx.channel();
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
                if (peer instanceof DuplexChannel d && written.isSuccess() && d.isActive()) {
                    d.shutdownOutput().addListener(shut -> {
                        closeIfEnded(d);
                        closeIfEnded(self);
                    });
                } else {
                    peer.close();
                }
            });
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Closes {@code ch} once it neither reads nor writes any more. */
    private static void closeIfEnded(Channel ch) {
        if (ch instanceof DuplexChannel d && d.isInputShutdown() && d.isOutputShutdown()) {
            d.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // what was written to the peer still goes out before it closes
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static final String HOLD = "jnet-splice-hold";

    /** What a channel read before its splice: kept, in order (see {@link #hold}). */
    private static final class Hold extends ChannelInboundHandlerAdapter {
        final List<Object> held = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            held.add(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // nothing more until joined
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            ReferenceCountUtil.release(evt); // the EOF: isInputShutdown() keeps it for the join
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            release();
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            // what unhold() took is handed on by its replay; a channel closed before that drops it
            ctx.channel().closeFuture().addListener(f -> release());
        }

        private void release() {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
    }
}
