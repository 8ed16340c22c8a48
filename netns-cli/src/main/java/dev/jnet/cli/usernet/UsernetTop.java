package dev.jnet.cli.usernet;

import dev.jnet.usernet.FlowInfo;
import dev.jnet.usernet.api.ApiClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jnet usernet top SOCKET}: the flows of a running usernet and their rates, refreshed like
 * top, from its API socket ({@code list_connections}, {@code get_stats}). On a terminal the
 * screen is redrawn; otherwise (or with {@code -b}) each refresh is appended.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = "Live view of a usernet's flows and rates, read from its API socket (jnet usernet -a SOCKET).")
public final class UsernetTop implements Callable<Integer> {
    private static final String CLEAR = "\033[H\033[2J";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Spec CommandSpec spec;

    @Option(names = {"-d", "--delay"}, paramLabel = "SECONDS", description = "Seconds between refreshes (default: 1).")
    double delay = 1;

    @Option(names = {"-n", "--iterations"}, paramLabel = "N", description = "Refresh N times, then exit (default: until interrupted).")
    int iterations;

    @Option(names = {"-b", "--batch"}, description = "Append each refresh instead of redrawing the screen.")
    boolean batch;

    @Parameters(paramLabel = "SOCKET", description = "The API socket of jnet usernet (its -a PATH).")
    Path socket;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!(delay >= 0.1 && delay <= 3600)) {
            err.println("jnet usernet top: invalid delay " + delay + ": expected 0.1 to 3600 seconds");
            err.flush();
            return UsernetCommand.EXIT_FAILED;
        }
        ApiClient api = new ApiClient(socket);
        boolean redraw = !batch && System.console() != null;
        Map<String, long[]> previous = new HashMap<>();
        long previousNanos = 0;
        for (int i = 0; iterations <= 0 || i < iterations; i++) {
            if (i > 0) {
                Thread.sleep((long) (delay * 1000));
            }
            List<FlowInfo> flows;
            Map<String, Long> stats;
            try {
                flows = api.listConnections();
                stats = api.getStats();
            } catch (IOException e) {
                err.println("jnet usernet top: " + socket + ": " + (e.getMessage() != null ? e.getMessage() : e));
                err.flush();
                return UsernetCommand.EXIT_FAILED;
            }
            long now = System.nanoTime();
            double seconds = previousNanos == 0 ? 0 : (now - previousNanos) / 1e9;
            String title = "jnet usernet top - " + socket + " - " + LocalTime.now().format(CLOCK);
            out.print((redraw ? CLEAR : "") + render(title, flows, stats, previous, seconds));
            out.flush();
            previousNanos = now;
        }
        return 0;
    }

    /** One refresh: a summary line, a header, one line per flow (busiest first); updates {@code previous}. */
    static String render(String title, List<FlowInfo> flows, Map<String, Long> stats, Map<String, long[]> previous,
            double seconds) {
        StringBuilder b = new StringBuilder();
        long tcp = flows.stream().filter(f -> f.proto().equals("tcp")).count();
        b.append(title).append('\n');
        b.append(String.format(Locale.ROOT, "flows %d (tcp %d, udp %d)   frames in %d out %d   rss %s   fds %d%n",
                flows.size(), tcp, flows.size() - tcp, stats.getOrDefault("link_frames_in", 0L),
                stats.getOrDefault("link_frames_out", 0L), bytes(stats.getOrDefault("rss_bytes", 0L)),
                stats.getOrDefault("fds_open", 0L)));
        b.append(String.format(Locale.ROOT, "%-5s %-22s %-22s %-12s %10s %10s %12s %12s %8s%n", "PROTO", "GUEST",
                "REMOTE", "STATE", "TO GUEST", "FROM GUEST", "RATE IN", "RATE OUT", "AGE"));
        Map<String, long[]> seen = new HashMap<>();
        List<Object[]> rows = new ArrayList<>();
        for (FlowInfo f : flows) {
            String key = f.proto() + " " + f.guestAddr() + " " + f.guestPort() + " " + f.remoteAddr() + " " + f.remotePort();
            long[] before = previous.get(key);
            double in = before == null || seconds <= 0 ? 0 : Math.max(0, f.bytesToGuest() - before[0]) / seconds;
            double outRate = before == null || seconds <= 0 ? 0 : Math.max(0, f.bytesFromGuest() - before[1]) / seconds;
            seen.put(key, new long[] {f.bytesToGuest(), f.bytesFromGuest()});
            rows.add(new Object[] {f, in + outRate, String.format(Locale.ROOT,
                    "%-5s %-22s %-22s %-12s %10s %10s %12s %12s %8s%n", f.proto(), endpoint(f.guestAddr(), f.guestPort()),
                    endpoint(f.remoteAddr(), f.remotePort()), f.state(), bytes(f.bytesToGuest()),
                    bytes(f.bytesFromGuest()), bytes((long) in) + "/s", bytes((long) outRate) + "/s",
                    age(f.ageMillis()))});
        }
        rows.sort(Comparator.comparingDouble((Object[] r) -> -(double) r[1]));
        rows.forEach(r -> b.append((String) r[2]));
        previous.clear();
        previous.putAll(seen);
        return b.append('\n').toString();
    }

    private static String endpoint(String addr, int port) {
        return (addr.indexOf(':') >= 0 ? "[" + addr + "]" : addr) + ":" + port;
    }

    /** 1023 B, 1.5 KiB, 12.0 MiB, 3.2 GiB. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String age(long millis) {
        long s = millis / 1000;
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" + s % 60 + "s" : s / 3600 + "h" + s % 3600 / 60 + "m";
    }
}
