package dev.jnet.usernet.forward;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * One direction of a relay between two sockets of this process (pasta's "splice"): what one
 * channel reads is written to {@code peer}; it reads again only while the peer can take it,
 * and its end closes the peer once what was written has gone out.
 */
final class Splice extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Splice(Channel peer) {
        this.peer = peer;
    }

    /** Relays {@code a} and {@code b} both ways (both registered, not auto-reading) and starts reading. */
    static void join(Channel a, Channel b) {
        a.pipeline().addLast(new Splice(b));
        b.pipeline().addLast(new Splice(a));
        a.read();
        b.read();
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
    public void channelInactive(ChannelHandlerContext ctx) {
        // what was written to the peer still goes out before it closes
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
