package dev.jnet.it.usernet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts the sandbox's long-lived processes (guest, usernet) so that they die with the test JVM
 * even when it is killed (a surefire timeout, say): each runs under
 * {@code setpriv --pdeathsig KILL}, and is forked by this one thread that lives as long as the
 * JVM. The parent-death signal follows the forking thread, not the process, so forking from a
 * test's own thread (which ends with the test) would kill them too early.
 */
final class Launcher {
    static final String PATH = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "usernet-sandbox-launcher");
        t.setDaemon(true);
        return t;
    });

    private Launcher() {}

    /**
     * {@code setpriv} to {@code user} with a minimal fixed environment (setpriv and env exec: the
     * pid stays), and SIGKILL when the thread that forked it ends: use it for processes
     * {@link #start} starts, or that the forking thread waits for.
     */
    static List<String> asUser(String user) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--reuid=" + user,
                "--regid=" + user, "--init-groups"));
        cmd.addAll(List.of("env", "-i", PATH, "HOME=/tmp"));
        return List.copyOf(cmd);
    }

    /** As {@link #asUser}, staying root (the tests of what usernet does when run as root). */
    static List<String> asRoot() {
        return List.of("setpriv", "--pdeathsig", "KILL", "env", "-i", PATH, "HOME=/tmp");
    }

    /** Starts {@code pb} on the launcher thread. */
    static Process start(ProcessBuilder pb) {
        Future<Process> f = THREAD.submit(pb::start);
        try {
            return f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new UncheckedIOException("starting " + pb.command(), io);
            }
            throw new IllegalStateException("starting " + pb.command(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting " + pb.command(), e);
        }
    }
}
