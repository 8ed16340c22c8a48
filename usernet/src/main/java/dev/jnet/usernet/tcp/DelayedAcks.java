package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;

/**
 * The stack's delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 4.2): connections whose owed ACK may
 * wait up to {@link #DELAY_NANOS} for a data segment of ours to carry it. One list for all
 * connections, linked through the connections themselves (each in it at most once, O(1) in and
 * out, bounded by the connection table): every delay is the same, so the list is in deadline
 * order and one scheduled task, at the head's deadline, serves them all.
 *
 * <p>Why: in a request/response exchange every request would otherwise cost a pure ACK frame
 * to the guest (a write on the tap, and the guest's kernel taking it) right before the answer
 * that acknowledges it anyway; libslirp delays the same way (its 2 ms fast timer). A
 * connection leaves the list as soon as its ACK goes out on a segment, and the task is cancelled
 * when the list empties: a short timeout pending while the loop sleeps costs a timer
 * reprogramming per sleep (on a VM, an exit to the hypervisor each), more than the frame saved.
 */
final class DelayedAcks implements Runnable {
    /**
     * How long an ACK waits for our answer: far below the guest's RTO (200 ms minimum on Linux,
     * whose tail loss probe allows for a peer's delayed ACK) and RFC 5681's 500 ms, and a quarter of
     * what a guest whose Nagle holds its next small segment until this ACK waits for a Linux peer
     * (40 ms). Not shorter: while the task is pending the loop sleeps with its timeout, and one
     * earlier than the kernel's next tick (4 ms at HZ=250, 10 ms at HZ=100) reprograms the timer at
     * every sleep and wake-up; at 1 ms that cost the stack ~2 us of CPU per 1-byte round trip on a
     * 1-CPU VM, more than the frame saved (bench/results/2026-12-07-delayed-ack.md).
     */
    static final long DELAY_NANOS = 10_000_000L;

    private final Scheduler scheduler;
    private TcpConnection head;
    private TcpConnection tail;
    private int size;
    private Scheduler.Timer task;

    DelayedAcks(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** {@code c}'s ACK waits, at most {@link #DELAY_NANOS} from now (no later than it waited already). */
    void delay(TcpConnection c) {
        if (c.ackDelayQueued) {
            return;
        }
        c.ackDelayQueued = true;
        c.ackDue = scheduler.nanoTime() + DELAY_NANOS;
        c.ackPrev = tail;
        c.ackNext = null;
        if (tail == null) {
            head = c;
        } else {
            tail.ackNext = c;
        }
        tail = c;
        size++;
        if (task == null) {
            task = scheduler.schedule(this, DELAY_NANOS);
        }
    }

    /** {@code c}'s ACK went out (or it is gone): it leaves the list; the last one out cancels the task. */
    void remove(TcpConnection c) {
        if (!c.ackDelayQueued) {
            return;
        }
        unlink(c);
        if (head == null && task != null) {
            task.cancel();
            task = null;
        }
    }

    private void unlink(TcpConnection c) {
        if (c.ackPrev == null) {
            head = c.ackNext;
        } else {
            c.ackPrev.ackNext = c.ackNext;
        }
        if (c.ackNext == null) {
            tail = c.ackPrev;
        } else {
            c.ackNext.ackPrev = c.ackPrev;
        }
        c.ackPrev = null;
        c.ackNext = null;
        c.ackDelayQueued = false;
        size--;
    }

    int size() {
        return size;
    }

    /** Forgets every entry (the stack closes). */
    void clear() {
        while (head != null) {
            unlink(head);
        }
        if (task != null) {
            task.cancel();
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        long now = scheduler.nanoTime();
        TcpConnection c;
        while ((c = head) != null && c.ackDue - now <= 0) {
            unlink(c);
            c.delayedAckDue(); // sends the ACK (which finds c out of the list already)
        }
        if (head != null && task == null) {
            task = scheduler.schedule(this, head.ackDue - now);
        }
    }
}
