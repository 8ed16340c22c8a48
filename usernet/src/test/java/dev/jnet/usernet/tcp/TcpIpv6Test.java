package dev.jnet.usernet.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.ManualScheduler;
import dev.jnet.usernet.MemoryFrameSink;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Ipv6Packet;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * TCP over IPv6 through the same connections as IPv4: guest frames built with the wire layer
 * go in through the {@code Ipv6Handler} entry, segments come out as IPv6 frames with valid
 * checksums, to the host destination the address map names (the gateway is ::1).
 */
class TcpIpv6Test {
    private static final long PREFIX = Ipv6Config.DEFAULT_PREFIX_HIGH;
    private static final long GUEST_LOW = 0x5055_55ff_fe12_3456L; // a SLAAC interface id
    private static final long DOC_HIGH = 0x2001_0db8_0000_0000L; // 2001:db8::/32, documentation
    private static final int GUEST_PORT = 41000;

    private final ManualScheduler scheduler = new ManualScheduler();
    private final UsernetConfig config = UsernetConfig.defaults().withMtu(1500).withIpv6(Ipv6Config.defaults());
    private final MemoryFrameSink sink = new MemoryFrameSink();
    private final FakeHostConnector connector = new FakeHostConnector(scheduler);
    private final Ipv4Output out = new Ipv4Output(config, sink);
    private final TcpStack stack = new TcpStack(config, scheduler, out, new Ipv6Output(config, out),
            new AddressMap(config), connector, () -> new InetSocketAddress("127.0.0.1", 53));

    /** One segment the stack sent, parsed from its IPv6 frame (checksums verified). */
    private record Out(long srcHigh, long srcLow, long dstHigh, long dstLow, int srcPort, int dstPort, int seq,
            int ack, int flags, int mss, int length) {}

    private Out next() {
        byte[] frame = sink.poll();
        if (frame == null) {
            throw new AssertionError("the stack sent nothing");
        }
        ByteBuf b = Unpooled.wrappedBuffer(frame);
        EthernetFrame eth = new EthernetFrame().wrap(b);
        assertEquals(EthernetFrame.ETHERTYPE_IPV6, eth.etherType());
        Ipv6Packet ip = new Ipv6Packet().wrap(b, eth.payloadOffset(), eth.payloadLength());
        assertTrue(ip.check());
        assertEquals(Ipv6Packet.NH_TCP, ip.nextHeader());
        TcpSegment tcp = new TcpSegment().wrap(b, ip.payloadOffset(), ip.payloadLength());
        assertTrue(tcp.check());
        assertTrue(tcp.verifyChecksumIpv6(ip), "TCP checksum over the IPv6 pseudo-header");
        TcpOptions o = new TcpOptions();
        tcp.parseOptions(o);
        return new Out(ip.srcHigh(), ip.srcLow(), ip.dstHigh(), ip.dstLow(), tcp.srcPort(), tcp.dstPort(), tcp.seq(),
                tcp.ackNumber(), tcp.flags(), o.mss, tcp.payloadLength());
    }

    /** A guest segment as an IPv6 packet into the stack's IPv6 entry point. */
    private void guest(long dstHigh, long dstLow, int dstPort, int seq, int ack, int flags, TcpOptions o,
            byte[] data) {
        int optLen = o == null ? 0 : TcpSegment.optionsLength(o);
        int tcpLen = TcpSegment.MIN_HEADER_LENGTH + optLen + data.length;
        ByteBuf b = Unpooled.directBuffer(8 + Ipv6Packet.HEADER_LENGTH + tcpLen);
        b.writeZero(8 + Ipv6Packet.HEADER_LENGTH + tcpLen);
        Ipv6Packet ip = new Ipv6Packet().wrap(b, 8, Ipv6Packet.HEADER_LENGTH + tcpLen)
                .setVersionTrafficClassFlowLabel(0, 0).setPayloadLength(tcpLen).setNextHeader(Ipv6Packet.NH_TCP)
                .setHopLimit(64).setSrc(PREFIX, GUEST_LOW).setDst(dstHigh, dstLow);
        int at = 8 + Ipv6Packet.HEADER_LENGTH;
        int hl = TcpSegment.emitHeader(b, at, GUEST_PORT, dstPort, seq, ack, flags, 65535, 0, o);
        b.setBytes(at + hl, data);
        new TcpSegment().wrap(b, at, tcpLen).fillChecksumIpv6(ip);
        try {
            stack.receive(ip, Ipv6Packet.NH_TCP, at, tcpLen);
        } finally {
            b.release();
        }
        scheduler.runPending();
    }

