package dev.jnet.usernet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** RFC 6298 arithmetic with the Linux-like bounds. */
class RtoEstimatorTest {
    private static final long MS = 1_000_000L;

    @Test
    void firstSampleThenSmoothingThenBackoffAndProgress() {
        RtoEstimator e = new RtoEstimator(1000 * MS, 200 * MS, 60_000 * MS);
        assertEquals(1000 * MS, e.rto(), "initial RTO before any sample (RFC 6298 2.1)");
        assertEquals(-1, e.srtt());
        e.sample(100 * MS); // SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR
        assertEquals(100 * MS, e.srtt());
        assertEquals(300 * MS, e.rto());
        e.sample(200 * MS); // RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5; SRTT = 7/8*100 + 1/8*200 = 112.5
        assertEquals(112_500_000L, e.srtt());
        assertEquals(112_500_000L + 4 * 62_500_000L, e.rto());
        e.sample(1 * MS);
        e.sample(1 * MS);
        e.sample(1 * MS);
        long settled = e.rto();
        for (int i = 0; i < 30; i++) {
            e.sample(1 * MS);
        }
        assertEquals(200 * MS, e.rto(), "never below the minimum");
        e.backOff();
        assertEquals(400 * MS, e.rto());
        e.backOff();
        assertEquals(800 * MS, e.rto());
        for (int i = 0; i < 30; i++) {
            e.backOff();
        }
        assertEquals(60_000 * MS, e.rto(), "capped");
        e.progress();
        assertEquals(200 * MS, e.rto(), "progress ends the backoff");
        assertTrue(settled > 200 * MS, "variance decays over several samples, not at once");
    }
}
