package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.icmp.IcmpEchoForwarder;
import dev.jnet.usernet.icmp.PingSocket;
import dev.jnet.usernet.icmp6.Icmpv6EchoForwarder;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The production stack with IPv6 on ({@link Stack#create}) on a real epoll event loop: UDP over
 * IPv6 via prefix::2 to a server on the host's ::1, and DNS at prefix::3 forwarded to a fake
 * resolver on 127.0.0.1 (an IPv4 resolver, which libslirp cannot use for IPv6 guests).
 */
class Ipv6LoopbackTest {
    static final long PREFIX = Ipv6Config.DEFAULT_PREFIX_HIGH;

    final UsernetConfig config = UsernetConfig.defaults().withIpv6(Ipv6Config.defaults())
            .withResolvConf(Path.of("/nonexistent/resolv.conf"));
    final TestGuest6 guest = new TestGuest6(config);
    final MemoryFrameSink sink = new MemoryFrameSink();
    EpollLoop loop;
    LoopbackUdpServers servers;
    Stack stack;

    @BeforeEach
    void start() throws Exception {
        loop = new EpollLoop();
        servers = new LoopbackUdpServers(InetAddress.getByName("::1"), "canned AAAA answer");
        stack = loop.call(() -> Stack.create(config, loop.scheduler, sink, servers.dns()));
        TestGuest6.Received ra = new TestGuest6.Received(sink.take());
        assertThat(ra.icmp().type()).isEqualTo(Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT);
        send(guest.routerSolicitation(255)); // the guest's MAC, learned
        sink.take();
    }

    @AfterEach
    void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        servers.close();
        loop.close();
    }

    void send(ByteBuf frame) throws Exception {
        loop.run(() -> stack.receiveFrame(frame));
    }

    @Test
    void udpToTheGatewayRoundTripsThroughAnIpv6LoopbackServerInPlace() throws Exception {
        int port = servers.echo.getLocalPort();
        byte[] small = "hello over IPv6".getBytes(StandardCharsets.US_ASCII);
        byte[] large = new byte[config.mtu() - 48]; // the largest the link carries
        new Random(6).nextBytes(large);
        for (byte[] payload : new byte[][] {small, large}) {
            send(guest.udp(40000, PREFIX, 2, port, payload));
            TestGuest6.Received r = new TestGuest6.Received(sink.take());
            assertThat(r.ip.srcHigh()).isEqualTo(PREFIX);
            assertThat(r.ip.srcLow()).isEqualTo(2);
            assertThat(r.ip.dstLow()).isEqualTo(TestGuest6.GLOBAL_LOW);
            UdpDatagram u = r.udp();
            assertThat(u.srcPort()).isEqualTo(port);
            assertThat(u.dstPort()).isEqualTo(40000);
            assertThat(r.udpPayload()).isEqualTo(payload);
        }
        assertThat(loop.call(() -> stack.ipv6().udp().fromHostInPlace())).isEqualTo(2);
    }

    @Test
    void aClosedIpv6HostPortGivesIcmpv6PortUnreachable() throws Exception {
        int closedPort;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            closedPort = s.getLocalPort();
        }
        send(guest.udp(40000, PREFIX, 2, closedPort, new byte[] {1}));
        TestGuest6.Received r = new TestGuest6.Received(sink.take());
        Icmpv6Packet icmp = r.icmp();
        assertThat(icmp.type()).isEqualTo(Icmpv6Packet.TYPE_DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(4);
        assertThat(r.buf.getUnsignedShort(icmp.payloadOffset() + 40 + 2)).isEqualTo(closedPort);
    }

    @Test
    void dnsToPrefix3IsForwardedToAnIpv4ResolverAndAnsweredFromPrefix3() throws Exception {
        byte[] q = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e',
            's', 't', 0, 0, 28, 0, 1};
        send(guest.udp(53001, PREFIX, 3, 53, q));
        TestGuest6.Received r = new TestGuest6.Received(sink.take());
        assertThat(r.ip.srcLow()).isEqualTo(3);
        assertThat(r.udp().srcPort()).isEqualTo(53);
        assertThat(r.udp().dstPort()).isEqualTo(53001);
        assertThat(new String(r.udpPayload(), StandardCharsets.US_ASCII)).isEqualTo("canned AAAA answer");
        assertThat(servers.query.get()).isEqualTo(q);
    }

    @Test
    void echoForwardingThroughARealIcmpv6PingSocketToTheHostsLoopback() throws Exception {
        // ::1 is not reachable from the guest (the address map refuses it), so hand the forwarder
        // a request for 2001:db8::10 with ::1 as its host address: a real ICMPv6 datagram socket
        byte[] data = "ping6 through a host socket".getBytes(StandardCharsets.US_ASCII);
        ByteBuf frame = guest.ping(0x2001_0db8_0000_0000L, 0x10, 0x4321, 5, data);
        Ipv6Output out6 = new Ipv6Output(config, stack.output());
        Icmpv6EchoForwarder forwarder = loop.call(() -> new Icmpv6EchoForwarder(loop.scheduler, out6,
                PingSocket.factory6(loop.loop), 4, IcmpEchoForwarder.IDLE_NANOS));
        Inet6Address loopback = (Inet6Address) InetAddress.getByName("::1");
        try {
            loop.run(() -> {
                Ipv6Packet ip = new Ipv6Packet().wrap(frame, EthernetFrame.HEADER_LENGTH,
                        frame.readableBytes() - EthernetFrame.HEADER_LENGTH);
                Icmpv6Packet echoRequest = new Icmpv6Packet().wrap(frame, ip.payloadOffset(), ip.payloadLength());
                forwarder.forward(ip, echoRequest, loopback);
                frame.release();
            });
            org.junit.jupiter.api.Assumptions.assumeFalse(loop.call(forwarder::unsupported),
                    "ping_group_range excludes this user");
            TestGuest6.Received r = new TestGuest6.Received(sink.take());
            Icmpv6Packet icmp = r.icmp(); // checksum recomputed for the guest's addresses
            assertThat(icmp.type()).isEqualTo(Icmpv6Packet.TYPE_ECHO_REPLY);
            assertThat(icmp.echoIdentifier()).isEqualTo(0x4321);
            assertThat(icmp.echoSequence()).isEqualTo(5);
            assertThat(r.ip.srcHigh()).isEqualTo(0x2001_0db8_0000_0000L);
            assertThat(r.ip.srcLow()).isEqualTo(0x10);
            assertThat(TestGuest.bytes(r.buf, icmp.payloadOffset(), icmp.payloadLength())).isEqualTo(data);
        } finally {
            loop.run(forwarder::close);
        }
    }
}
