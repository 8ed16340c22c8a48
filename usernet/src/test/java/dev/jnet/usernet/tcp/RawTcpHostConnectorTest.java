package dev.jnet.usernet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.KeepRegisteredEpollIoHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stack's connector against real loopback sockets (127.0.0.0/8 only). */
class RawTcpHostConnectorTest {
    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;

    @BeforeEach
    void start() {
        Epoll.ensureAvailability();
        group = new MultiThreadIoEventLoopGroup(1, KeepRegisteredEpollIoHandler.newFactory());
        loop = group.next();
    }

    @AfterEach
    void stop() throws Exception {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }

    /** The connector under test, connecting from {@code outbound} (or the kernel's choice). */
    private TcpHostConnector connector(InetAddress outbound) {
        return new RawTcpHostConnector((IoEventLoop) loop, ByteBufAllocator.DEFAULT, outbound, null, 5000);
    }

    /** Records what the connector reports; every callback must run on the loop. */
    private final class Recorder implements TcpHostConnector.Listener {
        final CompletableFuture<Boolean> connect = new CompletableFuture<>();
        final CompletableFuture<TcpHostConnector.Failure> failure = new CompletableFuture<>();
        final CompletableFuture<byte[]> eof = new CompletableFuture<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        int writeCompletions;
        volatile boolean offLoop;

        private void check() {
            offLoop |= !loop.inEventLoop();
        }

        @Override
        public void connected() {
            check();
            connect.complete(true);
        }

        @Override
        public void connectFailed(TcpHostConnector.Failure f) {
            check();
            failure.complete(f);
        }

        @Override
        public void received(ByteBuf data) {
            check();
            byte[] b = new byte[data.readableBytes()];
            data.readBytes(b);
            data.release();
            in.write(b, 0, b.length);
        }

        @Override
        public void inputShutdown() {
            check();
            eof.complete(in.toByteArray());
        }

        @Override
        public void writeCompleted() {
            check();
            writeCompletions++;
        }

        @Override
        public void reset() {
            check();
            eof.completeExceptionally(new AssertionError("reset"));
        }

        @Override
        public void closed() {
            check();
            closed.complete(null);
        }
    }

