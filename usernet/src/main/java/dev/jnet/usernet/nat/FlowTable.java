package dev.jnet.usernet.nat;

import dev.jnet.usernet.Scheduler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * A bounded table of NAT flows keyed by a 64-bit flow key, with idle expiry. Entries are kept
 * in least-recently-used order, so the head is always the flow idle the longest: one timer per
 * table (not per flow) fires when the head would expire, and a full table evicts the head.
 * A removed flow is handed to the table's closer (which releases its host socket). Owned by
 * the scheduler's thread.
 *
 * @param <F> the flow state
 */
public final class FlowTable<F> {
    private final Scheduler scheduler;
    private final int capacity;
    private final long idleNanos;
    private final Consumer<F> closer;
    private final LinkedHashMap<Key, Entry<F>> entries;
    private final Key probe = new Key();
    private Scheduler.Timer timer;
    private long evictions;
    private long expirations;

    /**
     * @param capacity  most flows kept; adding one more evicts the least recently used
     * @param idleNanos a flow unused this long is removed
     * @param closer    releases a removed flow's resources
     */
    public FlowTable(Scheduler scheduler, int capacity, long idleNanos, Consumer<F> closer) {
        if (capacity < 1 || idleNanos <= 0) {
            throw new IllegalArgumentException("capacity " + capacity + ", idle " + idleNanos + " ns");
        }
        this.scheduler = scheduler;
        this.capacity = capacity;
        this.idleNanos = idleNanos;
        this.closer = closer;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 64) * 2, 0.75f, true);
    }

    /** Calls {@code action} with every flow, least recently used first, marking none as used. */
    public void forEach(Consumer<F> action) {
        for (Entry<F> e : entries.values()) {
            action.accept(e.flow);
        }
    }

    /** The flow under {@code key}, marked as used now; {@code null} if there is none. */
    public F get(long key) {
        probe.value = key;
        Entry<F> e = entries.get(probe);
        if (e == null) {
            return null;
        }
        e.lastUsed = scheduler.nanoTime();
        return e.flow;
    }

    /** Marks the flow under {@code key} as used now (traffic from the host side). */
    public void touch(long key) {
        get(key);
    }

    /**
     * Adds a flow (there must be none under {@code key}); evicts the least recently used one
     * first when the table is full.
     */
    public void put(long key, F flow) {
        probe.value = key;
        if (entries.containsKey(probe)) {
            throw new IllegalStateException("flow " + Long.toHexString(key) + " exists");
        }
        if (entries.size() >= capacity) {
            Iterator<Entry<F>> it = entries.values().iterator();
            Entry<F> oldest = it.next();
            it.remove();
            evictions++;
            closer.accept(oldest.flow);
        }
        Key k = new Key();
        k.value = key;
        entries.put(k, new Entry<>(flow, scheduler.nanoTime()));
        if (timer == null) {
            armTimer();
        }
    }

    /** Removes and closes the flow under {@code key}, if any. */
    public void remove(long key) {
        probe.value = key;
        Entry<F> e = entries.remove(probe);
        if (e != null) {
            closer.accept(e.flow);
        }
    }

    /** Number of flows. */
    public int size() {
        return entries.size();
    }

    /** Flows removed because the table was full. */
    public long evictions() {
        return evictions;
    }

    /** Flows removed because they were idle. */
    public long expirations() {
        return expirations;
    }

    /** Removes and closes every flow and stops the timer. */
    public void clear() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        List<Entry<F>> all = new ArrayList<>(entries.values());
        entries.clear();
        for (Entry<F> e : all) {
            closer.accept(e.flow);
        }
    }

    private void armTimer() {
        Entry<F> head = entries.values().iterator().next();
        long delay = head.lastUsed + idleNanos - scheduler.nanoTime();
        timer = scheduler.schedule(this::expire, Math.max(0, delay));
    }

    private void expire() {
        timer = null;
        long now = scheduler.nanoTime();
        List<F> expired = new ArrayList<>();
        Iterator<Entry<F>> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry<F> e = it.next();
            if (now - e.lastUsed < idleNanos) {
                break; // LRU order: every later flow was used more recently
            }
            it.remove();
            expired.add(e.flow);
        }
        expirations += expired.size();
        if (!entries.isEmpty()) {
            armTimer();
        }
        expired.forEach(closer); // after the walk: a closer may come back to this table
    }

    private static final class Entry<F> {
        final F flow;
        long lastUsed;

        Entry(F flow, long lastUsed) {
            this.flow = flow;
            this.lastUsed = lastUsed;
        }
    }

    /** A mutable key, so lookups need no boxing: stored keys are never mutated. */
    private static final class Key {
        long value;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.value == value;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(value * 0x9E3779B97F4A7C15L);
        }
    }

    @Override
    public String toString() {
        return "FlowTable[" + entries.size() + "/" + capacity + "]";
    }
}
