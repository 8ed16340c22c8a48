package dev.jnet.usernet.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.usernet.EpollLoop;
import dev.jnet.usernet.MemoryFrameSink;
import dev.jnet.usernet.Stack;
import dev.jnet.usernet.TestGuest;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.tcp.AcceptedTcpSockets;
import dev.jnet.usernet.tcp.RawTcpHostConnector;
import dev.jnet.usernet.tcp.TcpStack;
import dev.jnet.usernet.udp.NettyUdpHostConnector;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Port forwards on a real epoll loop with real host sockets on 127.0.0.1 and an in-memory
 * guest: the guest's side of every exchange is frames read from and handed to the stack.
 */
class PortForwardingTest {
    static final int GW = 0x0A000202;
    static final int GUEST = 0x0A000264;
    static final InetAddress LO = InetAddress.getLoopbackAddress();

    final UsernetConfig config = UsernetConfig.defaults().withResolvConf(Path.of("/nonexistent/resolv.conf"));
    final TestGuest guest = new TestGuest(config);
    final MemoryFrameSink sink = new MemoryFrameSink();
    EpollLoop loop;
    Stack stack;
    PortForwarding forwarding;

    @BeforeEach
    void start() throws Exception {
        loop = new EpollLoop();
        stack = loop.call(() -> {
            Ipv4Output out = new Ipv4Output(config, sink);
            AddressMap map = new AddressMap(config);
            UdpNat udp = new UdpNat(config, loop.scheduler, out, map, DnsForwarder.of(List.of()),
                    new NettyUdpHostConnector(loop.loop, null, out.maxTransportLength() - 8, UdpNat.HEADROOM),
                    UdpNat.Limits.DEFAULT);
            AcceptedTcpSockets tcpSockets = new AcceptedTcpSockets(loop.scheduler);
            TcpStack tcp = new TcpStack(config, loop.scheduler, out, map,
                    new RawTcpHostConnector(loop.scheduler, config), () -> null);
            forwarding = new PortForwarding(config, loop.scheduler, loop.loop, tcp, tcpSockets, udp, out,
                    new PortForwarding.Limits(2, TimeUnit.SECONDS.toNanos(240)));
            return new Stack(config, loop.scheduler, out, tcp, tcp::connectionCount, udp, null);
        });
    }

