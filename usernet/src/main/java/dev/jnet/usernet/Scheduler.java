package dev.jnet.usernet;

/**
 * The one thread that owns a stack's state, and its clock. Production: a Netty event loop
 * ({@link EventLoopScheduler}); tests: {@code ManualScheduler}, a virtual clock advanced by
 * hand, so timer behaviour (RTO, idle timeouts, TIME_WAIT) is tested without sleeping.
 *
 * <p>Every method must be called on the owning thread, except {@link #execute}.
 */
public interface Scheduler {
    /** Monotonic time in nanoseconds (virtual in tests). */
    long nanoTime();

    /** Runs {@code task} once after {@code delayNanos} on the owning thread. */
    Timer schedule(Runnable task, long delayNanos);

    /** Runs {@code task} soon on the owning thread; may be called from any thread. */
    void execute(Runnable task);

    /**
     * Runs {@code task} on the owning thread once the I/O events of the loop's current wake-up are
     * handled, before its other tasks: the place for work done once per wake-up (a stack's
     * end-of-batch flush). Outside the handling of I/O events, and by default (a loop without
     * that place, a virtual clock): {@link #execute}.
     */
    default void executeAfterIo(Runnable task) {
        execute(task);
    }

    /** @return whether the caller is the owning thread */
    boolean inLoop();

    /** A pending scheduled task. */
    interface Timer {
        /** Cancels the task if it has not run yet; idempotent. */
        void cancel();
    }
}