    /**
     * 16 MiB up (more than loopback's socket buffers hold while the server waits for our flush to
     * return before reading: the flush returns with bytes queued, the rest goes on EPOLLOUT and is
     * reported by writeCompleted), 1 MiB down, each side half-closing after its last byte.
     */
    @Test
    void connectsFromTheOutboundAddressAndMovesDataBothWaysWithHalfClose() throws Exception {
        byte[] up = TcpTransferTest.randomBytes(16 << 20, 21);
        byte[] down = TcpTransferTest.randomBytes(1 << 20, 22);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<byte[]> serverGot = new CompletableFuture<>();
            CompletableFuture<InetAddress> peer = new CompletableFuture<>();
            CountDownLatch flushed = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try (Socket s = server.accept()) {
                    peer.complete(s.getInetAddress());
                    InputStream is = s.getInputStream();
                    // our flush fills the socket buffers meanwhile (a fixed sleep lost that race on a loaded machine)
                    flushed.await(10, TimeUnit.SECONDS);
                    serverGot.complete(is.readAllBytes()); // until our shutdownOutput
                    OutputStream os = s.getOutputStream();
                    os.write(down);
                    s.shutdownOutput();
                    is.read(); // wait for our close
                } catch (Exception e) {
                    serverGot.completeExceptionally(e);
                }
            });
            t.start();
            TcpHostConnector connector = connector(InetAddress.getByName("127.0.0.2"));
            Recorder r = new Recorder();
            TcpHostConnector.HostConnection[] conn = new TcpHostConnector.HostConnection[1];
            loop.execute(() -> conn[0] = connector.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), r));
            assertTrue(r.connect.get(10, TimeUnit.SECONDS));
            long queuedAfterFlush = loop.submit(() -> {
                for (int off = 0; off < up.length; off += 1460) {
                    conn[0].write(Unpooled.wrappedBuffer(up, off, Math.min(1460, up.length - off)));
                }
                conn[0].flush();
                long queued = conn[0].pendingWriteBytes();
                conn[0].shutdownOutput(); // after the queued writes, not instead of them
                conn[0].setReading(Integer.MAX_VALUE);
                return queued;
            }).get(10, TimeUnit.SECONDS);
            flushed.countDown();
            assertTrue(queuedAfterFlush > 0, "the socket took all 16 MiB at once: the test proves nothing");
            assertArrayEquals(up, serverGot.get(10, TimeUnit.SECONDS));
            assertEquals(InetAddress.getByName("127.0.0.2"), peer.get(), "bound to --outbound-addr first");
            assertArrayEquals(down, r.eof.get(10, TimeUnit.SECONDS));
            long pending = loop.submit(() -> conn[0].pendingWriteBytes()).get(10, TimeUnit.SECONDS);
            assertEquals(0, pending);
            assertTrue(r.writeCompletions > 0, "the bytes written on EPOLLOUT were reported");
            loop.execute(() -> conn[0].close());
            r.closed.get(10, TimeUnit.SECONDS);
            t.join(10_000);
            assertTrue(!r.offLoop, "callbacks ran on the stack's loop");
        }
    }

    /**
     * Reads are sized by the allowance: with 1 MiB waiting on the socket, an allowance of 5000
     * bytes takes exactly 5000 (not a 256 KiB read's worth, as before the allowance), the
     * allowance used up stops reading, and a new one reads on to the end.
     */
    @Test
    void readsTakeNoMoreThanTheAllowance() throws Exception {
        byte[] down = TcpTransferTest.randomBytes(1 << 20, 23);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(down);
                    s.shutdownOutput();
                    s.getInputStream().read(); // wait for our close
                } catch (Exception e) {
                    // the assertions below report what arrived
                }
            });
            t.start();
            TcpHostConnector connector = connector(null);
            Recorder r = new Recorder();
            TcpHostConnector.HostConnection[] conn = new TcpHostConnector.HostConnection[1];
            loop.execute(() -> conn[0] = connector.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), r));
            assertTrue(r.connect.get(10, TimeUnit.SECONDS));
            Thread.sleep(200); // the server's 1 MiB reaches our socket buffer (what it holds of it)
            loop.submit(() -> conn[0].setReading(5000)).get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loop.submit(() -> r.in.size()).get(10, TimeUnit.SECONDS) < 5000 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200); // a read beyond the allowance would have happened by now
            assertEquals(5000, (int) loop.submit(() -> r.in.size()).get(10, TimeUnit.SECONDS),
                    "bytes received for an allowance of 5000");
            loop.submit(() -> conn[0].setReading(Integer.MAX_VALUE)).get(10, TimeUnit.SECONDS);
            assertArrayEquals(down, r.eof.get(10, TimeUnit.SECONDS));
            loop.execute(() -> conn[0].close());
            r.closed.get(10, TimeUnit.SECONDS);
            t.join(10_000);
        }
    }

    @Test
    void closedPortIsReportedAsRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        TcpHostConnector connector = connector(null);
        Recorder r = new Recorder();
        loop.execute(() -> connector.connect(new InetSocketAddress("127.0.0.1", port), r));
        assertEquals(TcpHostConnector.Failure.REFUSED, r.failure.get(10, TimeUnit.SECONDS));
        r.closed.get(10, TimeUnit.SECONDS);
    }

    /**
     * A connect the host never answers ends in TIMEOUT after the connector's own timer: a
     * listener whose accept queue is full drops the SYN (Linux queues backlog + 1 connections).
     */
    @Test
    void anUnansweredConnectTimesOut() throws Exception {
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1);
            InetSocketAddress at = (InetSocketAddress) server.getLocalAddress();
            java.util.List<java.nio.channels.SocketChannel> fillers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) { // the queue's two places, then one more for good measure
                    java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open();
                    c.configureBlocking(false);
                    c.connect(at);
                    fillers.add(c);
                }
                TcpHostConnector connector =
                        new RawTcpHostConnector((IoEventLoop) loop, ByteBufAllocator.DEFAULT, null, null, 300);
                Recorder r = new Recorder();
                long t0 = System.nanoTime();
                loop.execute(() -> connector.connect(at, r));
                TcpHostConnector.Failure f = r.failure.completeOnTimeout(null, 10, TimeUnit.SECONDS).get();
                assertTrue(!r.connect.isDone(), "connected: the accept queue was not full");
                assertEquals(TcpHostConnector.Failure.TIMEOUT, f);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms >= 250, "failed after " + ms + " ms, before the 300 ms timeout");
                r.closed.get(10, TimeUnit.SECONDS);
                assertTrue(!r.connect.isDone(), "no connected() after the timeout");
            } finally {
                for (java.nio.channels.SocketChannel c : fillers) {
                    c.close();
                }
            }
        }
    }

    /**
     * A connect that fails inside the call (here the bind to an --outbound-addr the host does not
     * have: EADDRNOTAVAIL, no packet sent) is reported after the call; aborted before that, it
     * reports nothing but the close ("exactly one of connected and connectFailed, unless aborted
     * first").
     */
    @Test
    void aFailureInsideTheCallIsReportedAfterItUnlessAbortedFirst() throws Exception {
        TcpHostConnector connector = connector(InetAddress.getByName("192.0.2.1")); // TEST-NET-1: not ours
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", 9); // never reached: the bind fails first
        Recorder failed = new Recorder();
        loop.submit(() -> {
            connector.connect(target, failed);
            assertTrue(!failed.failure.isDone(), "reported from inside connect()");
        }).get(10, TimeUnit.SECONDS);
        assertEquals(TcpHostConnector.Failure.OTHER, failed.failure.get(10, TimeUnit.SECONDS));
        failed.closed.get(10, TimeUnit.SECONDS);

        Recorder aborted = new Recorder();
        loop.submit(() -> connector.connect(target, aborted).abort()).get(10, TimeUnit.SECONDS);
        aborted.closed.get(10, TimeUnit.SECONDS);
        loop.submit(() -> { }).get(10, TimeUnit.SECONDS); // the posted report has run by now
        assertTrue(!aborted.failure.isDone(), "connectFailed after abort: " + aborted.failure.getNow(null));
        assertTrue(!aborted.connect.isDone());
    }

    /**
     * An IPv4 connect is an AF_INET socket (in /proc/net/tcp, not tcp6: Netty's default is a
     * v4-mapped IPv6 socket, one setsockopt more), and the fd number a closed connection leaves
     * (closed before its registration is cancelled, so no EPOLL_CTL_DEL) serves the next one.
     */
    @Test
    void ipv4ConnectsAreIpv4SocketsAndClosedOnesMakeRoomForTheNext() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
            TcpHostConnector connector = connector(null);
            for (int round = 0; round < 3; round++) {
                byte[] hello = ("hello " + round).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                CompletableFuture<String> tables = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try (Socket s = server.accept()) {
                        String port = String.format(":%04X ", s.getPort());
                        tables.complete(localPortIn("/proc/net/tcp", port) + "/" + localPortIn("/proc/net/tcp6", port));
                        s.getOutputStream().write(hello);
                    } catch (Exception e) {
                        tables.completeExceptionally(e);
                    }
                });
                t.start();
                Recorder r = new Recorder();
                TcpHostConnector.HostConnection[] conn = new TcpHostConnector.HostConnection[1];
                loop.execute(() -> conn[0] = connector.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), r));
                assertTrue(r.connect.get(10, TimeUnit.SECONDS));
                loop.execute(() -> conn[0].setReading(Integer.MAX_VALUE));
                assertArrayEquals(hello, r.eof.get(10, TimeUnit.SECONDS), "round " + round);
                assertEquals("tcp/-", tables.get(10, TimeUnit.SECONDS), "our socket's table in round " + round);
                loop.execute(() -> conn[0].close());
                r.closed.get(10, TimeUnit.SECONDS);
                t.join(10_000);
                assertTrue(!r.offLoop, "callbacks ran on the stack's loop");
            }
        }
    }

    /** "tcp" (or "tcp6") if {@code table} has a socket whose local port is {@code port} (":HHHH "), "-" if not. */
    private static String localPortIn(String table, String port) throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && (f[1] + " ").endsWith(port)) {
                return table.substring(table.lastIndexOf('/') + 1);
            }
        }
        return "-";
    }

    @Test
    void abortResetsTheHostPeer() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<String> outcome = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try (Socket s = server.accept()) {
                    int b = s.getInputStream().read();
                    outcome.complete("read " + b);
                } catch (java.net.SocketException e) {
                    outcome.complete("reset");
                } catch (Exception e) {
                    outcome.completeExceptionally(e);
                }
            });
            t.start();
            TcpHostConnector connector = connector(null);
            Recorder r = new Recorder();
            TcpHostConnector.HostConnection[] conn = new TcpHostConnector.HostConnection[1];
            loop.execute(() -> conn[0] = connector.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), r));
            r.connect.get(10, TimeUnit.SECONDS);
            loop.execute(() -> conn[0].abort());
            assertEquals("reset", outcome.get(10, TimeUnit.SECONDS), "SO_LINGER 0: the peer sees ECONNRESET");
            r.closed.get(10, TimeUnit.SECONDS);
            t.join(10_000);
        }
    }

    @Test
    void failureClassification() {
        assertEquals(TcpHostConnector.Failure.TIMEOUT,
                RawTcpHostConnector.classify(new io.netty.channel.ConnectTimeoutException("t")));
        assertEquals(TcpHostConnector.Failure.HOST_UNREACHABLE,
                RawTcpHostConnector.classify(new java.net.NoRouteToHostException("n")));
        assertEquals(TcpHostConnector.Failure.REFUSED,
                RawTcpHostConnector.classify(new java.net.ConnectException("r")));
        // Netty's message carries the errno: "finishConnect(..) failed with error(-111): ..."
        assertEquals(TcpHostConnector.Failure.REFUSED, RawTcpHostConnector.classify(new java.net.ConnectException(
                "finishConnect(..) failed with error(-111): Connection refused: /192.0.2.1:80")));
        assertEquals(TcpHostConnector.Failure.TIMEOUT, RawTcpHostConnector.classify(new java.net.ConnectException(
                "finishConnect(..) failed with error(-110): Connection timed out: /192.0.2.1:80")));
        assertEquals(TcpHostConnector.Failure.OTHER, RawTcpHostConnector.classify(new java.net.ConnectException(
                "connect(..) failed with error(-13): Permission denied")));
        assertEquals(TcpHostConnector.Failure.OTHER,
                RawTcpHostConnector.classify(new java.io.IOException("x")));
    }
}