    @AfterEach
    void stop() throws Exception {
        loop.run(forwarding::close);
        stack.close();
        loop.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LO)) {
            return s.getLocalPort();
        }
    }

    int add(HostForward f) throws Exception {
        return forwarding.add(f).get(5, TimeUnit.SECONDS);
    }

    void fromGuest(ByteBuf frame) throws Exception {
        loop.run(() -> stack.receiveFrame(frame));
    }

    /** A TCP segment from the guest's {@code guestPort} to the gateway's {@code port}. */
    void tcpFromGuest(int guestPort, int port, int seq, int ack, int flags, byte[] data) throws Exception {
        TcpOptions o = flags == (TcpSegment.SYN | TcpSegment.ACK) ? new TcpOptions().mss(1460) : null;
        ByteBuf b = Unpooled.buffer(60 + data.length);
        int hl = TcpSegment.emitHeader(b, 0, guestPort, port, seq, ack, flags, 65535, 0, o);
        b.setBytes(hl, data);
        new TcpSegment().wrap(b, 0, hl + data.length).fillChecksumIpv4(GUEST, GW);
        byte[] bytes = new byte[hl + data.length];
        b.getBytes(0, bytes);
        fromGuest(guest.ipv4(GUEST, GW, Ipv4Packet.PROTO_TCP, bytes));
    }

    /** The next TCP segment the stack sent (skipping nothing: the guest is quiet otherwise). */
    TcpSegment nextTcp(TestGuest.Received[] keep) throws InterruptedException {
        TestGuest.Received r = new TestGuest.Received(sink.take());
        keep[0] = r;
        assertThat(r.ip.protocol()).isEqualTo(Ipv4Packet.PROTO_TCP);
        TcpSegment s = new TcpSegment().wrap(r.buf, r.ip.payloadOffset(), r.ip.payloadLength());
        assertThat(s.check() && s.verifyChecksumIpv4(r.ip.src(), r.ip.dst())).isTrue();
        return s;
    }

    @Test
    void aTcpClientBecomesAConnectionFromTheGatewayToTheGuestWithDataBothWays() throws Exception {
        int port = freePort();
        int id = add(HostForward.of(HostForward.Proto.TCP, LO, port, 80));
        assertThat(id).isEqualTo(1);
        try (Socket client = new Socket(LO, port)) {
            client.setSoTimeout(5000);
            TestGuest.Received[] r = new TestGuest.Received[1];
            TcpSegment syn = nextTcp(r);
            assertThat(syn.flags()).isEqualTo(TcpSegment.SYN);
            assertThat(r[0].ip.src()).isEqualTo(GW);
            assertThat(r[0].ip.dst()).isEqualTo(GUEST);
            assertThat(syn.dstPort()).isEqualTo(80);
            int from = syn.srcPort();
            int iss = syn.seq();
            tcpFromGuest(80, from, 1000, iss + 1, TcpSegment.SYN | TcpSegment.ACK, new byte[0]);
            TcpSegment ack = nextTcp(r);
            assertThat(ack.flags()).isEqualTo(TcpSegment.ACK);
            assertThat(ack.ackNumber()).isEqualTo(1001);

            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            TcpSegment data = nextTcp(r);
            assertThat(data.payloadLength()).isEqualTo(4);
            assertThat(new String(TestGuestBytes.of(r[0].buf, data.payloadOffset(), 4), StandardCharsets.US_ASCII))
                    .isEqualTo("ping");

            tcpFromGuest(80, from, 1001, iss + 5, TcpSegment.ACK | TcpSegment.PSH,
                    "pong".getBytes(StandardCharsets.US_ASCII));
            byte[] got = client.getInputStream().readNBytes(4);
            assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("pong");

            tcpFromGuest(80, from, 1005, 0, TcpSegment.RST, new byte[0]);
            assertThat(endOf(client.getInputStream())).as("the guest's reset ends the client").isTrue();
        }
    }

    @Test
    void aGuestRefusalResetsTheClient() throws Exception {
        int port = freePort();
        add(HostForward.of(HostForward.Proto.TCP, LO, port, 81));
        try (Socket client = new Socket(LO, port)) {
            client.setSoTimeout(5000);
            TestGuest.Received[] r = new TestGuest.Received[1];
            TcpSegment syn = nextTcp(r);
            tcpFromGuest(81, syn.srcPort(), 0, syn.seq() + 1, TcpSegment.RST | TcpSegment.ACK, new byte[0]);
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    /** Reads to the end: true on EOF or a reset, false on a timeout. */
    static boolean endOf(InputStream in) throws IOException {
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    @Test
    void removeClosesTheListenerAndTheIdIsGone() throws Exception {
        int port = freePort();
        int id = add(HostForward.of(HostForward.Proto.TCP, LO, port, 80));
        assertThat(forwarding.list().get()).extracting(PortForwarding.Entry::id).containsExactly(id);
        forwarding.remove(id).get(5, TimeUnit.SECONDS);
        assertThatThrownBy(() -> new Socket(LO, port).close()).isInstanceOf(ConnectException.class);
        try (ServerSocket again = new ServerSocket(port, 1, LO)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        assertThat(forwarding.list().get()).isEmpty();
        assertThatThrownBy(() -> forwarding.remove(id).get()).cause().isInstanceOf(ForwardException.class)
                .hasMessage("no forward with id " + id);
    }

    @Test
    void aPortInUseIsATypedErrorAndTheIdIsNotSpent() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, LO)) {
            int port = taken.getLocalPort();
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> add(HostForward.of(HostForward.Proto.TCP, LO, port, 80)));
            assertThat(e.getCause()).isInstanceOf(ForwardException.class)
                    .hasMessage("127.0.0.1:" + port + "/tcp: address already in use");
            assertThat(((ForwardException) e.getCause()).kind()).isEqualTo(ForwardException.Kind.PORT_IN_USE);
        }
        assertThat(add(HostForward.of(HostForward.Proto.TCP, LO, freePort(), 80))).isEqualTo(1);
    }

    @Test
    void anIpv6OnlyForwardListensBesideAnIpv4OneOnTheSamePort() throws Exception {
        int port = freePort();
        InetAddress any4 = InetAddress.getByName("0.0.0.0");
        InetAddress any6 = InetAddress.getByName("::");
        add(HostForward.of(HostForward.Proto.TCP, any4, port, 80));
        ExecutionException dual = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> add(HostForward.of(HostForward.Proto.TCP, any6, port, 80)));
        assertThat(dual.getCause()).as("a dual-stack :: takes IPv4 too").hasMessageEndingWith("address already in use");
        add(new HostForward(HostForward.Proto.TCP, any6, port, null, 80, false, null, true));
        add(new HostForward(HostForward.Proto.UDP, any6, port, null, 53, false, null, true));
        add(HostForward.of(HostForward.Proto.UDP, any4, port, 53));
        try (Socket client = new Socket(InetAddress.getByName("::1"), port)) {
            TestGuest.Received[] r = new TestGuest.Received[1];
            TcpSegment syn = nextTcp(r);
            assertThat(syn.flags()).isEqualTo(TcpSegment.SYN);
            assertThat(syn.dstPort()).isEqualTo(80);
        }
        assertThatThrownBy(() -> new HostForward(HostForward.Proto.TCP, any4, port, null, 80, false, null, true))
                .isInstanceOf(ForwardException.class).hasMessage("IPv6 only, but the host address 0.0.0.0 is not IPv6");
    }

    @Test
    void guestAddressesOutsideTheGuestSubnetAreRefused() throws Exception {
        for (String bad : List.of("10.0.2.2", "10.0.2.3", "192.0.2.1", "10.0.2.255", "fd00::100")) {
            HostForward f = new HostForward(HostForward.Proto.TCP, LO, freePort(), InetAddress.getByName(bad), 80,
                    false);
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> add(f));
            assertThat(((ForwardException) e.getCause()).kind()).as(bad)
                    .isEqualTo(ForwardException.Kind.BAD_GUEST_ADDRESS);
        }
        assertThat(forwarding.list().get()).isEmpty();
    }

    @Test
    void udpClientsEachGetAFlowAndTheGuestsRepliesGoBackToTheRightOne() throws Exception {
        int port = freePort();
        add(HostForward.of(HostForward.Proto.UDP, LO, port, 5300));
        try (DatagramSocket a = new DatagramSocket(0, LO); DatagramSocket b = new DatagramSocket(0, LO);
                DatagramSocket c = new DatagramSocket(0, LO)) {
            for (DatagramSocket s : List.of(a, b, c)) {
                s.setSoTimeout(3000);
            }
            int fromA = sendAndSee(a, port, "a1");
            int fromB = sendAndSee(b, port, "b1");
            assertThat(fromA).isNotEqualTo(fromB);
            assertThat(sendAndSee(a, port, "a2")).as("one flow per client").isEqualTo(fromA);

            replyFromGuest(fromB, "to b");
            assertThat(receive(b)).isEqualTo("to b");
            replyFromGuest(fromA, "to a");
            assertThat(receive(a)).isEqualTo("to a");
            assertThat(forwarding.udpFlowCount()).isEqualTo(2);

            // the table holds 2: a third client evicts the least recently used (b's)
            int fromC = sendAndSee(c, port, "c1");
            assertThat(forwarding.udpFlowCount()).isEqualTo(2);
            replyFromGuest(fromC, "to c");
            assertThat(receive(c)).isEqualTo("to c");
            assertThat(sendAndSee(b, port, "b2")).as("b comes back as a new flow").isNotEqualTo(fromB);
        }
    }

    @Test
    void aGuestReplyFromAnotherOfItsAddressesStillReachesTheClient() throws Exception {
        // a guest server on 0.0.0.0 answers from the address the kernel picks: a guest that also
        // holds a DHCP lease (10.0.2.15 beside 10.0.2.100) may answer from the lease
        int port = freePort();
        add(HostForward.of(HostForward.Proto.UDP, LO, port, 5300));
        try (DatagramSocket a = new DatagramSocket(0, LO)) {
            a.setSoTimeout(3000);
            int fromA = sendAndSee(a, port, "a1");
            int lease = 0x0A00020F;
            byte[] text = "from the lease".getBytes(StandardCharsets.US_ASCII);
            fromGuest(guest.ipv4(lease, GW, Ipv4Packet.PROTO_UDP, TestGuest.udpBytes(lease, 5300, GW, fromA, text)));
            assertThat(receive(a)).isEqualTo("from the lease");
        }
    }

    int sendAndSee(DatagramSocket client, int port, String text) throws Exception {
        byte[] d = text.getBytes(StandardCharsets.US_ASCII);
        client.send(new DatagramPacket(d, d.length, LO, port));
        TestGuest.Received r = new TestGuest.Received(sink.take());
        UdpDatagram u = r.udp();
        assertThat(r.ip.src()).isEqualTo(GW);
        assertThat(r.ip.dst()).isEqualTo(GUEST);
        assertThat(u.dstPort()).isEqualTo(5300);
        assertThat(new String(r.udpPayload(), StandardCharsets.US_ASCII)).isEqualTo(text);
        return u.srcPort();
    }

    void replyFromGuest(int toPort, String text) throws Exception {
        fromGuest(guest.udp(5300, GW, toPort, text.getBytes(StandardCharsets.US_ASCII)));
    }

    static String receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void udpToAnIpv6GuestNeedsIpv6On() throws Exception {
        HostForward f = new HostForward(HostForward.Proto.UDP, LO, freePort(), InetAddress.getByName("fd00::100"),
                53, false);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> add(f));
        assertThat(e.getCause()).hasMessageContaining("IPv6, which is off");
    }

    @Test
    void closedForwardingRefusesNewForwards() throws Exception {
        loop.run(forwarding::close);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> add(HostForward.of(HostForward.Proto.TCP, LO, freePort(), 80)));
        assertThat(((ForwardException) e.getCause()).kind()).isEqualTo(ForwardException.Kind.UNAVAILABLE);
    }

    /** Bytes of a buffer region. */
    static final class TestGuestBytes {
        static byte[] of(ByteBuf b, int index, int length) {
            byte[] out = new byte[length];
            b.getBytes(index, out);
            return out;
        }
    }
}
