package dev.jnet.junit;

import dev.jnet.usernet.dns.DnsZones;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Optional;

/**
 * The {@link Internet}'s resolver: a UDP and a TCP server on one port of the host's loopback
 * that answer every query from the test's {@link DnsZones} (NXDOMAIN for other names) and
 * forward nothing. The stack's DNS address forwards here (UDP to the UDP socket, DNS over TCP
 * to the TCP one, RFC 1035 4.2.2 framing), so the guest's names never reach a real resolver.
 */
final class FakeResolver implements AutoCloseable {
    /** Binding UDP and TCP on one free port: attempts (another process may take the TCP port between). */
    private static final int BIND_ATTEMPTS = 10;
    /** A TCP client idle this long is dropped (one thread serves TCP clients one at a time). */
    private static final int TCP_IDLE_MILLIS = 5000;

    private final DnsZones zones;
    private final DatagramSocket socket;
    private final ServerSocket tcp;
    private final Thread thread;
    private final Thread tcpThread;

    FakeResolver(DnsZones zones) {
        this.zones = zones;
        DatagramSocket udp = null;
        ServerSocket stream = null;
        IOException last = null;
        for (int i = 0; i < BIND_ATTEMPTS && stream == null; i++) {
            try {
                udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                stream = new ServerSocket(udp.getLocalPort(), 16, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                last = e;
                if (udp != null) {
                    udp.close();
                }
            }
        }
        if (stream == null) {
            throw new TopologyException("loopback sockets for the fake resolver: " + last.getMessage(), last);
        }
        socket = udp;
        tcp = stream;
        thread = daemon(this::serve, "jnet-fake-resolver");
        tcpThread = daemon(this::serveTcp, "jnet-fake-resolver-tcp");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The resolver's address: UDP and TCP. */
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

    private void serveTcp() {
        byte[] buf = new byte[65535];
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                s.setSoTimeout(TCP_IDLE_MILLIS);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                while (true) { // queries of one connection until it ends, goes idle or breaks
                    int length = in.readUnsignedShort();
                    in.readFully(buf, 0, length);
                    Optional<byte[]> answer = zones.answer(buf, length);
                    if (answer.isEmpty()) {
                        break;
                    }
                    out.writeShort(answer.get().length);
                    out.write(answer.get());
                    out.flush();
                }
            } catch (SocketTimeoutException e) {
                // idle client: dropped, the next one is served
            } catch (IOException e) {
                if (tcp.isClosed()) {
                    return;
                }
                // one bad connection (ended, reset): serve the next
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing a listener: nothing to report
        }
        try {
            thread.join(5000);
            tcpThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
