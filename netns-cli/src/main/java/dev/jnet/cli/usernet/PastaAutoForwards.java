package dev.jnet.cli.usernet;

import dev.jnet.net.IpAddress;
import dev.jnet.usernet.forward.HostForward;
import dev.jnet.usernet.forward.PortForwarding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * pasta's {@code -t auto} and {@code -u auto}: the ports bound in the namespace, as its
 * {@code /proc/net/tcp}, {@code tcp6}, {@code udp} and {@code udp6} list them, forwarded from
 * the same ports on the host (any address). TCP is rescanned every second (forwards follow
 * listeners that come and go), UDP once at start, as pasta(1) says. A port the host cannot
 * bind (in use) is skipped, as pasta does, and tried again at the next scan. The scans run on
 * a timer thread of their own, never on the stack's loop.
 */
final class PastaAutoForwards implements AutoCloseable {
    static final long PERIOD_MS = 1000;
    private static final long FORWARD_TIMEOUT_SECONDS = 10;
    /** /proc/net/tcp's st: TCP_LISTEN; an unconnected bound UDP socket is TCP_CLOSE (7). */
    private static final String TCP_LISTEN = "0A";
    private static final String UDP_UNCONNECTED = "07";
    private static final int NUM_PORTS = 1 << 16;

    private final PortForwarding forwarding;
    private final Path procNet;
    /** Port to forward id, per protocol (at most 65535 entries each). */
    private final Map<Integer, Integer> tcpIds = new HashMap<>();
    private final Map<Integer, Integer> udpIds = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jnet-pasta-auto");
        t.setDaemon(true);
        return t;
    });

    private PastaAutoForwards(PortForwarding forwarding, Path procNet) {
        this.forwarding = forwarding;
        this.procNet = procNet;
    }

    /**
     * Scans once now (so the ports bound already are forwarded when pasta reports readiness),
     * then TCP every second if {@code tcp}.
     *
     * @param procNet the namespace's {@code /proc/PID/net}
     */
    static PastaAutoForwards start(PortForwarding forwarding, Path procNet, boolean tcp, boolean udp) {
        PastaAutoForwards f = new PastaAutoForwards(forwarding, procNet);
        if (udp) {
            f.sync(HostForward.Proto.UDP, f.udpIds);
        }
        if (tcp) {
            f.sync(HostForward.Proto.TCP, f.tcpIds);
            f.timer.scheduleWithFixedDelay(() -> f.sync(HostForward.Proto.TCP, f.tcpIds), PERIOD_MS, PERIOD_MS,
                    TimeUnit.MILLISECONDS);
        }
        return f;
    }

    /** Adds forwards for ports newly bound in the namespace, removes those of ports no longer bound. */
    private void sync(HostForward.Proto proto, Map<Integer, Integer> ids) {
        boolean isTcp = proto == HostForward.Proto.TCP;
        BitSet bound = new BitSet(NUM_PORTS);
        for (String file : isTcp ? List.of("tcp", "tcp6") : List.of("udp", "udp6")) {
            bound.or(bound(procNet.resolve(file), isTcp ? TCP_LISTEN : UDP_UNCONNECTED));
        }
        for (Iterator<Map.Entry<Integer, Integer>> it = ids.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Integer, Integer> e = it.next();
            if (!bound.get(e.getKey())) {
                await(forwarding.remove(e.getValue()));
                it.remove();
            }
        }
        for (int port = bound.nextSetBit(1); port >= 0; port = bound.nextSetBit(port + 1)) {
            if (!ids.containsKey(port)) {
                Integer id = await(forwarding.add(new HostForward(proto, IpAddress.ipv4(0).toInetAddress(), port,
                        null, port, true)));
                if (id != null) {
                    ids.put(port, id);
                }
            }
        }
    }

    /**
     * The local ports of {@code file}'s sockets in state {@code state} (hex, as the kernel
     * writes it); an unreadable file (no IPv6, the namespace gone) lists none.
     */
    static BitSet bound(Path file, String state) {
        BitSet ports = new BitSet(NUM_PORTS);
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return ports;
        }
        for (int i = 1; i < lines.size(); i++) { // line 0: the header
            String[] f = lines.get(i).strip().split("\\s+");
            if (f.length < 4 || !f[3].equals(state)) {
                continue;
            }
            int colon = f[1].lastIndexOf(':');
            String hex = colon < 0 ? "" : f[1].substring(colon + 1);
            int port = hex.matches("[0-9A-Fa-f]{1,4}") ? Integer.parseInt(hex, 16) : 0;
            if (port > 0) {
                ports.set(port);
            }
        }
        return ports;
    }

    /** The future's value; null when it failed (port in use: skipped, as pasta does) or timed out. */
    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(FORWARD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(FORWARD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
