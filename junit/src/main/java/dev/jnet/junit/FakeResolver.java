package dev.jnet.junit;

import dev.jnet.usernet.dns.DnsZones;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The {@link Internet}'s resolver: a UDP server on the host's loopback that answers every query
 * from the test's {@link DnsZones} (NXDOMAIN for other names) and forwards nothing. The
 * stack's DNS address forwards here, so the guest's names never reach a real resolver.
 */
final class FakeResolver implements AutoCloseable {
    private final DnsZones zones;
    private final DatagramSocket socket;
    private final Thread thread;

    FakeResolver(DnsZones zones) {
        this.zones = zones;
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new TopologyException("a loopback socket for the fake resolver: " + e.getMessage(), e);
        }
        thread = new Thread(this::serve, "jnet-fake-resolver");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buf = new byte[1500];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        while (!socket.isClosed()) {
            try {
                p.setLength(buf.length);
                socket.receive(p);
                Optional<byte[]> answer = zones.answer(buf, p.getLength());
                if (answer.isPresent()) {
                    socket.send(new DatagramPacket(answer.get(), answer.get().length, p.getSocketAddress()));
                }
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
                // one bad exchange (the stack's flow gone): serve the next
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
