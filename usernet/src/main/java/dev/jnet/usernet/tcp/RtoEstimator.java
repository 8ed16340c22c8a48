package dev.jnet.usernet.tcp;

/**
 * Retransmission timeout per RFC 6298: SRTT/RTTVAR from samples (Karn's rule is the caller's:
 * no samples from retransmitted segments), RTO = SRTT + max(G, 4 RTTVAR) clamped to
 * [min, max], doubled on each timeout.
 */
final class RtoEstimator {
    private static final long GRANULARITY = 1_000_000L; // 1 ms clock granularity G

    private final long minRto;
    private final long maxRto;
    private long srtt = -1;
    private long rttvar;
    private long rto;
    private int backoff;

    RtoEstimator(long initialRto, long minRto, long maxRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.rto = initialRto;
    }

    void sample(long rtt) {
        backoff = 0;
        if (srtt < 0) {
            srtt = rtt;
            rttvar = rtt / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
            srtt = (7 * srtt + rtt) / 8;
        }
        rto = clamp(srtt + Math.max(GRANULARITY, 4 * rttvar));
    }

    /** Timer expiry: back off (RFC 6298 5.5). */
    void backOff() {
        if (rto() < maxRto && backoff < 20) {
            backoff++;
        }
    }

    /**
     * New data was acknowledged: the path works again, so the backoff ends even without a
     * sample (Karn's rule forbids sampling retransmitted ranges; like Linux, we do not keep a
     * backed-off timer through a recovery that is making progress).
     */
    void progress() {
        backoff = 0;
    }

    long rto() {
        return Math.min(maxRto, rto << backoff);
    }

    /** Smoothed RTT, or -1 before the first sample. */
    long srtt() {
        return srtt;
    }

    private long clamp(long v) {
        return Math.max(minRto, Math.min(maxRto, v));
    }
}
