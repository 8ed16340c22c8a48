package dev.jnet.usernet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jnet.usernet.EventLoopScheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.KeepRegisteredEpollIoHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Guests on the in-memory link, the stack on a real epoll loop, host sockets to a loopback
 * server: the whole splice with Netty's real write completion and read pacing.
 */
class TcpLoopbackSpliceTest {
    private static final int CONNECTIONS = 20;
    private static final int SIZE = 1 << 20;

    @Test
    void parallelConnectionsMoveOneMegabyteEachWayAndLeaveNothingBehind() throws Exception {
        Epoll.ensureAvailability();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, KeepRegisteredEpollIoHandler.newFactory());
        byte[] up = TcpTransferTest.randomBytes(SIZE, 31);
        byte[] down = TcpTransferTest.randomBytes(SIZE, 32);
        ConcurrentHashMap<Integer, byte[]> serverGot = new ConcurrentHashMap<>();
        List<Thread> handlers = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, CONNECTIONS, InetAddress.getByName("127.0.0.1"))) {
            Thread acceptor = new Thread(() -> {
                for (int i = 0; i < CONNECTIONS; i++) {
                    try {
                        Socket s = server.accept();
                        Thread t = new Thread(() -> serve(s, down, serverGot));
                        synchronized (handlers) {
                            handlers.add(t);
                        }
                        t.start();
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            acceptor.start();

            EventLoop loop = group.next();
            EventLoopScheduler scheduler = new EventLoopScheduler(loop);
            UsernetConfig config = UsernetConfig.defaults();
            RawTcpHostConnector connector = new RawTcpHostConnector(scheduler, config);
            TcpHarness h = new TcpHarness(config, TcpLimits.defaults(), scheduler, connector);
            h.logging = false;
            List<GuestTcp> guests = new ArrayList<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.submit(() -> {
                for (int i = 0; i < CONNECTIONS; i++) {
                    GuestTcp g = h.guest(44000 + i, TcpHarness.GATEWAY, server.getLocalPort());
                    g.impaired = false;
                    guests.add(g);
                    g.connect();
                    g.send(up, true);
                }
                pollUntilDone(scheduler, h, guests, done);
            }).get(10, TimeUnit.SECONDS);
            done.get(60, TimeUnit.SECONDS);

            for (GuestTcp g : guests) {
                assertArrayEquals(down, g.received.toByteArray(), "host -> guest on port " + g.port);
            }
            assertEquals(CONNECTIONS, serverGot.size());
            for (byte[] got : serverGot.values()) {
                assertArrayEquals(up, got, "guest -> host");
            }
            CompletableFuture<Void> socketsClosed = new CompletableFuture<>();
            loop.execute(() -> pollSockets(scheduler, h, socketsClosed));
            socketsClosed.get(10, TimeUnit.SECONDS);
            assertEquals(0, (int) loop.submit(h.stack::connectionCount).get(10, TimeUnit.SECONDS));
            acceptor.join(10_000);
            synchronized (handlers) {
                for (Thread t : handlers) {
                    t.join(10_000);
                }
            }
            loop.submit(h.stack::close).get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void closedUpstreamPortGivesTheGuestARstWithin100Milliseconds() throws Exception {
        Epoll.ensureAvailability();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, KeepRegisteredEpollIoHandler.newFactory());
        try {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                port = s.getLocalPort(); // closed again: connecting there is refused
            }
            EventLoop loop = group.next();
            EventLoopScheduler scheduler = new EventLoopScheduler(loop);
            UsernetConfig config = UsernetConfig.defaults();
            TcpHarness h = new TcpHarness(config, TcpLimits.defaults(), scheduler,
                    new RawTcpHostConnector(scheduler, config));
            for (int attempt = 0; attempt < 2; attempt++) { // the first one warms the JIT up
                int guestPort = 46000 + attempt;
                CompletableFuture<Long> elapsed = new CompletableFuture<>();
                loop.submit(() -> {
                    GuestTcp g = h.guest(guestPort, TcpHarness.GATEWAY, port);
                    g.impaired = false;
                    long start = System.nanoTime();
                    g.connect();
                    pollReset(scheduler, g, start, elapsed);
                }).get(10, TimeUnit.SECONDS);
                long nanos = elapsed.get(10, TimeUnit.SECONDS);
                if (attempt == 1) {
                    assertTrue(nanos < 100_000_000L, "refused after " + nanos / 1000 + " us");
                }
            }
            assertEquals(0, (int) loop.submit(h.stack::connectionCount).get(10, TimeUnit.SECONDS));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aHostThatStopsReadingClosesTheGuestsWindowThenReopensIt() throws Exception {
        Epoll.ensureAvailability();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, KeepRegisteredEpollIoHandler.newFactory());
        byte[] up = TcpTransferTest.randomBytes(32 << 20, 41);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<Socket> accepted = new CompletableFuture<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.complete(server.accept()); // and read nothing yet
                } catch (Exception e) {
                    accepted.completeExceptionally(e);
                }
            });
            acceptor.start();
            EventLoop loop = group.next();
            EventLoopScheduler scheduler = new EventLoopScheduler(loop);
            UsernetConfig config = UsernetConfig.defaults();
            TcpLimits limits = TcpLimits.defaults().withBuffers(256 * 1024, 256 * 1024, 64);
            TcpHarness h = new TcpHarness(config, limits, scheduler,
                    new RawTcpHostConnector(scheduler, config));
            h.logging = false;
            GuestTcp[] g = new GuestTcp[1];
            loop.submit(() -> {
                g[0] = h.guest(47000, TcpHarness.GATEWAY, server.getLocalPort());
                g[0].impaired = false;
                g[0].maxInFlight = 1 << 20;
                g[0].connect();
                g[0].send(up, true);
            }).get(10, TimeUnit.SECONDS);
            Socket s = accepted.get(10, TimeUnit.SECONDS);
            // the kernel's socket buffers fill, then ours: the window we advertise drops to 0
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            loop.execute(() -> pollWindowClosed(scheduler, g[0], closed));
            int sentWhenClosed = closed.get(30, TimeUnit.SECONDS);
            assertTrue(sentWhenClosed < up.length, "the guest was stopped before sending everything");
            byte[] got;
            try (s) {
                got = s.getInputStream().readAllBytes(); // now the host reads: the window reopens
            }
            assertArrayEquals(up, got);
            acceptor.join(10_000);
            loop.submit(h.stack::close).get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The host half-closes first and then reads in bursts, so the guest's data after that EOF
     * fills the host socket again and again (EAGAIN: Netty waits for EPOLLOUT on a socket whose
     * input is shut down, after its interest set was empty in between). Every byte must reach
     * the host and the guest must never see a reset.
     */
    @Test
    void afterTheHostHalfClosesASlowHostStillGetsEverythingTheGuestSends() throws Exception {
        Epoll.ensureAvailability();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, KeepRegisteredEpollIoHandler.newFactory());
        byte[] down = TcpTransferTest.randomBytes(256 * 1024, 51);
        byte[] up = TcpTransferTest.randomBytes(32 << 20, 52);
        int burst = 4 << 20;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<Void> readBurst = new CompletableFuture<>();
            CompletableFuture<Void> readRest = new CompletableFuture<>();
            CompletableFuture<byte[]> serverGot = new CompletableFuture<>();
            Thread handler = new Thread(() -> {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(down);
                    s.shutdownOutput();
                    InputStream in = s.getInputStream();
                    readBurst.get(60, TimeUnit.SECONDS);
                    byte[] first = in.readNBytes(burst);
                    readRest.get(60, TimeUnit.SECONDS);
                    byte[] rest = in.readAllBytes();
                    byte[] all = new byte[first.length + rest.length];
                    System.arraycopy(first, 0, all, 0, first.length);
                    System.arraycopy(rest, 0, all, first.length, rest.length);
                    serverGot.complete(all);
                } catch (Exception e) {
                    serverGot.completeExceptionally(e);
                }
            });
            handler.start();
            EventLoop loop = group.next();
            EventLoopScheduler scheduler = new EventLoopScheduler(loop);
            UsernetConfig config = UsernetConfig.defaults();
            TcpLimits limits = TcpLimits.defaults().withBuffers(256 * 1024, 256 * 1024, 64);
            TcpHarness h = new TcpHarness(config, limits, scheduler, new RawTcpHostConnector(scheduler, config));
            h.logging = false;
            GuestTcp[] g = new GuestTcp[1];
            loop.submit(() -> {
                g[0] = h.guest(48000, TcpHarness.GATEWAY, server.getLocalPort());
                g[0].impaired = false;
                g[0].maxInFlight = 1 << 20;
                g[0].connect();
            }).get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> eof = new CompletableFuture<>();
            loop.execute(() -> pollFinReceived(scheduler, g[0], eof));
            eof.get(30, TimeUnit.SECONDS);
            loop.submit(() -> g[0].send(up, true)).get(10, TimeUnit.SECONDS);
            // the host's socket buffers fill, then ours: the window we advertise drops to 0
            int firstStall = stall(scheduler, loop, g[0], 0);
            readBurst.complete(null); // drains the socket: nothing left to wait for, then it fills again
            int secondStall = stall(scheduler, loop, g[0], firstStall);
            assertTrue(secondStall < up.length, "the guest was stopped again before sending everything");
            readRest.complete(null);

            byte[] got = serverGot.get(60, TimeUnit.SECONDS);
            assertFalse(loop.submit(() -> g[0].resetReceived).get(10, TimeUnit.SECONDS), "the guest saw a reset");
            assertEquals(up.length, got.length, "bytes the host received");
            assertArrayEquals(up, got);
            assertArrayEquals(down, loop.submit(() -> g[0].received.toByteArray()).get(10, TimeUnit.SECONDS));
            CompletableFuture<Void> socketsClosed = new CompletableFuture<>();
            loop.execute(() -> pollSockets(scheduler, h, socketsClosed));
            socketsClosed.get(10, TimeUnit.SECONDS);
            assertTrue(loop.submit(() -> g[0].finAcked && !g[0].resetReceived).get(10, TimeUnit.SECONDS),
                    "the guest's FIN was acknowledged and it saw no reset");
            handler.join(10_000);
            loop.submit(h.stack::close).get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        }
    }

    /** Waits until the guest is stopped by a zero window after more than {@code after} bytes; fails on a reset. */
    private static int stall(EventLoopScheduler scheduler, EventLoop loop, GuestTcp g, int after) throws Exception {
        CompletableFuture<Integer> stalled = new CompletableFuture<>();
        loop.execute(() -> pollStalledOrReset(scheduler, g, after, stalled));
        int sent = stalled.get(30, TimeUnit.SECONDS);
        assertTrue(sent >= 0, "the guest got a reset after sending " + ~sent + " bytes");
        return sent;
    }

    private static void pollStalledOrReset(EventLoopScheduler scheduler, GuestTcp g, int after,
            CompletableFuture<Integer> done) {
        int sent = g.sndUna - g.iss - 1;
        if (g.resetReceived) {
            done.complete(~sent);
        } else if (g.established && g.peerWindow == 0 && g.sndUna == g.sndNxt && sent > after) {
            done.complete(sent);
        } else {
            scheduler.schedule(() -> pollStalledOrReset(scheduler, g, after, done), 1_000_000L);
        }
    }

    private static void pollFinReceived(EventLoopScheduler scheduler, GuestTcp g, CompletableFuture<Void> done) {
        if (g.finReceived) {
            done.complete(null);
        } else {
            scheduler.schedule(() -> pollFinReceived(scheduler, g, done), 1_000_000L);
        }
    }

    private static void pollWindowClosed(EventLoopScheduler scheduler, GuestTcp g, CompletableFuture<Integer> done) {
        if (g.established && g.peerWindow == 0 && g.sndUna == g.sndNxt) {
            done.complete(g.sndUna - g.iss - 1);
        } else {
            scheduler.schedule(() -> pollWindowClosed(scheduler, g, done), 1_000_000L);
        }
    }

    private static void pollReset(EventLoopScheduler scheduler, GuestTcp g, long start, CompletableFuture<Long> done) {
        if (g.resetReceived) {
            done.complete(System.nanoTime() - start);
        } else {
            scheduler.schedule(() -> pollReset(scheduler, g, start, done), 1_000_000L);
        }
    }

    /** Reads until the guest's FIN, answers, half-closes, waits for the stack's close. */
    private static void serve(Socket s, byte[] down, ConcurrentHashMap<Integer, byte[]> got) {
        try (s) {
            InputStream in = s.getInputStream();
            got.put(s.getPort(), in.readAllBytes());
            s.getOutputStream().write(down);
            s.shutdownOutput();
            assertEquals(-1, in.read());
        } catch (Exception e) {
            got.put(-s.getPort(), new byte[0]);
        }
    }

    private static void pollUntilDone(EventLoopScheduler scheduler, TcpHarness h, List<GuestTcp> guests,
            CompletableFuture<Void> done) {
        boolean all = guests.stream().allMatch(g -> g.finReceived && g.finAcked) && h.stack.connectionCount() == 0;
        if (all) {
            done.complete(null);
        } else if (!done.isDone()) {
            scheduler.schedule(() -> pollUntilDone(scheduler, h, guests, done), 10_000_000L);
        }
    }

    private static void pollSockets(EventLoopScheduler scheduler, TcpHarness h, CompletableFuture<Void> done) {
        if (h.stack.openHostSockets() == 0) {
            done.complete(null);
        } else {
            scheduler.schedule(() -> pollSockets(scheduler, h, done), 10_000_000L);
        }
    }
}
