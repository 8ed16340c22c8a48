package dev.jnet.usernet;

import dev.jnet.usernet.dns.DnsForwarder;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * The host side of the loopback stack tests: a UDP echo server and a fake resolver on
 * 127.0.0.1 that records the last query and answers with canned text, each on a bounded
 * thread; {@link #close} stops both.
 */
final class LoopbackUdpServers implements AutoCloseable {
    final DatagramSocket echo;
    final DatagramSocket resolver;
    /** The last query the resolver heard. */
    final AtomicReference<byte[]> query = new AtomicReference<>();
    private final Thread echoThread;
    private final Thread resolverThread;

    /** @param echoAddress where the echo server listens (127.0.0.1 or ::1) */
    LoopbackUdpServers(InetAddress echoAddress, String answer) throws IOException {
        echo = new DatagramSocket(new InetSocketAddress(echoAddress, 0));
        echo.setSoTimeout(100);
        echoThread = serve(echo, p -> p);
        resolver = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        resolver.setSoTimeout(100);
        byte[] canned = answer.getBytes(StandardCharsets.US_ASCII);
        resolverThread = serve(resolver, p -> {
            query.set(Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength()));
            return new DatagramPacket(canned, canned.length, p.getSocketAddress());
        });
    }

    /** A forwarder to the fake resolver. */
    DnsForwarder dns() {
        return DnsForwarder.of(List.of((InetSocketAddress) resolver.getLocalSocketAddress()));
    }

    /** A bounded server thread: answers until its socket is closed. */
    private static Thread serve(DatagramSocket socket, UnaryOperator<DatagramPacket> answer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65536];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    socket.send(answer.apply(p));
                } catch (SocketTimeoutException e) {
                    // poll the closed flag again
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-udp-server");
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() throws InterruptedException {
        echo.close();
        resolver.close();
        echoThread.join(2000);
        resolverThread.join(2000);
    }
}