    @Test
    void guestConnectionToAnOutsideAddressIsSplicedToThatIpv6Host() {
        guest(DOC_HIGH, 0x10, 80, 100, 0, TcpSegment.SYN, new TcpOptions().mss(1440), new byte[0]);
        FakeHostConnector.FakeHost host = connector.last();
        assertEquals(new InetSocketAddress(Ipv6Packet.toInetAddress(DOC_HIGH, 0x10), 80), host.remote);
        assertEquals(TcpState.CONNECTING, stack.state6(PREFIX, GUEST_LOW, GUEST_PORT, DOC_HIGH, 0x10, 80));
        host.accept();
        scheduler.runPending();
        Out synAck = next();
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck.flags());
        assertEquals(DOC_HIGH, synAck.srcHigh());
        assertEquals(0x10, synAck.srcLow());
        assertEquals(PREFIX, synAck.dstHigh());
        assertEquals(GUEST_LOW, synAck.dstLow());
        assertEquals(101, synAck.ack());
        assertEquals(1500 - 60, synAck.mss(), "IPv6 headers are 20 bytes longer");

        guest(DOC_HIGH, 0x10, 80, 101, synAck.seq() + 1, TcpSegment.ACK | TcpSegment.PSH, null,
                "GET /".getBytes(StandardCharsets.US_ASCII));
        assertEquals(TcpState.ESTABLISHED, stack.state6(PREFIX, GUEST_LOW, GUEST_PORT, DOC_HIGH, 0x10, 80));
        assertEquals("GET /", host.written.toString(StandardCharsets.US_ASCII));
        host.send("200".getBytes(StandardCharsets.US_ASCII), false);
        scheduler.runPending();
        Out data = null;
        for (Out o = next(); ; o = next()) {
            if (o.length() > 0) {
                data = o;
                break;
            }
        }
        assertEquals(3, data.length());
        assertEquals(synAck.seq() + 1, data.seq());
    }

    @Test
    void theIpv6GatewayIsTheHostsIpv6Loopback() {
        guest(PREFIX, Ipv6Config.GATEWAY_LOW, 8080, 7, 0, TcpSegment.SYN, null, new byte[0]);
        assertEquals(new InetSocketAddress(Ipv6Packet.toInetAddress(0, 1), 8080), connector.last().remote);
    }

    @Test
    void anotherAddressOfThePrefixIsRefusedWithAnIpv6Reset() {
        guest(PREFIX, 0x55, 80, 7, 0, TcpSegment.SYN, null, new byte[0]);
        Out rst = next();
        assertEquals(TcpSegment.RST | TcpSegment.ACK, rst.flags());
        assertEquals(8, rst.ack());
        assertEquals(0x55, rst.srcLow());
        assertEquals(0, connector.hosts.size());
    }

    @Test
    void sameAddressBitsInTheOtherFamilyAreAnotherConnection() {
        // ::10.0.2.100-like IPv6 addresses share the low bits of IPv4 ones; the family keeps them apart
        guest(DOC_HIGH, 0x10, 80, 100, 0, TcpSegment.SYN, null, new byte[0]);
        assertNull(stack.state(0, GUEST_PORT, 0x10, 80));
        assertEquals(TcpState.CONNECTING, stack.state6(PREFIX, GUEST_LOW, GUEST_PORT, DOC_HIGH, 0x10, 80));
    }

    @Test
    void activeOpenToAnIpv6GuestAddressSendsAnIpv6Syn() {
        assertTrue(stack.openToGuest(true, PREFIX, Ipv6Config.GATEWAY_LOW, 0, PREFIX, GUEST_LOW, 80,
                l -> connector.connect(new InetSocketAddress("::1", 40000), l)));
        Out syn = next();
        assertEquals(TcpSegment.SYN, syn.flags());
        assertEquals(Ipv6Config.GATEWAY_LOW, syn.srcLow());
        assertEquals(GUEST_LOW, syn.dstLow());
        assertEquals(80, syn.dstPort());
        assertEquals(1500 - 60, syn.mss());
    }

    @Test
    void withoutIpv6OutputIpv6SegmentsAreDropped() {
        TcpStack v4only = new TcpStack(config, scheduler, out, null, new AddressMap(config), connector,
                () -> new InetSocketAddress("127.0.0.1", 53));
        ByteBuf b = Unpooled.buffer(60);
        b.writeZero(60);
        Ipv6Packet ip = new Ipv6Packet().wrap(b);
        v4only.receive(ip, Ipv6Packet.NH_TCP, 40, 20);
        assertEquals(0, sink.size());
        assertEquals(0, v4only.connectionCount());
        assertTrue(!v4only.openToGuest(true, PREFIX, 2, 0, PREFIX, GUEST_LOW, 80, l -> {
            throw new AssertionError("not attached");
        }));
    }
}
