package dev.jnet.usernet.tcp;

/**
 * The budget of host bytes held in the send buffers of all connections of one stack (Linux's
 * {@code tcp_mem}): what the host gave us and the guest has not acknowledged. Without it the
 * bound is the per-connection buffer times the table size, far beyond the process's direct
 * memory cap: 700 guest connections that advertise a huge window and never acknowledge filled
 * it, and then every other flow failed to allocate.
 *
 * <p>Three levels, as in Linux: below half the budget every connection may hold its full send
 * buffer; from half on ("pressure") each holds at most {@link #PRESSURE_BUFFER} (Linux moderates
 * {@code sk_sndbuf} under pressure the same way); at the budget no host socket is read and the
 * registry aborts the connections that hold bytes without acknowledgement progress, oldest
 * first ({@link ConnectionRegistry#reclaim}). Counts readable bytes, not buffer capacity: a
 * host read asks for no more than the connection's room ({@link TcpSender#hostRoom}), and
 * under pressure a read buffer left mostly empty is copied into one of its size
 * ({@link SendBuffer#append}). One event loop owns it.
 */
final class TcpMemory {
    /** Bytes a connection may hold under pressure: about 45 segments, enough for the guest link. */
    static final int PRESSURE_BUFFER = 64 * 1024;
    /**
     * A connection whose SND.UNA has not moved for this long while it holds host bytes may be
     * aborted when the budget is exhausted: longer than Linux's initial RTO (1 s, RFC 6298), so
     * a flow that just lost a segment is not mistaken for a guest that never acknowledges.
     */
    static final long STALL_NANOS = 2_000_000_000L;

    private final long budget;
    private final long pressure;
    private long used;

    TcpMemory(long budget) {
        this.budget = budget;
        this.pressure = budget / 2;
    }

    void charge(int bytes) {
        used += bytes;
    }

    void credit(int bytes) {
        used -= bytes;
    }

    long used() {
        return used;
    }

    /** Bytes the stack may still take before the budget is used up (0 once it is). */
    long budgetLeft() {
        return Math.max(0, budget - used);
    }

    /** Half the budget or more is used: connections are held to {@link #PRESSURE_BUFFER}. */
    boolean underPressure() {
        return used >= pressure;
    }

    long pressureLevel() {
        return pressure;
    }

    /** The budget is used up: no host socket is read until memory is acknowledged or reclaimed. */
    boolean exhausted() {
        return used >= budget;
    }

    /** What a connection whose own bound is {@code perConnection} may hold now. */
    int cap(int perConnection) {
        return underPressure() ? Math.min(perConnection, PRESSURE_BUFFER) : perConnection;
    }
}
