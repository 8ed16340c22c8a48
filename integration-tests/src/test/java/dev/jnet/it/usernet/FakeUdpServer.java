package dev.jnet.it.usernet;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A UDP service bound inside a namespace: each datagram gets at most one reply, to its sender. */
final class FakeUdpServer implements AutoCloseable {
    /** The reply to one datagram, or empty for none. */
    @FunctionalInterface
    interface Responder {
        Optional<byte[]> respond(byte[] data);
    }

    private final String service;
    private final DatagramSocket socket;
    private final Responder responder;
    private final AtomicInteger requests = new AtomicInteger();
    private final Thread loop;

    private FakeUdpServer(String service, DatagramSocket socket, Responder responder) {
        this.service = service;
        this.socket = socket;
        this.responder = responder;
        this.loop = new Thread(this::serve, "fake-" + service);
        this.loop.setDaemon(true);
    }

    static FakeUdpServer start(String netns, String service, InetSocketAddress at, Responder responder) throws Exception {
        DatagramSocket socket = InNetns.call(netns, () -> new DatagramSocket(at));
        FakeUdpServer server = new FakeUdpServer(service, socket, responder);
        server.loop.start();
        return server;
    }

    /** The echo service: every datagram comes back unchanged. */
    static Responder echo() {
        return data -> Optional.of(data);
    }

    private void serve() {
        byte[] buf = new byte[65_535];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                requests.incrementAndGet();
                Optional<byte[]> reply = responder.respond(Arrays.copyOfRange(buf, p.getOffset(), p.getOffset() + p.getLength()));
                if (reply.isPresent()) {
                    socket.send(new DatagramPacket(reply.get(), reply.get().length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
                // a send error (e.g. ICMP unreachable from an earlier reply): keep serving
            }
        }
    }

    /** Datagrams received so far. */
    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        socket.close();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return service + "@" + socket.getLocalSocketAddress();
    }
}
