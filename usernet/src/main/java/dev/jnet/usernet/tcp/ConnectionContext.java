package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.wire.TcpOptions;

/**
 * What every connection of one stack shares: limits, clock, the segment output, the registry
 * that keeps its bookkeeping, and one scratch options holder (the loop's single thread).
 */
final class ConnectionContext {
    final TcpLimits limits;
    final Scheduler scheduler;
    final SegmentOutput output;
    final ConnectionRegistry registry;
    final TcpMemory memory;
    private final int ourMss;
    private final int ourMss6;
    private final TcpOptions scratch = new TcpOptions();

    ConnectionContext(TcpLimits limits, Scheduler scheduler, SegmentOutput output, ConnectionRegistry registry,
            int ourMss, int ourMss6) {
        this.limits = limits;
        this.scheduler = scheduler;
        this.output = output;
        this.registry = registry;
        this.memory = registry.memory;
        this.ourMss = ourMss;
        this.ourMss6 = ourMss6;
    }

    /** The MSS the guest link allows for the family (IPv6 headers are 20 bytes longer). */
    int ourMss(boolean v6) {
        return v6 ? ourMss6 : ourMss;
    }

    /** A cleared options holder for one segment being parsed or built. */
    TcpOptions scratchOptions() {
        return scratch.clear();
    }
}
