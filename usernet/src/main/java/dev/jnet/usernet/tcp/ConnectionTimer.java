package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;
import java.util.function.LongConsumer;

/**
 * A connection's one timer (retransmission, persist, SYN retry, TIME_WAIT), lazily re-armed:
 * the deadline moves freely, the scheduled task follows it. Moving the deadline later costs
 * nothing; the task finds it not yet due and schedules itself again.
 */
final class ConnectionTimer implements Runnable {
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final Scheduler scheduler;
    /** called with the current time when the deadline has passed */
    private final LongConsumer expired;
    private long deadline = NO_DEADLINE;
    private Scheduler.Timer task;
    private long taskDue;

    ConnectionTimer(Scheduler scheduler, LongConsumer expired) {
        this.scheduler = scheduler;
        this.expired = expired;
    }

    long now() {
        return scheduler.nanoTime();
    }

    /** Expires at {@code at} (nanoTime), replacing any earlier deadline. */
    void arm(long at) {
        deadline = at;
        if (task == null || taskDue > at) {
            if (task != null) {
                task.cancel();
            }
            taskDue = at;
            task = scheduler.schedule(this, at - scheduler.nanoTime());
        }
    }

    /** Forgets the deadline: the scheduled task finds nothing due and lapses. */
    void disarm() {
        deadline = NO_DEADLINE;
    }

    boolean armed() {
        return deadline != NO_DEADLINE;
    }

    /** Disarms and cancels the scheduled task (the connection is gone). */
    void cancel() {
        if (task != null) {
            task.cancel();
            task = null;
        }
        deadline = NO_DEADLINE;
    }

    @Override
    public void run() {
        task = null;
        if (deadline == NO_DEADLINE) {
            return;
        }
        long now = scheduler.nanoTime();
        if (now < deadline) {
            taskDue = deadline;
            task = scheduler.schedule(this, deadline - now);
            return;
        }
        deadline = NO_DEADLINE;
        expired.accept(now);
    }
}
