package dev.jnet.usernet.tcp;

import static dev.jnet.usernet.tcp.TcpHarness.GATEWAY;
import static dev.jnet.usernet.tcp.TcpHarness.GUEST;
import static dev.jnet.usernet.tcp.TcpHarness.MS;
import static dev.jnet.usernet.tcp.TcpHarness.REMOTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpHandshakeTest {
    private final TcpHarness h = new TcpHarness(TcpLimits.defaults());

    @Test
    void synAckOnlyAfterHostConnectAndSynRetransmitsAbsorbed() {
        GuestTcp g = h.guest(40000, REMOTE, 80);
        g.connect();
        h.run();
        assertEquals(1, h.connector.hosts.size());
        assertEquals("/203.0.113.10:80", h.connector.last().remote.toString());
        assertTrue(h.log.isEmpty(), "no SYN-ACK before the host connect succeeded: " + h.log);
        assertEquals(TcpState.CONNECTING, h.stack.state(GUEST, 40000, REMOTE, 80));

        h.advance(1000 * MS); // the guest retransmits its SYN: absorbed, no second connect
        g.sendSyn();
        h.run();
        assertEquals(1, h.connector.hosts.size());
        assertTrue(h.log.isEmpty());

        h.connector.last().accept();
        h.run();
        TcpHarness.Seg synAck = h.log.get(0);
        assertTrue(synAck.has(TcpSegment.SYN | TcpSegment.ACK));
        assertEquals(g.iss + 1, synAck.ack());
        assertEquals(h.config.mss(), synAck.mss());
        assertEquals(7, synAck.windowScale());
        assertTrue(g.established);
        assertEquals(TcpState.ESTABLISHED, h.stack.state(GUEST, 40000, REMOTE, 80));
        assertEquals(1, h.stack.connectionCount());
        assertEquals(0, h.stack.embryonicCount());
        assertTrue(h.connector.last().room > 0, "host is read once the guest completed the handshake");
    }

    @Test
    void hostThatSpeaksAndClosesBeforeTheHandshakeCompletesIsQueued() {
        GuestTcp g = h.guest(40030, REMOTE, 80);
        g.auto = false;
        g.connect();
        h.run();
        FakeHostConnector.FakeHost host = h.connector.last();
        host.accept();
        h.run();
        // e.g. a banner and EOF seen by epoll (RDHUP) before the guest's ACK
        host.listener.received(io.netty.buffer.Unpooled.copiedBuffer("220 banner\r\n", java.nio.charset.StandardCharsets.US_ASCII));
        host.listener.inputShutdown();
        h.run();
        assertEquals(1, h.log.size(), "nothing but the SYN-ACK before the handshake completes");
        g.auto = true;
        g.ack();
        h.run();
        assertEquals("220 banner\r\n", g.received.toString(java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(g.finReceived);
        assertEquals(TcpState.FIN_WAIT_2, h.stack.state(GUEST, 40030, REMOTE, 80));
    }

    @Test
    void gatewayMapsToHostLoopback() {
        GuestTcp g = h.guest(40001, GATEWAY, 8080);
        g.connect();
        h.run();
        assertEquals("/127.0.0.1:8080", h.connector.last().remote.toString());
    }

    @Test
    void dnsAddressPort53GoesToTheDnsUpstreamAndOtherPortsAreRefused() {
        GuestTcp dns = h.guest(40020, 0x0A000203, 53);
        dns.connect();
        h.run();
        assertEquals(1, h.connector.hosts.size());
        assertEquals("/127.0.0.1:53", h.connector.last().remote.toString(), "the harness's DNS upstream");
        GuestTcp other = h.guest(40021, 0x0A000203, 80);
        other.connect();
        h.run();
        assertEquals(1, h.connector.hosts.size());
        assertTrue(other.resetReceived);
    }

    @Test
    void aGuestAnnouncingMssOneIsSentSegmentsOfTheFloorSize() {
        GuestTcp g = h.guest(40003, REMOTE, 80);
        g.mss = 1;
        g.connect();
        h.run();
        h.connector.last().accept();
        h.run();
        h.connector.last().send(new byte[5000], false);
        h.run();
        List<Integer> lengths = h.segsTo(40003).stream().filter(s -> s.length() > 0).map(s -> s.length()).toList();
        assertEquals(TcpSender.MIN_MSS, 536);
        assertEquals(5000 / 536 + 1, lengths.size(), "segments: " + lengths);
        assertTrue(lengths.subList(0, lengths.size() - 1).stream().allMatch(l -> l == TcpSender.MIN_MSS), "" + lengths);
        assertEquals(5000, g.received.size());
    }

    @Test
    void noWindowScalingWhenTheGuestOffersNone() {
        GuestTcp g = h.guest(40002, REMOTE, 80);
        g.windowScale = -1;
        g.mss = 1000;
        g.connect();
        h.run();
        h.connector.last().accept();
        h.run();
        assertEquals(-1, h.log.get(0).windowScale());
        // the stack's segments respect the guest's smaller MSS
        h.connector.last().send(new byte[5000], false);
        h.run();
        assertTrue(h.log.stream().filter(s -> s.length() > 0).allMatch(s -> s.length() <= 1000));
        assertEquals(5000, g.received.size());
    }

    @Test
    void refusedConnectGivesRst() {
        GuestTcp g = h.guest(40003, REMOTE, 81);
        g.connect();
        h.run();
        h.connector.last().fail(TcpHostConnector.Failure.REFUSED);
        h.run();
        TcpHarness.Seg rst = h.log.get(0);
        assertTrue(rst.has(TcpSegment.RST | TcpSegment.ACK));
        assertEquals(g.iss + 1, rst.ack());
        assertTrue(g.resetReceived);
        assertEquals(0, h.stack.connectionCount());
        assertEquals(0, h.stack.openHostSockets());
    }

    @Test
    void connectTimeoutGivesIcmpHostUnreachable() {
        connectFailureGivesIcmp(40004, 82, TcpHostConnector.Failure.TIMEOUT, 1);
    }

    @Test
    void unreachableHostGivesIcmpHostUnreachable() {
        connectFailureGivesIcmp(40005, 83, TcpHostConnector.Failure.HOST_UNREACHABLE, 1);
    }

    @Test
    void unreachableNetworkGivesIcmpNetUnreachable() {
        connectFailureGivesIcmp(40009, 84, TcpHostConnector.Failure.NET_UNREACHABLE, 0);
    }

    /** The host connect fails with {@code failure}: no TCP answer, ICMP destination unreachable {@code code}. */
    private void connectFailureGivesIcmp(int guestPort, int port, TcpHostConnector.Failure failure, int code) {
        GuestTcp g = h.guest(guestPort, REMOTE, port);
        g.connect();
        h.run();
        h.connector.last().fail(failure);
        h.run();
        assertTrue(h.log.isEmpty(), "no TCP answer: " + h.log);
        assertIcmpUnreachable(g, guestPort, port, REMOTE, code);
        assertEquals(0, h.stack.connectionCount());
    }

    @Test
    void otherConnectFailuresGiveRst() {
        GuestTcp g = h.guest(40010, REMOTE, 85);
        g.connect();
        h.run();
        h.connector.last().fail(TcpHostConnector.Failure.OTHER);
        h.run();
        assertTrue(g.resetReceived);
        assertTrue(h.icmp.isEmpty());
    }

    /** One ICMP destination unreachable with {@code code} from {@code from}, quoting the guest's SYN. */
    private void assertIcmpUnreachable(GuestTcp g, int guestPort, int port, int from, int code) {
        assertEquals(1, h.icmp.size());
        ByteBuffer icmp = ByteBuffer.wrap(h.icmp.get(0));
        assertEquals(from, icmp.getInt(12), "sent from the address the guest tried");
        assertEquals(GUEST, icmp.getInt(16));
        assertEquals(3, icmp.get(20)); // destination unreachable
        assertEquals(code, icmp.get(21));
        // quoted: the guest's SYN header, ports and sequence number
        assertEquals(GUEST, icmp.getInt(28 + 12));
        assertEquals(guestPort, icmp.getShort(48) & 0xffff);
        assertEquals(port, icmp.getShort(50) & 0xffff);
        assertEquals(g.iss, icmp.getInt(52));
    }

    @Test
    void gatewayWithoutHostLoopbackIsNetUnreachableWithoutConnecting() {
        TcpHarness noLoop = new TcpHarness(UsernetConfig.defaults().withHostLoopback(false), TcpLimits.defaults(), 1);
        GuestTcp g = noLoop.guest(40006, GATEWAY, 22);
        g.connect();
        noLoop.run();
        assertTrue(noLoop.connector.hosts.isEmpty());
        assertFalse(g.resetReceived, "slirp4netns answers with ICMP, not a RST");
        assertEquals(1, noLoop.icmp.size());
        ByteBuffer icmp = ByteBuffer.wrap(noLoop.icmp.get(0));
        assertEquals(GATEWAY, icmp.getInt(12));
        assertEquals(3, icmp.get(20));
        assertEquals(0, icmp.get(21)); // net unreachable: "Network is unreachable"
        assertEquals(0, noLoop.stack.connectionCount());
    }

    @Test
    void otherSubnetAddressIsRefused() {
        GuestTcp g = h.guest(40007, 0x0A000232, 80); // 10.0.2.50: nothing there
        g.connect();
        h.run();
        assertTrue(h.connector.hosts.isEmpty());
        assertTrue(g.resetReceived);
    }

    @Test
    void segmentWithoutConnectionGetsRst() {
        GuestTcp g = h.guest(40008, REMOTE, 80);
        g.raw(1234, 5678, TcpSegment.ACK, 100, new byte[10]);
        h.run();
        TcpHarness.Seg rst = h.log.get(0);
        assertEquals(TcpSegment.RST, rst.flags());
        assertEquals(5678, rst.seq());
        g.raw(1234, 0, TcpSegment.RST, 100, new byte[0]);
        h.run();
        assertEquals(1, h.log.size(), "never a RST for a RST");
    }

    @Test
    void badChecksumIsDropped() {
        GuestTcp g = h.guest(40009, REMOTE, 80);
        byte[] p = new byte[40];
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.wrappedBuffer(p);
        Ipv4Packet.emitHeader(b, 0, GUEST, REMOTE, 6, 64, 0, 20);
        TcpSegment.emitHeader(b, 20, 40009, 80, 1, 0, TcpSegment.SYN, 1000, 0, null);
        new TcpSegment().wrap(b, 20, 20).fillChecksumIpv4(GUEST, REMOTE);
        p[39] ^= 1;
        h.inject(p);
        h.run();
        assertTrue(h.connector.hosts.isEmpty());
        assertFalse(g.resetReceived);
        assertNull(h.stack.state(GUEST, 40009, REMOTE, 80));
    }

    @Test
    void unansweredSynAckIsRetransmittedThenDropped() {
        GuestTcp g = h.guest(40010, REMOTE, 80);
        g.auto = false;
        g.connect();
        h.run();
        h.connector.last().accept();
        h.run();
        h.guests.remove(40010); // the guest vanishes: our SYN-ACKs go nowhere
        h.advance(120_000 * MS);
        long synAcks = h.log.stream().filter(s -> s.has(TcpSegment.SYN | TcpSegment.ACK)).count();
        assertEquals(1 + TcpLimits.defaults().synAckRetries(), synAcks);
        assertEquals(0, h.stack.connectionCount());
        assertTrue(h.connector.last().aborted);
    }
}
