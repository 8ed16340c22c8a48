package dev.jnet.it.usernet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The fields of {@code /proc/PID/status} ("VmRSS", "NoNewPrivs", "Seccomp", "CapEff", ...). */
record ProcStatus(long pid, Map<String, String> fields) {
    static ProcStatus of(long pid) {
        return read(pid, Path.of("/proc", Long.toString(pid), "status"));
    }

    /** One thread's status ({@code /proc/PID/task/TID/status}). */
    static ProcStatus of(long pid, String tid) {
        return read(pid, Path.of("/proc", Long.toString(pid), "task", tid, "status"));
    }

    private static ProcStatus read(long pid, Path p) {
        Map<String, String> f = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(p)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    f.put(line.substring(0, colon), line.substring(colon + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + p, e);
        }
        return new ProcStatus(pid, f);
    }

    String get(String field) {
        String v = fields.get(field);
        if (v == null) {
            throw new IllegalStateException("/proc/" + pid + "/status has no " + field + ": " + fields.keySet());
        }
        return v;
    }

    /** A "NNN kB" field in KiB. */
    long kib(String field) {
        return Long.parseLong(get(field).replace(" kB", "").strip());
    }
}
