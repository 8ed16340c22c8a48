package dev.jnet.bench.usernet;

import dev.jnet.usernet.Scheduler;
import java.util.ArrayDeque;

/**
 * The benchmark thread as the stack's owning thread: {@link #execute}d tasks (the stack's
 * end-of-batch flush) run when the benchmark calls {@link #runPending}, as the event loop runs
 * them after an I/O batch; timers are never due (every segment is acknowledged at once, so no
 * retransmission timer may fire) and are only counted.
 */
final class InlineScheduler implements Scheduler {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    long timersScheduled;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        timersScheduled++;
        return () -> { };
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    @Override
    public boolean inLoop() {
        return true;
    }

    /** Runs what the stack queued (and what those tasks queue), like the loop after an I/O batch. */
    void runPending() {
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
        }
    }
}
