package dev.jnet.usernet;

import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * A virtual clock for tests: time moves only through {@link #advance}/{@link #runUntilIdle},
 * which run due tasks in time order on the calling thread. No wall-clock sleeps anywhere.
 */
public final class ManualScheduler implements Scheduler {
    private final PriorityQueue<Task> timers = new PriorityQueue<>();
    private final ArrayDeque<Runnable> immediate = new ArrayDeque<>();
    private long now;
    private long order;

    private final class Task implements Timer, Comparable<Task> {
        final long due;
        final long seq = order++;
        final Runnable body;
        boolean cancelled;

        Task(long due, Runnable body) {
            this.due = due;
            this.body = body;
        }

        @Override
        public void cancel() {
            cancelled = true;
            timers.remove(this);
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + Math.max(0, delayNanos), task);
        timers.add(t);
        return t;
    }

    @Override
    public void execute(Runnable task) {
        immediate.add(task);
    }

    @Override
    public boolean inLoop() {
        return true;
    }

    /** Runs queued immediate tasks and timers due now. */
    public void runPending() {
        advance(0);
    }

    /** Moves the clock forward by {@code nanos}, running every task that falls due, in order. */
    public void advance(long nanos) {
        long target = now + nanos;
        while (true) {
            Runnable r = immediate.poll();
            if (r != null) {
                r.run();
                continue;
            }
            Task t = timers.peek();
            if (t == null || t.due > target) {
                break;
            }
            timers.poll();
            now = Math.max(now, t.due);
            if (!t.cancelled) {
                t.body.run();
            }
        }
        now = target;
    }

    /** Number of timers still pending. */
    public int pendingTimers() {
        return timers.size();
    }
}
