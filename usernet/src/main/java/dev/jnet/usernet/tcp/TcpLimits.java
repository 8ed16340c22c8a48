package dev.jnet.usernet.tcp;

/**
 * Bounds and timer constants of a {@link TcpStack}. Everything a guest (or a host peer) can
 * grow is capped here.
 *
 * @param maxConnections   entries in the connection table, TIME_WAIT included
 * @param maxEmbryonic     of those, connections whose handshake is not complete; under a SYN
 *                         flood the oldest is evicted
 * @param maxTimeWait      of those, TIME_WAIT entries; the oldest is evicted when full
 * @param timeWaitNanos    how long we sit in TIME_WAIT (short: the guest link has no stray
 *                         old segments worth 2*MSL)
 * @param receiveBuffer    bytes of guest data we buffer per connection (not yet written to
 *                         the host); the window we advertise never exceeds it
 * @param sendBuffer       bytes of host data we hold per connection (unacknowledged + unsent)
 * @param windowScale      the shift we advertise (RFC 7323)
 * @param maxOutOfOrder    out-of-order segments kept per connection
 * @param minRtoNanos      RFC 6298 lower bound (Linux uses 200 ms)
 * @param maxRtoNanos      upper bound of the backed-off RTO
 * @param initialRtoNanos  RTO before the first RTT sample
 * @param maxRetransmits   consecutive timeouts (RTO or unanswered probes) before the
 *                         connection is aborted
 * @param synAckRetries    SYN-ACK retransmissions before an unanswered handshake is dropped
 * @param memoryBudget     host bytes held in the send buffers of all connections together
 *                         ({@link TcpMemory}, Linux's {@code tcp_mem})
 */
public record TcpLimits(int maxConnections, int maxEmbryonic, int maxTimeWait, long timeWaitNanos,
        int receiveBuffer, int sendBuffer, int windowScale, int maxOutOfOrder, long minRtoNanos,
        long maxRtoNanos, long initialRtoNanos, int maxRetransmits, int synAckRetries, long memoryBudget) {

    private static final long MS = 1_000_000L;

    public TcpLimits {
        if (maxConnections < 1 || maxEmbryonic < 1 || maxEmbryonic > maxConnections
                || maxTimeWait < 1 || maxTimeWait > maxConnections) {
            throw new IllegalArgumentException("bad connection table limits");
        }
        if (windowScale < 0 || windowScale > 14 || receiveBuffer < 1 || (long) receiveBuffer > (65535L << windowScale)) {
            throw new IllegalArgumentException("receive buffer " + receiveBuffer + " does not fit window scale "
                    + windowScale);
        }
        if (sendBuffer < 1 || maxOutOfOrder < 0 || memoryBudget < 1) {
            throw new IllegalArgumentException("bad buffer limits");
        }
    }

    /**
     * Production values: 16384 connections, a 4 MiB receive window (scale 7), 2 MiB of host data
     * held per connection (the guest link's bandwidth-delay product is far smaller), 256
     * out-of-order segments, Linux-like RTO bounds, 64 MiB of host data held across all
     * connections (the launcher caps direct memory at 1 GiB; 64 MiB keeps RSS far below it while
     * 32 connections can still hold a full send buffer each).
     */
    public static TcpLimits defaults() {
        return new TcpLimits(16384, 1024, 4096, 2_000 * MS, 4 << 20, 2 << 20, 7, 256, 200 * MS, 60_000 * MS,
                1_000 * MS, 12, 5, 64L << 20);
    }

    public TcpLimits withTable(int maxConnections, int maxEmbryonic, int maxTimeWait) {
        return new TcpLimits(maxConnections, maxEmbryonic, maxTimeWait, timeWaitNanos, receiveBuffer, sendBuffer,
                windowScale, maxOutOfOrder, minRtoNanos, maxRtoNanos, initialRtoNanos, maxRetransmits, synAckRetries,
                memoryBudget);
    }

    public TcpLimits withBuffers(int receiveBuffer, int sendBuffer, int maxOutOfOrder) {
        return new TcpLimits(maxConnections, maxEmbryonic, maxTimeWait, timeWaitNanos, receiveBuffer, sendBuffer,
                windowScale, maxOutOfOrder, minRtoNanos, maxRtoNanos, initialRtoNanos, maxRetransmits, synAckRetries,
                memoryBudget);
    }

    public TcpLimits withMemoryBudget(long memoryBudget) {
        return new TcpLimits(maxConnections, maxEmbryonic, maxTimeWait, timeWaitNanos, receiveBuffer, sendBuffer,
                windowScale, maxOutOfOrder, minRtoNanos, maxRtoNanos, initialRtoNanos, maxRetransmits, synAckRetries,
                memoryBudget);
    }
}
