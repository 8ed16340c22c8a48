package dev.jnet.junit;

import dev.jnet.net.IpAddress;
import dev.jnet.usernet.nat.HostRedirect;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * A host of an {@link Internet}: an address the guest reaches (answers ping) whose ports are
 * served by the test — by a handler in this JVM ({@link #serve}) or by a server the test runs
 * on the host's loopback ({@link #forward} for TCP, {@link #forwardUdp} for UDP). Ports are per
 * protocol; ports not declared refuse connections (TCP reset, ICMP unreachable for UDP).
 */
public final class FakeHost {
    /** Serves one TCP connection of the guest (on a thread of its own); the socket is closed after. */
    @FunctionalInterface
    public interface Handler {
        void handle(Socket connection) throws Exception;
    }

    /** Connections served at once per port; more are closed at once. */
    static final int MAX_CONNECTIONS = 64;

    private final IpAddress address;
    private final FakeHosts hosts;
    private final List<ServerSocket> listeners = new ArrayList<>();
    private final Set<Socket> open = new HashSet<>();
    private boolean closed;

    FakeHost(IpAddress address, FakeHosts hosts) {
        this.address = address;
        this.hosts = hosts;
    }

    /** The address the guest reaches it at. */
    public IpAddress address() {
        return address;
    }

    /** TCP port {@code port} of this host served by {@code handler} in this JVM (UDP to the port stays unreachable). */
    public FakeHost serve(int port, Handler handler) {
        ServerSocket server;
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new TopologyException("a loopback listener for " + address + ":" + port + ": " + e.getMessage(), e);
        }
        synchronized (this) {
            listeners.add(server);
        }
        Thread accept = new Thread(() -> acceptLoop(server, handler), "jnet-fakehost-" + address + ":" + port);
        accept.setDaemon(true);
        accept.start();
        return forward(port, (InetSocketAddress) server.getLocalSocketAddress());
    }

    /**
     * TCP connections of the guest to port {@code port} of this host go to {@code target} on the
     * host's loopback, e.g. a server process the test started there. UDP to the port is not
     * captured by this: see {@link #forwardUdp}.
     */
    public FakeHost forward(int port, InetSocketAddress target) {
        return redirect(HostRedirect.TCP, port, target);
    }

    /**
     * UDP datagrams of the guest to port {@code port} of this host go to {@code target} on the
     * host's loopback (a UDP socket of the test there); its replies come back from this host's
     * port. TCP to the port is not captured by this.
     */
    public FakeHost forwardUdp(int port, InetSocketAddress target) {
        return redirect(HostRedirect.UDP, port, target);
    }

    private FakeHost redirect(int proto, int port, InetSocketAddress target) {
        if (port < 1 || port > 65535) {
            throw new TopologyException("port " + port + " is not 1..65535");
        }
        if (!target.getAddress().isLoopbackAddress()) {
            throw new TopologyException(target + " is not on the loopback: a fake host reaches nothing else");
        }
        hosts.put(address, proto, port, target);
        return this;
    }

    private void acceptLoop(ServerSocket server, Handler handler) {
        Semaphore slots = new Semaphore(MAX_CONNECTIONS);
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed with the topology
            }
            if (!slots.tryAcquire() || !track(s)) {
                closeQuietly(s);
                continue;
            }
            Thread t = new Thread(() -> {
                try (s) {
                    handler.handle(s);
                } catch (Exception e) {
                    // the guest sees the connection end; the test asserts on what it received
                } finally {
                    untrack(s);
                    slots.release();
                }
            }, "jnet-fakehost-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private synchronized boolean track(Socket s) {
        return !closed && open.add(s);
    }

    private synchronized void untrack(Socket s) {
        open.remove(s);
    }

    /** Stops listening and closes open connections. */
    synchronized void close() {
        closed = true;
        listeners.forEach(FakeHost::closeQuietly);
        listeners.clear();
        open.forEach(FakeHost::closeQuietly);
        open.clear();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // disposal goes on
        }
    }
}
