package dev.jnet.it.usernet.daemon;

import dev.jnet.usernet.EventLoopScheduler;
import dev.jnet.usernet.StackFactory;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.link.FrameSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * The built-in stack, except that a frame carrying {@link #MAGIC} makes it throw: a stand-in
 * for a bug in one namespace's pipeline. Loaded by jnet usernetd through
 * {@code -Djnet.usernet.stack=} this class (the test's classes on its class path).
 */
public final class ThrowingStack implements StackFactory {
    /** What a guest sends (in a UDP datagram, say) to make its own stack throw. */
    public static final String MAGIC = "jnet-test-make-the-stack-throw";
    private static final ByteBuf NEEDLE = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(MAGIC.getBytes(StandardCharsets.US_ASCII)));

    @Override
    public Attached create(UsernetConfig config, EventLoopScheduler scheduler, FrameSink sink) {
        Attached inner = StackFactory.builtIn().create(config, scheduler, sink);
        return new Attached(frame -> {
            if (ByteBufUtil.indexOf(NEEDLE, frame) >= 0) {
                frame.release();
                throw new IllegalStateException("test: a frame that makes this stack throw");
            }
            inner.frames().receiveFrame(frame);
        }, inner.stop(), inner.stats(), inner.forwarding(), inner.flows());
    }
}
