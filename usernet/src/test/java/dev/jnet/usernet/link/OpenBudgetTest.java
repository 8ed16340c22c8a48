package dev.jnet.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The open budget's arithmetic on a test clock (nanoseconds). */
class OpenBudgetTest {
    private static final long MS = 1_000_000L;

    @Test
    void aBurstIsFreeThenTheGuestWaitsForFiveOpensWorthOfTime() {
        OpenBudget b = new OpenBudget(1000, 10); // one open per ms
        for (int i = 0; i < 10; i++) {
            b.charge(0);
        }
        assertThat(b.spent()).isFalse();
        assertThat(b.holdNanos(0, false)).isZero();
        b.charge(0);
        assertThat(b.spent()).isTrue();
        // one open in debt: held until the debt is paid and five more fit
        assertThat(b.holdNanos(0, false)).isEqualTo(6 * MS);
        assertThat(b.holdNanos(6 * MS, false)).isZero();
        for (int i = 0; i < 5; i++) {
            b.charge(6 * MS);
        }
        assertThat(b.spent()).isFalse();
        b.charge(6 * MS);
        assertThat(b.spent()).isTrue();
    }

    @Test
    void opensAtTheRateNeverSpendTheBudget() {
        OpenBudget b = new OpenBudget(1000, 2);
        for (int i = 0; i < 10_000; i++) {
            b.charge(i * MS);
            assertThat(b.spent()).as("open %d", i).isFalse();
        }
    }

    @Test
    void creditIsCappedAtTheBurstAfterAQuietSpell() {
        OpenBudget b = new OpenBudget(1000, 3);
        b.charge(0);
        for (int i = 0; i < 4; i++) { // an hour later: still only the burst
            b.charge(3_600_000 * MS);
        }
        assertThat(b.spent()).isTrue();
    }

    @Test
    void aGuestAloneIsNeverHeldAndItsDebtIsForgiven() {
        OpenBudget b = new OpenBudget(1000, 2);
        for (int i = 0; i < 100; i++) {
            b.charge(0);
        }
        assertThat(b.holdNanos(0, true)).isZero();
        assertThat(b.spent()).isFalse();
        // a neighbour wakes up: the guest owes one open, not the hundred it made alone
        b.charge(0);
        assertThat(b.holdNanos(0, false)).isEqualTo(3 * MS); // capped: a hold never waits beyond a burst
    }

    @Test
    void aRateAloneGivesBurstsOfATenthOfASecond() {
        OpenBudget b = new OpenBudget(1000);
        for (int i = 0; i < 100; i++) {
            b.charge(0);
        }
        assertThat(b.spent()).isFalse();
        b.charge(0);
        assertThat(b.spent()).isTrue();
        assertThat(OpenBudget.BURST).isEqualTo(OpenBudget.RATE / 10);
    }

    @Test
    void rateAndBurstMustBePositive() {
        assertThatThrownBy(() -> new OpenBudget(0, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("open budget 0/s, burst 5: both must be positive");
        assertThatThrownBy(() -> new OpenBudget(5, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
