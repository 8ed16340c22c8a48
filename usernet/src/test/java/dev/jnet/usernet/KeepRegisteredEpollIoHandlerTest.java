package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * Registrations on a pipe: an empty interest set in between must not lose the fd from epoll
 * (Netty 4.2.18 does), and a hung-up fd without interest must not keep waking the loop.
 */
class KeepRegisteredEpollIoHandlerTest {

    @Test
    void anInterestAfterAnEmptySetStillFires() throws Exception {
        try (Pipe pipe = new Pipe(KeepRegisteredEpollIoHandler.newFactory())) {
            IoRegistration reg = pipe.register(pipe.write);
            CompletableFuture<Integer> writable = pipe.handle.nextEvent();
            pipe.submit(reg, EpollIoOps.EPOLLOUT);
            writable.get(5, TimeUnit.SECONDS); // the handle then drops its interest
            CompletableFuture<Integer> again = pipe.handle.nextEvent();
            pipe.submit(reg, EpollIoOps.EPOLLOUT);
            assertThat(again.get(5, TimeUnit.SECONDS) & EpollIoOps.EPOLLOUT.value()).isNotZero();
        }
    }

    /** Why the wrapper exists: if this starts failing, Netty fixed it and the wrapper can go. */
    @Test
    void nettysOwnHandlerLosesTheFdAfterAnEmptyInterestSet() throws Exception {
        try (Pipe pipe = new Pipe(EpollIoHandler.newFactory())) {
            IoRegistration reg = pipe.register(pipe.write);
            CompletableFuture<Integer> writable = pipe.handle.nextEvent();
            pipe.submit(reg, EpollIoOps.EPOLLOUT);
            writable.get(5, TimeUnit.SECONDS);
            assertThatThrownBy(() -> pipe.submit(reg, EpollIoOps.EPOLLOUT))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("No such file or directory");
        }
    }

