package dev.jnet.junit;

import dev.jnet.linux.Helper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process holding namespaces for a topology, and nothing else: {@code jnet-helper} runs its
 * steps (new user or network namespace), then becomes {@code cat} reading a pipe from this JVM.
 * It goes away when the topology closes it, and also when the JVM dies however it dies: the
 * pipe's end closes (cat reads EOF) and the kernel sends SIGKILL (PR_SET_PDEATHSIG). With the
 * last process and fd, the kernel frees the namespaces: nothing is named, nothing to reap.
 */
final class Holder implements AutoCloseable {
    private final Process process;

    private Holder(Process process) {
        this.process = process;
    }

    /** Runs {@code steps}, then holds; returns once the namespaces exist. */
    static Holder start(Helper.Command steps, String what) {
        List<String> cmd = steps.dieWithParent().exec(List.of("/bin/sh", "-c", "echo ready && exec cat"));
        Process p;
        try {
            p = Spawner.start(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE));
        } catch (IOException e) {
            throw new TopologyException("cannot start the holder of " + what + ": " + e.getMessage(), e);
        }
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            if (!"ready".equals(line)) {
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                p.waitFor(5, TimeUnit.SECONDS);
                p.destroyForcibly();
                throw new TopologyException("cannot create " + what + ": "
                        + (err.isEmpty() ? "jnet-helper ended without a word" : err));
            }
            return new Holder(p);
        } catch (IOException e) {
            p.destroyForcibly();
            throw new TopologyException("cannot create " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted creating " + what, e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** {@code /proc/PID/ns/KIND} of the holder: opens its namespace of that kind. */
    Path ns(String kind) {
        return Path.of("/proc", Long.toString(process.pid()), "ns", kind);
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Ends the holder (EOF on its stdin, then SIGKILL if it lingers) and reaps it. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
