package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The stack's bookkeeping of its connections: the four-tuple table, the embryonic and
 * TIME_WAIT lists (oldest-first eviction), the host sockets still open, and the end-of-batch
 * flush queue. Connections report their lifecycle here; the registry knows nothing of
 * segments and never changes a connection's state except to evict it.
 *
 * <p>The flush queue coalesces ACKs and host flushes to once per event-loop batch: a
 * connection queues itself (at most once, it keeps that flag itself) and the task the first
 * one scheduled drains the queue after the batch (after all of the wake-up's I/O:
 * {@link Scheduler#executeAfterIo}, so that the guest's ACKs and the host data read in the same
 * wake-up leave in one segment). An ACK that may wait for our answer goes
 * to the {@link DelayedAcks} instead.
 *
 * <p>It also keeps the stack's {@link TcpMemory} budget: connections that may not read their
 * host socket because the budget is used up wait here; the reclaim task aborts stalled holders
 * and wakes the waiters once memory is below the budget again.
 */
final class ConnectionRegistry {
    private final TcpLimits limits;
    private final Scheduler scheduler;
    final ConnectionTable table;
    private final ConnectionList embryonic = new ConnectionList();
    private final ConnectionList timeWait = new ConnectionList();
    /** connections whose host socket is not closed yet (also after their entry is gone) */
    private final Set<TcpConnection> hostOpen = new HashSet<>();
    private final ArrayDeque<TcpConnection> flushQueue = new ArrayDeque<>();
    private final Runnable flushTask = this::flushQueued;
    private boolean flushScheduled;
    private final DelayedAcks delayedAcks;
    final TcpMemory memory;
    /** connections that want host data but the budget is used up (only filled under exhaustion) */
    private final Set<TcpConnection> memoryWaiters = new LinkedHashSet<>();
    private final Runnable reclaimTask = this::reclaim;
    private boolean reclaimScheduled;
    /** while exhausted, how often the reclaim looks again for stalled holders */
    private static final long RECLAIM_RETRY_NANOS = 100_000_000L;

    ConnectionRegistry(TcpLimits limits, Scheduler scheduler) {
        this.limits = limits;
        this.scheduler = scheduler;
        this.table = new ConnectionTable(limits.maxConnections());
        this.memory = new TcpMemory(limits.memoryBudget());
        this.delayedAcks = new DelayedAcks(scheduler);
    }

    int embryonicCount() {
        return embryonic.size();
    }

    int timeWaitCount() {
        return timeWait.size();
    }

    int openHostSockets() {
        return hostOpen.size();
    }

    /** A new connection, embryonic, whose host socket is (about to be) open. */
    void add(TcpConnection c) {
        table.put(c);
        embryonic.addLast(c);
        hostOpen.add(c);
    }

    /** Room for one more entry: evicts the oldest embryonic (SYN flood) and, if full, TIME_WAIT entry. */
    boolean makeRoom() {
        if (embryonic.size() >= limits.maxEmbryonic()) {
            embryonic.oldest().destroy(false); // the oldest half-open entry goes
        }
        if (table.size() >= limits.maxConnections()) {
            TcpConnection oldest = timeWait.oldest();
            if (oldest == null) {
                return false;
            }
            oldest.destroy(true);
        }
        return true;
    }

    // ---------------------------------------------------------------- reported by connections

    void handshakeDone(TcpConnection c) {
        embryonic.remove(c);
    }

    void timeWaitEntered(TcpConnection c) {
        if (timeWait.size() >= limits.maxTimeWait()) {
            timeWait.oldest().destroy(true);
        }
        timeWait.addLast(c);
    }

    void removed(TcpConnection c) {
        ConnectionList.unlink(c);
        delayedAcks.remove(c);
        table.remove(c);
        memoryWaiters.remove(c);
    }

    // ---------------------------------------------------------------- memory budget

    /** {@code c} wants host data but the budget is used up: wake it when there is room again. */
    void waitForMemory(TcpConnection c) {
        if (memoryWaiters.add(c) && !reclaimScheduled) {
            reclaimScheduled = true;
            scheduler.execute(reclaimTask);
        }
    }

    /**
     * The budget is used up: abort the connections holding host bytes without acknowledgement
     * progress for {@link TcpMemory#STALL_NANOS}, longest stalled first, until usage is below
     * the pressure level (a guest that never acknowledges pays, not the other flows), then wake
     * the connections waiting for memory. Runs as a task, never inside a connection's event;
     * while memory stays exhausted it looks again every {@link #RECLAIM_RETRY_NANOS}.
     */
    void reclaim() {
        reclaimScheduled = false;
        if (memory.exhausted()) {
            long now = scheduler.nanoTime();
            List<TcpConnection> stalled = new ArrayList<>();
            for (TcpConnection c : table.snapshot()) {
                long since = c.stalledSince();
                if (since >= 0 && now - since >= TcpMemory.STALL_NANOS) {
                    stalled.add(c);
                }
            }
            stalled.sort(Comparator.comparingLong(TcpConnection::stalledSince));
            for (TcpConnection c : stalled) {
                if (memory.used() < memory.pressureLevel()) {
                    break;
                }
                abort(c);
            }
        }
        if (memory.exhausted()) {
            if (!memoryWaiters.isEmpty()) {
                reclaimScheduled = true;
                scheduler.schedule(reclaimTask, RECLAIM_RETRY_NANOS);
            }
            return;
        }
        List<TcpConnection> woken = new ArrayList<>(memoryWaiters);
        memoryWaiters.clear();
        for (TcpConnection c : woken) {
            c.afterEvent(); // reads its host socket again (or waits again)
        }
    }

    /**
     * Aborts {@code c}: RST to the guest, host socket reset, buffers freed. Also what an
     * allocation failure while serving {@code c} comes to: only that connection pays; if even
     * the RST cannot be allocated the entry goes without it.
     */
    void abort(TcpConnection c) {
        try {
            c.abort();
        } catch (OutOfMemoryError again) {
            c.destroy(false);
        }
    }

    void hostClosed(TcpConnection c) {
        hostOpen.remove(c);
    }

    /** Queues {@code c}'s {@link TcpConnection#flush} after this batch; the caller queues itself once. */
    void flushLater(TcpConnection c) {
        flushQueue.add(c);
        if (!flushScheduled) {
            flushScheduled = true;
            scheduler.executeAfterIo(flushTask);
        }
    }

    /** {@code c}'s ACK may wait a little for a data segment to carry it ({@link DelayedAcks}). */
    void delayAck(TcpConnection c) {
        delayedAcks.delay(c);
    }

    /** {@code c}'s ACK went out on a segment: it waits no more. */
    void ackSent(TcpConnection c) {
        delayedAcks.remove(c);
    }

    int delayedAcks() {
        return delayedAcks.size();
    }

    private void flushQueued() {
        flushScheduled = false;
        TcpConnection c;
        while ((c = flushQueue.poll()) != null) {
            try {
                c.flush();
            } catch (OutOfMemoryError e) {
                abort(c); // direct memory ran out building its ACK: that connection goes, the queue goes on
            }
        }
    }

    /** Aborts every connection: host sockets reset and closed, buffers released. */
    void closeAll() {
        for (TcpConnection c : table.snapshot()) {
            c.destroy(false);
        }
        for (TcpConnection c : new ArrayList<>(hostOpen)) {
            c.abortHost();
        }
        hostOpen.clear();
        flushQueue.clear();
        delayedAcks.clear();
        memoryWaiters.clear();
    }
}
