package dev.jnet.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FaultInjectorConfigTest {
    @Test
    void parsesBothDirectionsAndPrefixedOverrides() {
        FaultInjector.Config c = FaultInjector.Config.parse("seed=9, drop=0.05,delay=0.1,delay-ms=20,to-guest.corrupt=0.5");
        assertThat(c.seed()).isEqualTo(9);
        assertThat(c.toStack()).isEqualTo(new FaultInjector.Faults(0.05, 0, 0, 0, 0.1, 20_000_000L));
        assertThat(c.toGuest()).isEqualTo(new FaultInjector.Faults(0.05, 0, 0, 0.5, 0.1, 20_000_000L));
    }

    @Test
    void badSpecsNameThePair() {
        assertThatThrownBy(() -> FaultInjector.Config.parse("dorp=0.1")).hasMessageContaining("dorp=0.1");
        assertThatThrownBy(() -> FaultInjector.Config.parse("drop=lots")).hasMessageContaining("drop=lots");
        assertThatThrownBy(() -> FaultInjector.Config.parse("drop=2")).hasMessageContaining("[0, 1]");
    }
}
