package dev.jnet.it.usernet;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A TCP server listening inside a namespace, one thread per connection, that records what each
 * connection delivered. At most {@link #MAX_CONNECTIONS} at a time (more are closed at once), and
 * a read that stalls for {@link #READ_TIMEOUT_MS} ends its connection, so a broken stack under test
 * cannot pile up threads.
 */
final class FakeTcpServer implements AutoCloseable {
    /** Room for the 1000-connection test at full size (4000), still bounded. */
    static final int MAX_CONNECTIONS = 4096;
    static final int READ_TIMEOUT_MS = 60_000;

    /** Serves one accepted connection; the server closes the socket afterwards. */
    @FunctionalInterface
    interface Handler {
        void serve(Socket socket, Consumer<Received> record) throws IOException;
    }

    private final String service;
    private final ServerSocket listener;
    private final Handler handler;
    private final ExecutorService workers;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    private FakeTcpServer(String service, ServerSocket listener, Handler handler) {
        this.service = service;
        this.listener = listener;
        this.handler = handler;
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-" + service);
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "fake-" + service + "-accept");
        this.acceptor.setDaemon(true);
    }

    /** Binds {@code at} inside {@code netns} and starts serving. */
    static FakeTcpServer start(String netns, String service, InetSocketAddress at, Handler handler) throws Exception {
        ServerSocket listener = InNetns.call(netns, () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(at, MAX_CONNECTIONS);
            return s;
        });
        FakeTcpServer server = new FakeTcpServer(service, listener, handler);
        server.acceptor.start();
        return server;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (open.size() >= MAX_CONNECTIONS) {
                closeQuietly(s);
                failures.add("over " + MAX_CONNECTIONS + " connections at once");
                continue;
            }
            open.add(s);
            workers.execute(() -> {
                try {
                    s.setSoTimeout(READ_TIMEOUT_MS);
                    handler.serve(s, received::add);
                } catch (IOException | RuntimeException e) {
                    if (!listener.isClosed()) {
                        failures.add(e.toString());
                    }
                } finally {
                    open.remove(s);
                    closeQuietly(s);
                }
            });
        }
    }

    String service() {
        return service;
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** What finished connections delivered, in order of completion. */
    List<Received> received() {
        return List.copyOf(received);
    }

    /**
     * What finished connections delivered, once there are at least {@code count} (or the
     * timeout passed): for a client that cannot learn from the socket when the server is done.
     */
    List<Received> awaitReceived(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (received.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return received();
    }

    /** Errors connections ended with (resets, timeouts), for assertion messages. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Forgets what earlier tests' connections left. */
    void clear() {
        received.clear();
        failures.clear();
        accepted.set(0);
    }

    @Override
    public void close() {
        closeQuietly(listener);
        open.forEach(FakeTcpServer::closeQuietly);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing: nothing to report
        }
    }

    @Override
    public String toString() {
        return service + "@" + listener.getLocalSocketAddress();
    }
}
