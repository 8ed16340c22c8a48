package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * The stack's bookkeeping of its connections: the four-tuple table, the embryonic and
 * TIME_WAIT lists (oldest-first eviction), the host sockets still open, and the end-of-batch
 * flush queue. Connections report their lifecycle here; the registry knows nothing of
 * segments and never changes a connection's state except to evict it.
 *
 * <p>The flush queue coalesces ACKs and host flushes to once per event-loop batch: a
 * connection queues itself (at most once, it keeps that flag itself) and the task the first
 * one scheduled drains the queue after the batch.
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

    ConnectionRegistry(TcpLimits limits, Scheduler scheduler) {
        this.limits = limits;
        this.scheduler = scheduler;
        this.table = new ConnectionTable(limits.maxConnections());
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
        table.remove(c);
    }

    void hostClosed(TcpConnection c) {
        hostOpen.remove(c);
    }

    /** Queues {@code c}'s {@link TcpConnection#flush} after this batch; the caller queues itself once. */
    void flushLater(TcpConnection c) {
        flushQueue.add(c);
        if (!flushScheduled) {
            flushScheduled = true;
            scheduler.execute(flushTask);
        }
    }

    private void flushQueued() {
        flushScheduled = false;
        TcpConnection c;
        while ((c = flushQueue.poll()) != null) {
            c.flush();
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
    }
}
