package dev.jnet.usernet.forward;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What pasta's {@code auto} sees of a namespace (here our own): listeners and bound UDP sockets, not clients. */
class ListeningPortsTest {
    @Test
    void listeningTcpAndBoundUdpPortsAreFoundAndGoWithTheirSockets() throws Exception {
        try (ListeningPorts scan = ListeningPorts.ofOwnNamespace()) {
            int tcpPort;
            int udpPort;
            int clientPort;
            try (ServerSocket lo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    ServerSocket any6 = new ServerSocket(0);
                    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    Socket client = new Socket(InetAddress.getLoopbackAddress(), lo.getLocalPort())) {
                tcpPort = lo.getLocalPort();
                udpPort = udp.getLocalPort();
                clientPort = client.getLocalPort();
                BitSet tcp = scan.tcp();
                assertThat(tcp.get(tcpPort)).as("IPv4 listener").isTrue();
                assertThat(tcp.get(any6.getLocalPort())).as("wildcard listener (IPv6 socket)").isTrue();
                assertThat(tcp.get(clientPort)).as("a connected client is no listener").isFalse();
                assertThat(scan.udp().get(udpPort)).as("bound UDP socket").isTrue();
            }
            assertThat(scan.tcp().get(tcpPort)).as("closed listener").isFalse();
            assertThat(scan.udp().get(udpPort)).as("closed UDP socket").isFalse();
        }
    }

    @Test
    void theSourcePortIsReadBigEndianAfterTheHeaders() {
        ByteBuffer msg = ByteBuffer.allocate(88).order(ByteOrder.nativeOrder());
        msg.put(16, (byte) 2).put(17, (byte) 10).put(20, (byte) 0x1f).put(21, (byte) 0x90); // sport 8080
        ByteBuffer zero = ByteBuffer.allocate(88);
        BitSet ports = new BitSet();
        ListeningPorts.addPorts(List.of(msg, zero, ByteBuffer.allocate(10)), ports);
        assertThat(ports.stream().boxed().toList()).containsExactly(8080);
    }
}
