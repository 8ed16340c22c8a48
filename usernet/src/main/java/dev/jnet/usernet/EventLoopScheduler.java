package dev.jnet.usernet;

import io.netty.channel.EventLoop;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler} on a Netty event loop: the production owner of a stack's state. */
public final class EventLoopScheduler implements Scheduler {
    private final EventLoop loop;
    /** the loop's after-I/O queue ({@link KeepRegisteredEpollIoHandler#afterIo}), or its execute */
    private final java.util.function.Consumer<Runnable> afterIo;
    /** the loop's wake-up clock ({@link KeepRegisteredEpollIoHandler#clock}) */
    private final java.util.function.LongSupplier clock;

    public EventLoopScheduler(EventLoop loop) {
        this.loop = loop;
        this.afterIo = KeepRegisteredEpollIoHandler.afterIo(loop);
        this.clock = KeepRegisteredEpollIoHandler.clock(loop);
    }

    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public long nanoTime() {
        return clock.getAsLong();
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = loop.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    @Override
    public void executeAfterIo(Runnable task) {
        afterIo.accept(task);
    }

    @Override
    public boolean inLoop() {
        return loop.inEventLoop();
    }
}
