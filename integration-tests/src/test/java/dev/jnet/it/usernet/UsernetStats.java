package dev.jnet.it.usernet;

import dev.jnet.it.JsonReader;
import dev.jnet.it.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Asks a running {@code jnet usernet} for its stack's counters and tables: SIGUSR1 makes it
 * write {@code jnet usernet: stats {...}} (JSON on one line) to stderr, which the sandbox
 * sends to the run's log; the first such line after the signal is the answer.
 */
final class UsernetStats {
    static final String PREFIX = "jnet usernet: stats ";
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);

    private UsernetStats() {}

    /** The stats of usernet {@code pid} whose stderr goes to {@code log}, keyed as printed ("tcp_connections", ...). */
    static Map<String, Long> ask(long pid, Path log) {
        long offset = size(log);
        Proc.Result kill = Proc.start(List.of("kill", "-USR1", Long.toString(pid)), log.getParent()).await(Duration.ofSeconds(10));
        if (kill.exit() != 0) {
            throw new IllegalStateException("signalling usernet " + pid + ": " + kill.describe());
        }
        long deadline = System.nanoTime() + ANSWER_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : newText(log, offset).split("\n", -1)) {
                if (line.startsWith(PREFIX)) {
                    return parse(line.substring(PREFIX.length()));
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for usernet's stats", e);
            }
        }
        throw new IllegalStateException("usernet " + pid + " wrote no stats line within " + ANSWER_TIMEOUT
                + " of SIGUSR1; log since:\n" + newText(log, offset));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Long> parse(String json) {
        Map<String, Long> m = new LinkedHashMap<>();
        ((Map<String, Object>) JsonReader.parse(json)).forEach((k, v) -> m.put(k, ((Number) v).longValue()));
        return m;
    }

    /** TCP connections plus UDP, DNS and ICMP flows: everything that holds a host socket. */
    static long hostFlows(Map<String, Long> stats) {
        return stats.get("tcp_connections") + stats.get("udp_flows") + stats.get("dns_flows") + stats.get("icmp_flows");
    }

    private static long size(Path log) {
        try {
            return Files.size(log);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + log, e);
        }
    }

    private static String newText(Path log, long offset) {
        try {
            byte[] all = Files.readAllBytes(log);
            return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + log, e);
        }
    }
}
