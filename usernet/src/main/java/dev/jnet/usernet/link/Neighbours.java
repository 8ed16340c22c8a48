package dev.jnet.usernet.link;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The guests one process serves side by side (a {@code jnet usernetd}): each tap link joins as a
 * {@link Member}, marks when it last read frames, and asks whether another guest did so lately.
 * That is how a link tells "alone" (nothing to share: never held back) from "with neighbours
 * that want the CPU too" ({@link OpenBudget} applies). Thread-safe: members live on different
 * event loops; a mark is one volatile store, a look a scan of the few members.
 */
public final class Neighbours {
    /** Frames read this long ago still count as a guest being active. */
    public static final long ACTIVE_NANOS = 100_000_000L;

    private final CopyOnWriteArrayList<Member> members = new CopyOnWriteArrayList<>();
    private final int openRate;

    /** Neighbours whose guests have {@link OpenBudget#RATE} host sockets per second each while others are active. */
    public Neighbours() {
        this(OpenBudget.RATE);
    }

    /** Neighbours with an {@link OpenBudget} of {@code openRate} per second each (0: none). */
    public Neighbours(int openRate) {
        if (openRate < 0) {
            throw new IllegalArgumentException("open rate " + openRate + ": 0 (no limit) or more");
        }
        this.openRate = openRate;
    }

    /** Host sockets per second a guest may have opened while others are active; 0: no limit. */
    public int openRate() {
        return openRate;
    }

    /** A new member (a link); it {@linkplain Member#leave leaves} when the link closes. */
    public Member join() {
        Member m = new Member();
        members.add(m);
        return m;
    }

    /** How many links are members now. */
    public int size() {
        return members.size();
    }

    /** One link's place among its neighbours. */
    public final class Member {
        /** System.nanoTime() of the last read, or 0 before any (one writer: the member's loop). */
        private volatile long lastRead;

        private Member() {}

        /** This member read frames at {@code now} (System.nanoTime()). */
        public void mark(long now) {
            lastRead = now;
        }

        /** Whether another member read frames within {@link #ACTIVE_NANOS} before {@code now}. */
        public boolean othersActive(long now) {
            for (Member m : members) {
                long t = m.lastRead;
                if (m != this && t != 0 && now - t < ACTIVE_NANOS) {
                    return true;
                }
            }
            return false;
        }

        /** Leaves the neighbourhood (idempotent). */
        public void leave() {
            members.remove(this);
        }
    }
}
