package dev.jnet.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NeighboursTest {
    private static final long T = 5_000_000_000L;

    @Test
    void anotherMemberCountsAsActiveForAHundredMillisecondsAfterItsLastRead() {
        Neighbours n = new Neighbours();
        Neighbours.Member me = n.join();
        assertThat(me.othersActive(T)).as("alone").isFalse();
        Neighbours.Member other = n.join();
        assertThat(me.othersActive(T)).as("a neighbour that never read").isFalse();
        me.mark(T);
        assertThat(me.othersActive(T)).as("one's own reads").isFalse();
        other.mark(T);
        assertThat(me.othersActive(T + Neighbours.ACTIVE_NANOS - 1)).isTrue();
        assertThat(me.othersActive(T + Neighbours.ACTIVE_NANOS)).isFalse();
        assertThat(other.othersActive(T + 1)).isTrue();
        other.leave();
        other.leave(); // idempotent
        assertThat(n.size()).isEqualTo(1);
        assertThat(me.othersActive(T + 1)).as("after it left").isFalse();
    }

    @Test
    void theOpenRateIsZeroForNoneAndNeverNegative() {
        assertThat(new Neighbours().openRate()).isEqualTo(OpenBudget.RATE);
        assertThat(new Neighbours(0).openRate()).isZero();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Neighbours(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("open rate -1: 0 (no limit) or more");
    }
}
