package dev.jnet.usernet;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Netty's {@link EpollIoHandler} with its registrations kept in the epoll set while their
 * interest set is empty. Netty 4.2.18 deletes an fd from epoll when its interest set becomes
 * empty ({@code EPOLL_CTL_DEL}) but still treats it as added, so the next interest is an
 * {@code EPOLL_CTL_MOD} that fails with ENOENT. For a host socket whose peer half-closed first
 * (input shut down: no EPOLLIN, no EPOLLRDHUP) that next interest is EPOLLOUT when the socket
 * buffer fills: Netty then shuts the output down and fails every queued write, so the host
 * gets a FIN early and the guest a reset. Here an empty interest set becomes an edge-triggered
 * registration without events instead: a hung-up socket reports EPOLLHUP once per state change,
 * it cannot spin the loop, and the next interest is a plain modification again.
 *
 * <p>Netty hands its own registration to {@code IoHandle.handle}; handles submit through the
 * one {@code register} returned (Netty's channels, TapLink, PingSocket and FdWatch all do).
 *
 * <p>It also keeps the loop's after-I/O queue ({@link #afterIo}): tasks queued while the loop
 * handles a wake-up's I/O events run when that is done, where the first of Netty's tasks would
 * run, but without Netty's task queue (an MPSC offer and poll, and the bookkeeping around
 * running tasks, for the stack's two per-wake-up tasks of a round trip). A task queued at any
 * other time (from a task or a timer, or another thread) goes to Netty's queue: Netty does not
 * see ours, and would sleep with it full.
 *
 * <p>And the loop's wake-up clock ({@link #clock}): {@code System.nanoTime()} read once per
 * wake-up, at its first use after the wait, for everything the wake-up's I/O events and
 * after-I/O tasks do (as Linux's TCP reads its clock once per packet batch, {@code tcp_mstamp}):
 * a 1-byte round trip read the clock ~5 times in the stack alone, each an
 * {@code lfence; rdtsc} on a VM. Everything of one wake-up then happens at the instant the
 * wake-up began: a deadline set from it comes no later than intended, and an RTT sample is off
 * by at most the time a wake-up took before its send or its ACK. Timers and tasks, and other
 * threads, read {@code System.nanoTime()} itself.
 */
public final class KeepRegisteredEpollIoHandler implements IoHandler {
    private static final InternalLogger LOG = InternalLoggerFactory.getInstance(KeepRegisteredEpollIoHandler.class);
    /** the handlers of live loops, by loop ({@link #afterIo} finds a loop's queue here) */
    private static final Map<Executor, KeepRegisteredEpollIoHandler> BY_LOOP = new ConcurrentHashMap<>();
    private final IoHandler epoll;
    private final ThreadAwareExecutor loop;
    /** tasks for the end of this wake-up's I/O: touched by the loop's thread only */
    private final ArrayDeque<Runnable> afterIo = new ArrayDeque<>();
    /** the loop's thread is in {@link #run}: waiting for or handling I/O events */
    private boolean inIo;
    /** the loop's thread is in {@link #run} or its after-I/O tasks: {@link #clock} holds still */
    private boolean inWakeUp;
    /** the loop's thread, from its first {@link #run} */
    private Thread ioThread;
    /** this wake-up's time: {@link #wakeUpNanosRead} says whether it was read yet */
    private long wakeUpNanos;
    private boolean wakeUpNanosRead;

    private KeepRegisteredEpollIoHandler(IoHandler epoll, ThreadAwareExecutor loop) {
        this.epoll = epoll;
        this.loop = loop;
    }

    /**
     * Where {@code loop} takes after-I/O tasks: its handler's queue when the loop runs one of
     * these (made by {@link #newFactory}), else its own task queue ({@link Executor#execute}).
     */
    public static Consumer<Runnable> afterIo(Executor loop) {
        KeepRegisteredEpollIoHandler h = BY_LOOP.get(loop);
        return h == null ? loop::execute : h::runAfterIo;
    }

    /**
     * {@code loop}'s clock in nanoseconds: one {@code System.nanoTime()} per wake-up on the loop's
     * thread while it handles I/O and after-I/O tasks, {@code System.nanoTime()} at any other time
     * or thread, and for a loop not made by {@link #newFactory}.
     */
    public static LongSupplier clock(Executor loop) {
        KeepRegisteredEpollIoHandler h = BY_LOOP.get(loop);
        return h == null ? System::nanoTime : h::wakeUpNanoTime;
    }

    private long wakeUpNanoTime() {
        if (inWakeUp && Thread.currentThread() == ioThread) {
            if (!wakeUpNanosRead) {
                wakeUpNanos = System.nanoTime();
                wakeUpNanosRead = true;
            }
            return wakeUpNanos;
        }
        return System.nanoTime();
    }

    /** Queues {@code task} for the end of this wake-up's I/O; outside the I/O phase, on Netty's queue. */
    private void runAfterIo(Runnable task) {
        if (loop.isExecutorThread(Thread.currentThread()) && inIo) {
            afterIo.add(task);
        } else {
            loop.execute(task);
        }
    }

    /** Runs the after-I/O tasks in order (those they queue go to Netty's); a throwing one is logged, as Netty's are. */
    private void drainAfterIo() {
        Runnable task;
        while ((task = afterIo.poll()) != null) {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.warn("An after-I/O task raised an exception. Task: {}", task, t);
            }
        }
    }

    /** The factory for event loops ({@code new MultiThreadIoEventLoopGroup(n, newFactory())}). */
    public static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                KeepRegisteredEpollIoHandler h = new KeepRegisteredEpollIoHandler(epoll.newHandler(executor), executor);
                BY_LOOP.put(executor, h);
                return h;
            }

            /**
             * No: a loop that may change threads is one Netty may suspend, and such a loop times
             * every wake-up's I/O for its auto-scaling (three of the twelve clock reads per wake-up
             * of a 1-byte round trip) although nothing here ever suspends one.
             */
            @Override
            public boolean isChangingThreadSupported() {
                return false;
            }
        };
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        ioThread = Thread.currentThread();
        wakeUpNanosRead = false; // read at its first use: after the wait
        inWakeUp = true;
        inIo = true;
        try {
            return epoll.run(context);
        } finally {
            inIo = false;
            try {
                if (!afterIo.isEmpty()) {
                    drainAfterIo(); // also after an event threw: what the others queued still runs
                }
            } finally {
                inWakeUp = false;
            }
        }
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        BY_LOOP.remove(loop, this);
        drainAfterIo(); // normally empty (run() drains it); the loop's own queue refuses tasks by now
        epoll.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new Registration(epoll.register(handle));
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }

    /** Netty's registration, never asked for an empty interest set once the fd is in epoll. */
    private static final class Registration implements IoRegistration {
        private final IoRegistration epoll;
        /** Netty added the fd to epoll (it does so at the first non-empty interest set) */
        private boolean added;
        /** the fd sits in epoll without events: another empty interest set changes nothing */
        private boolean parked;

        Registration(IoRegistration epoll) {
            this.epoll = epoll;
        }

        @Override
        public <T> T attachment() {
            return epoll.attachment();
        }

        @Override
        public synchronized long submit(IoOps ops) {
            boolean empty = ((EpollIoOps) ops).value() == EpollIoOps.NONE.value();
            if (empty && added) {
                if (parked) {
                    return 0; // a modification would report a standing EPOLLHUP once more
                }
                // stays registered: EPOLLERR and EPOLLHUP are implied, edge-triggered they fire once
                long result = epoll.submit(EpollIoOps.EPOLLET);
                parked = result != -1;
                return result == -1 ? -1 : 0;
            }
            long result = epoll.submit(ops);
            if (!empty && result != -1) { // -1: cancelled
                added = true;
                parked = false;
            }
            return result;
        }

        @Override
        public boolean isValid() {
            return epoll.isValid();
        }

        @Override
        public boolean cancel() {
            return epoll.cancel();
        }
    }
}
