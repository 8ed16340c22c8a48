package dev.jnet.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DhcpLeasesTest {
    private static final int NET = 0x0A00_0200;
    private static final int FIFTEEN = NET + 15;
    private static final long DAY = 86_400_000_000_000L;

    @Test
    void firstClientGetsFifteenTheNextSixteenAndTheSameMacKeepsItsAddress() {
        DhcpLeases l = new DhcpLeases(NET, NET | 0xFF);
        assertThat(l.size()).isEqualTo(DhcpLeases.MAX_CLIENTS);
        assertThat(l.offer(1, 0, DAY)).isEqualTo(FIFTEEN);
        assertThat(l.offer(2, 0, DAY)).isEqualTo(FIFTEEN + 1);
        assertThat(l.offer(1, 10, DAY)).isEqualTo(FIFTEEN);
        assertThat(l.addressOf(2, 10)).isEqualTo(FIFTEEN + 1);
    }

    @Test
    void theTableIsBoundedAndExhaustionOffersNothing() {
        DhcpLeases l = new DhcpLeases(NET, NET | 0xFF);
        for (long mac = 1; mac <= DhcpLeases.MAX_CLIENTS; mac++) {
            assertThat(l.offer(mac, 0, DAY)).isEqualTo(FIFTEEN + (int) mac - 1);
        }
        assertThat(l.offer(99, 0, DAY)).isZero();
        assertThat(l.offer(99, DAY + 1, 2 * DAY)).as("after the leases ran out").isEqualTo(FIFTEEN);
    }

    @Test
    void thePoolStopsBeforeTheBroadcastOfASmallNetwork() {
        // /27: 10.0.2.0..31, broadcast .31: .15 .. .30
        DhcpLeases l = new DhcpLeases(NET, NET | 31);
        assertThat(l.size()).isEqualTo(16);
        DhcpLeases tiny = new DhcpLeases(NET, NET | 15);
        assertThat(tiny.size()).isZero();
        assertThat(tiny.offer(1, 0, DAY)).isZero();
        assertThat(tiny.request(1, NET + 15, 0, DAY)).isFalse();
    }

    @Test
    void requestsAreGrantedForFreeOrOwnPoolAddressesOnly() {
        DhcpLeases l = new DhcpLeases(NET, NET | 0xFF);
        assertThat(l.request(1, FIFTEEN + 3, 0, DAY)).as("INIT-REBOOT into a free address").isTrue();
        assertThat(l.request(2, FIFTEEN + 3, 0, DAY)).as("someone else's").isFalse();
        assertThat(l.request(2, NET + 100, 0, DAY)).as("outside the pool").isFalse();
        assertThat(l.request(2, NET + 14, 0, DAY)).isFalse();
        assertThat(l.request(1, FIFTEEN + 4, 0, DAY)).as("moving gives up the old one").isTrue();
        assertThat(l.request(2, FIFTEEN + 3, 0, DAY)).isTrue();
    }

    @Test
    void releaseFreesOnlyTheHoldersAddress() {
        DhcpLeases l = new DhcpLeases(NET, NET | 0xFF);
        l.offer(1, 0, DAY);
        l.release(2, FIFTEEN, 0);
        assertThat(l.addressOf(1, 0)).isEqualTo(FIFTEEN);
        l.release(1, FIFTEEN + 1, 0);
        assertThat(l.addressOf(1, 0)).isEqualTo(FIFTEEN);
        l.release(1, FIFTEEN, 0);
        assertThat(l.addressOf(1, 0)).isZero();
        assertThat(l.offer(2, 0, DAY)).isEqualTo(FIFTEEN);
    }
}
