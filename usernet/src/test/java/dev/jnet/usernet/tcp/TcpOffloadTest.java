package dev.jnet.usernet.tcp;

import static dev.jnet.usernet.tcp.TcpHarness.REMOTE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.UsernetConfig;
import org.junit.jupiter.api.Test;

/**
 * TCP over a link with segmentation offload (a tap with vnet headers), MTU 1500: the stack
 * sends super-packets of whole MSS-sized segments up to ~64 KiB (gso_size = the guest's MSS),
 * takes the guest's TSO super-packets above its MTU, and both directions arrive byte-exact;
 * without offloads no segment is above the MSS.
 */
class TcpOffloadTest {
    private static final int SIZE = 4 << 20;

    private static TcpHarness transfer(boolean offload, int guestSuperPacket) {
        TcpHarness h = new TcpHarness(UsernetConfig.defaults().withMtu(1500), TcpLimits.defaults(), 3, offload);
        GuestTcp g = h.guest(41000, REMOTE, 80);
        g.mss = 1460;
        g.superPacket = guestSuperPacket;
        g.maxInFlight = 256 * 1024;
        g.connect();
        h.run();
        FakeHostConnector.FakeHost host = h.connector.last();
        host.accept();
        h.run();
        assertThat(g.established).isTrue();
        byte[] up = TcpTransferTest.randomBytes(SIZE, 11);
        byte[] down = TcpTransferTest.randomBytes(SIZE, 12);
        g.send(up, true);
        host.send(down, true);
        assertThat(h.runUntil(() -> g.finReceived && g.finAcked && host.written.size() == SIZE,
                60_000 * TcpHarness.MS)).as("transfer done").isTrue();
        assertThat(host.writtenBytes()).as("guest -> host").isEqualTo(up);
        assertThat(g.received.toByteArray()).as("host -> guest").isEqualTo(down);
        assertThat(g.windowViolations).isZero();
        return h;
    }

    @Test
    void superPacketsBothWaysArriveIntactAndAreWholeSegmentsOfTheGuestsMss() {
        TcpHarness h = transfer(true, 65000);
        assertThat(h.superPackets).as("super-packets to the guest").hasSizeGreaterThan(10);
        for (int[] p : h.superPackets) {
            assertThat(p[1]).as("gso_size = the send MSS").isEqualTo(1460);
            assertThat(p[0]).as("at most ~64 KiB").isLessThanOrEqualTo(SegmentWriter.MAX_BURST);
        }
        long bigOnes = h.log.stream().filter(s -> s.length() > 1460).count();
        assertThat(bigOnes).isEqualTo(h.superPackets.size());
        long toGuest = h.log.stream().filter(s -> s.length() > 0 && s.dstPort() == 41000).count();
        assertThat(toGuest).as("frames for 4 MiB: ~2900 at the MSS").isLessThan(SIZE / 1460 / 8);
    }

    @Test
    void withoutOffloadsNoSegmentIsAboveTheMss() {
        TcpHarness h = transfer(false, 0);
        assertThat(h.superPackets).isEmpty();
        assertThat(h.log.stream().filter(s -> s.length() > 1460).count()).isZero();
        assertThat(h.log.stream().filter(s -> s.length() > 0 && s.dstPort() == 41000).count())
                .isGreaterThanOrEqualTo(SIZE / 1460);
    }
}