    @Test
    void aHungUpFdWithoutInterestStaysQuiet() throws Exception {
        try (Pipe pipe = new Pipe(KeepRegisteredEpollIoHandler.newFactory())) {
            IoRegistration reg = pipe.register(pipe.read);
            pipe.submit(reg, EpollIoOps.EPOLLIN);
            CompletableFuture<Integer> hangUp = pipe.handle.nextEvent();
            pipe.write.close(); // the read end now reports EPOLLIN|EPOLLHUP for good
            hangUp.get(5, TimeUnit.SECONDS);
            // level-triggered, a standing EPOLLHUP would wake every one of these ticks
            for (int tick = 0; tick < 20; tick++) {
                pipe.loop.schedule(() -> { }, 1, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
            }
            assertThat(pipe.handle.events).isLessThanOrEqualTo(2); // the hang-up, at most once more on parking
        }
    }

    @Test
    void afterIoTasksRunWhenTheWakeUpsIoIsHandledAheadOfTheLoopsQueue() throws Exception {
        try (Pipe pipe = new Pipe(KeepRegisteredEpollIoHandler.newFactory())) {
            List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> done = new CompletableFuture<>();
            Consumer<Runnable> afterIo = KeepRegisteredEpollIoHandler.afterIo(pipe.loop);
            pipe.handle.onEvent = () -> {
                pipe.loop.execute(() -> order.add("queued task"));
                afterIo.accept(() -> {
                    order.add("after-I/O task");
                    afterIo.accept(() -> {
                        order.add("one it queued");
                        done.complete(null);
                    });
                });
                afterIo.accept(() -> {
                    throw new IllegalStateException("a failing after-I/O task (expected in this test's log)");
                });
                afterIo.accept(() -> order.add("after the failing one"));
                order.add("event");
            };
            IoRegistration reg = pipe.register(pipe.write);
            pipe.submit(reg, EpollIoOps.EPOLLOUT);
            done.get(5, TimeUnit.SECONDS);
            assertThat(order).as("what an after-I/O task queues waits in Netty's queue").containsExactly("event",
                    "after-I/O task", "after the failing one", "queued task", "one it queued");
        }
    }

    /**
     * Netty does not see the after-I/O queue: a task queued outside the I/O phase (by a task, a
     * timer) goes to Netty's queue, in order with the tasks queued after it, and does not wait
     * for the next wake-up's I/O (up to a second of sleep when nothing else is due).
     */
    @Test
    void anAfterIoTaskQueuedByATaskOrATimerRunsInOrderWithTheLoopsTasks() throws Exception {
        try (Pipe pipe = new Pipe(KeepRegisteredEpollIoHandler.newFactory())) {
            Consumer<Runnable> afterIo = KeepRegisteredEpollIoHandler.afterIo(pipe.loop);
            List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> fromTask = new CompletableFuture<>();
            pipe.loop.execute(() -> {
                afterIo.accept(() -> order.add("after-I/O task of a task"));
                pipe.loop.execute(() -> {
                    order.add("task queued next");
                    fromTask.complete(null);
                });
            });
            fromTask.get(5, TimeUnit.SECONDS);
            CompletableFuture<Void> fromTimer = new CompletableFuture<>();
            pipe.loop.schedule(() -> {
                afterIo.accept(() -> order.add("after-I/O task of a timer"));
                pipe.loop.execute(() -> {
                    order.add("task queued next");
                    fromTimer.complete(null);
                });
            }, 1, TimeUnit.MILLISECONDS);
            fromTimer.get(5, TimeUnit.SECONDS);
            assertThat(order).containsExactly("after-I/O task of a task", "task queued next",
                    "after-I/O task of a timer", "task queued next");
        }
    }

    @Test
    void aLoopWithoutTheQueueOrAnotherThreadGetsTheLoopsOwnQueue() throws Exception {
        try (Pipe pipe = new Pipe(EpollIoHandler.newFactory())) {
            CompletableFuture<Boolean> ran = new CompletableFuture<>();
            KeepRegisteredEpollIoHandler.afterIo(pipe.loop).accept(() -> ran.complete(pipe.loop.inEventLoop()));
            assertThat(ran.get(5, TimeUnit.SECONDS)).as("run on the loop").isTrue();
        }
        try (Pipe pipe = new Pipe(KeepRegisteredEpollIoHandler.newFactory())) {
            CompletableFuture<Boolean> ran = new CompletableFuture<>();
            KeepRegisteredEpollIoHandler.afterIo(pipe.loop).accept(() -> ran.complete(pipe.loop.inEventLoop()));
            assertThat(ran.get(5, TimeUnit.SECONDS)).as("queued from the test's thread, run on the loop").isTrue();
        }
    }

    @Test
    void theClockHoldsStillThroughAWakeUpsIoAndAfterIoTasksAndMovesOnAtTheNextWakeUp() throws Exception {
        try (Pipe pipe = new Pipe(KeepRegisteredEpollIoHandler.newFactory())) {
            LongSupplier clock = KeepRegisteredEpollIoHandler.clock(pipe.loop);
            Consumer<Runnable> afterIo = KeepRegisteredEpollIoHandler.afterIo(pipe.loop);
            long[] at = new long[5];
            CompletableFuture<Void> done = new CompletableFuture<>();
            pipe.handle.onEvent = () -> {
                long before = System.nanoTime();
                at[0] = clock.getAsLong();
                sleepMillis(3);
                at[1] = clock.getAsLong();
                afterIo.accept(() -> {
                    sleepMillis(3);
                    at[2] = clock.getAsLong();
                    pipe.loop.execute(() -> {
                        at[3] = clock.getAsLong(); // a task: the clock itself
                        done.complete(null);
                    });
                });
                if (at[0] < before) {
                    done.completeExceptionally(new AssertionError("read before the event, not at its first use"));
                }
            };
            IoRegistration reg = pipe.register(pipe.write);
            pipe.submit(reg, EpollIoOps.EPOLLOUT);
            done.get(5, TimeUnit.SECONDS);
            assertThat(at[1]).as("later in the same event").isEqualTo(at[0]);
            assertThat(at[2]).as("an after-I/O task of the same wake-up").isEqualTo(at[0]);
            assertThat(at[3] - at[0]).as("a task after the wake-up").isGreaterThanOrEqualTo(6_000_000L);

            CompletableFuture<Long> second = new CompletableFuture<>();
            pipe.handle.onEvent = () -> second.complete(clock.getAsLong());
            pipe.submit(reg, EpollIoOps.EPOLLOUT);
            assertThat(second.get(5, TimeUnit.SECONDS)).as("the next wake-up").isGreaterThan(at[3]);

            long t0 = clock.getAsLong();
            sleepMillis(2);
            assertThat(clock.getAsLong() - t0).as("another thread").isGreaterThanOrEqualTo(2_000_000L);
        }
    }

    @Test
    void aLoopWithoutTheWakeUpClockGetsTheSystemsClock() throws Exception {
        try (Pipe pipe = new Pipe(EpollIoHandler.newFactory())) {
            LongSupplier clock = KeepRegisteredEpollIoHandler.clock(pipe.loop);
            long[] at = new long[2];
            CompletableFuture<Void> done = new CompletableFuture<>();
            pipe.handle.onEvent = () -> {
                at[0] = clock.getAsLong();
                sleepMillis(2);
                at[1] = clock.getAsLong();
                done.complete(null);
            };
            pipe.submit(pipe.register(pipe.write), EpollIoOps.EPOLLOUT);
            done.get(5, TimeUnit.SECONDS);
            assertThat(at[1] - at[0]).isGreaterThanOrEqualTo(2_000_000L);
        }
    }

    /**
     * Netty times every wake-up's I/O of a loop it may suspend (one that may change threads), for
     * its auto-scaling: clock reads on every wake-up for a feature nothing here uses.
     */
    @Test
    void loopsAreNotOnesNettyMaySuspend() {
        assertThat(KeepRegisteredEpollIoHandler.newFactory().isChangingThreadSupported()).isFalse();
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A pipe and a one-thread loop with the handler under test. */
    private static final class Pipe implements AutoCloseable {
        final MultiThreadIoEventLoopGroup group;
        final IoEventLoop loop;
        final FileDescriptor read;
        final FileDescriptor write;
        final CountingHandle handle = new CountingHandle();

        Pipe(IoHandlerFactory factory) throws Exception {
            Epoll.ensureAvailability();
            group = new MultiThreadIoEventLoopGroup(1, factory);
            loop = (IoEventLoop) group.next();
            FileDescriptor[] fds = FileDescriptor.pipe();
            read = fds[0];
            write = fds[1];
        }

        IoRegistration register(FileDescriptor fd) throws Exception {
            handle.fd = fd;
            handle.registration = loop.register(handle).get(5, TimeUnit.SECONDS);
            return handle.registration;
        }

        void submit(IoRegistration reg, EpollIoOps ops) throws Exception {
            loop.submit(() -> reg.submit(ops)).get(5, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            read.close();
            write.close();
        }
    }

    /** Counts events and drops its interest at each, like a channel that got what it waited for. */
    private static final class CountingHandle implements EpollIoHandle {
        volatile FileDescriptor fd;
        /** the registration register returned (the argument of handle is Netty's own) */
        volatile IoRegistration registration;
        volatile int events;
        /** run at each event, on the loop (null: nothing) */
        volatile Runnable onEvent;
        private volatile CompletableFuture<Integer> next = new CompletableFuture<>();

        CompletableFuture<Integer> nextEvent() {
            CompletableFuture<Integer> f = new CompletableFuture<>();
            next = f;
            return f;
        }

        @Override
        public FileDescriptor fd() {
            return fd;
        }

        @Override
        public void handle(IoRegistration netty, IoEvent event) {
            events++;
            registration.submit(EpollIoOps.NONE);
            if (onEvent != null) {
                onEvent.run();
            }
            next.complete(((EpollIoEvent) event).ops().value());
        }

        @Override
        public void close() {
        }
    }
}
