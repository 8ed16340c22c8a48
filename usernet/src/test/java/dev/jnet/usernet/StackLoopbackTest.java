package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The production stack ({@link Stack#create}) on a real epoll event loop, against UDP servers
 * on 127.0.0.1 (the gateway 10.0.2.2 is the host's loopback) and a fake resolver there.
 */
class StackLoopbackTest {
    static final int GW = 0x0A000202;
    static final int DNS = 0x0A000203;
    static final int GUEST = 0x0A000264;

    final UsernetConfig config = UsernetConfig.defaults().withResolvConf(Path.of("/nonexistent/resolv.conf"));
    final TestGuest guest = new TestGuest(config);
    final MemoryFrameSink sink = new MemoryFrameSink();
    EpollLoop loop;
    LoopbackUdpServers servers;
    Stack stack;

    @BeforeEach
    void start() throws Exception {
        loop = new EpollLoop();
        servers = new LoopbackUdpServers(InetAddress.getLoopbackAddress(), "canned answer for example.test");
        stack = loop.call(() -> Stack.create(config, loop.scheduler, sink, servers.dns()));
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
    void udpToTheGatewayRoundTripsThroughAHostLoopbackServer() throws Exception {
        int port = servers.echo.getLocalPort();
        byte[] small = "hello through the NAT".getBytes(StandardCharsets.US_ASCII);
        byte[] large = new byte[config.mtu() - 28]; // the largest the link carries
        new Random(1).nextBytes(large);
        for (byte[] payload : new byte[][] {small, large}) {
            send(guest.udp(40000, GW, port, payload));
            TestGuest.Received r = new TestGuest.Received(sink.take());
            assertThat(r.ip.src()).isEqualTo(GW);
            assertThat(r.ip.dst()).isEqualTo(GUEST);
            UdpDatagram u = r.udp();
            assertThat(u.srcPort()).isEqualTo(port);
            assertThat(u.dstPort()).isEqualTo(40000);
            assertThat(r.udpPayload()).isEqualTo(payload);
        }
        assertThat(stack.stats().udpFlows()).isEqualTo(1);
        assertThat(sink.hostSocketsOpened()).as("one flow, one host socket told to the link").isEqualTo(1);
        assertThat(loop.call(() -> stack.udp().fromHostInPlace())).isEqualTo(2); // read behind headroom, no copy
        // list_connections' view of it: both datagrams each way, payload bytes counted
        assertThat(stack.flows()).singleElement().satisfies(f -> {
            assertThat(f.proto()).isEqualTo("udp");
            assertThat(f.guestAddr()).isEqualTo("10.0.2.100");
            assertThat(f.guestPort()).isEqualTo(40000);
            assertThat(f.remoteAddr()).isEqualTo("10.0.2.2");
            assertThat(f.remotePort()).isEqualTo(port);
            assertThat(f.packetsFromGuest()).isEqualTo(2);
            assertThat(f.packetsToGuest()).isEqualTo(2);
            assertThat(f.bytesFromGuest()).isEqualTo(small.length + large.length);
            assertThat(f.bytesToGuest()).isEqualTo(small.length + large.length);
            assertThat(f.ageMillis()).isNotNegative();
        });
    }

    @Test
    void aClosedHostPortGivesIcmpPortUnreachable() throws Exception {
        int closedPort;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = s.getLocalPort();
        }
        send(guest.udp(40000, GW, closedPort, "anyone?".getBytes(StandardCharsets.US_ASCII)));
        TestGuest.Received r = new TestGuest.Received(sink.take());
        assertThat(r.ip.src()).isEqualTo(GW);
        IcmpV4Packet icmp = r.icmp();
        assertThat(icmp.type()).isEqualTo(IcmpV4Packet.TYPE_DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(3);
        int quotedUdp = icmp.payloadOffset() + Ipv4Packet.MIN_HEADER_LENGTH;
        assertThat(r.buf.getUnsignedShort(quotedUdp)).isEqualTo(40000);
        assertThat(r.buf.getUnsignedShort(quotedUdp + 2)).isEqualTo(closedPort);
    }

    @Test
    void dnsToDotThreeIsForwardedToTheResolverAndAnsweredFromDotThree() throws Exception {
        byte[] q = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e',
            's', 't', 0, 0, 1, 0, 1};
        send(guest.udp(53001, DNS, 53, q));
        TestGuest.Received r = new TestGuest.Received(sink.take());
        assertThat(r.ip.src()).isEqualTo(DNS);
        assertThat(r.udp().srcPort()).isEqualTo(53);
        assertThat(r.udp().dstPort()).isEqualTo(53001);
        assertThat(new String(r.udpPayload(), StandardCharsets.US_ASCII)).isEqualTo("canned answer for example.test");
        assertThat(servers.query.get()).isEqualTo(q);
        StackStats s = stack.stats();
        assertThat(s.dnsFlows()).isEqualTo(1);
        assertThat(s.udpFlows()).isZero();
        assertThat(sink.hostSocketsOpened()).isEqualTo(1);
    }

    @Test
    void pingToTheGatewayNeedsNoHostSocket() throws Exception {
        send(guest.ping(GW, 9, 1, new byte[56]));
        TestGuest.Received r = new TestGuest.Received(sink.take());
        assertThat(r.icmp().type()).isEqualTo(IcmpV4Packet.TYPE_ECHO_REPLY);
        assertThat(stack.stats().icmpFlows()).isZero();
        assertThat(sink.hostSocketsOpened()).isZero();
    }

    @Test
    void closeReleasesEveryHostSocket() throws Exception {
        send(guest.udp(40999, GW, servers.echo.getLocalPort(), new byte[] {1})); // warm up: classes (and jars) loaded
        sink.take();
        long baseline = openFds();
        for (int i = 0; i < 20; i++) {
            send(guest.udp(41000 + i, GW, servers.echo.getLocalPort(), new byte[] {(byte) i}));
        }
        for (int i = 0; i < 20; i++) {
            sink.take();
        }
        assertThat(stack.stats().udpFlows()).isEqualTo(21);
        long during = openFds();
        stack.close();
        long after = openFds();
        assertThat(stack.stats().hostFlows()).isZero();
        assertThat(during - after).as("sockets closed").isGreaterThanOrEqualTo(21);
        assertThat(after).as("fds after close vs. before the 20 flows").isLessThan(baseline);
        stack = null;
    }

    static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
