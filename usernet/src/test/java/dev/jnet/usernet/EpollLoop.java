package dev.jnet.usernet;

import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** A real one-thread Netty epoll event loop for tests that need real host sockets. */
public final class EpollLoop implements AutoCloseable {
    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, KeepRegisteredEpollIoHandler.newFactory());
    public final IoEventLoop loop = (IoEventLoop) group.next();
    public final EventLoopScheduler scheduler = new EventLoopScheduler(loop);

    /** Runs {@code task} on the loop and waits for its result. */
    public <T> T call(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    /** Runs {@code task} on the loop and waits for it. */
    public void run(Runnable task) throws Exception {
        loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }
}
