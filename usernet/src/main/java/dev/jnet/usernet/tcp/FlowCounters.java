package dev.jnet.usernet.tcp;

import dev.jnet.usernet.FlowInfo;

/** A connection's segments each way and its birth time: what {@code list_connections} adds to its state. */
final class FlowCounters {
    long packetsFromGuest;
    long packetsToGuest;
    private final long madeNanos;

    FlowCounters(long nowNanos) {
        this.madeNanos = nowNanos;
    }

    FlowInfo info(FourTuple t, TcpState state, long bytesFromGuest, long bytesToGuest, long nowNanos) {
        return new FlowInfo("tcp", FlowInfo.address(t.v6, t.guestHigh, t.guestLow), t.guestPort,
                FlowInfo.address(t.v6, t.remoteHigh, t.remoteLow), t.remotePort, state.name(), bytesFromGuest,
                bytesToGuest, packetsFromGuest, packetsToGuest, (nowNanos - madeNanos) / 1_000_000);
    }
}
