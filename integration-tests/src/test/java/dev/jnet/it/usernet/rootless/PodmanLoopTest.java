package dev.jnet.it.usernet.rootless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.Proc;
import dev.jnet.it.usernet.UsernetSandbox;
import dev.jnet.it.usernet.UsernetTest;
import dev.jnet.it.usernet.rootless.ConsumerRun.Binary;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, done-when 7: podman with jnet as {@code network_cmd_path}, 20 {@code podman run --rm
 * IMAGE true} in a loop (each one a namespace attached and detached: through
 * {@code -DJNET_USERNET_BIN=usernetd} a front end on a per-user daemon, else a jnet usernet
 * each), leave nothing of ours behind: once the daemon's idle exit (2 s here) has passed, no
 * process of the user's runtime directory but those that were there before (podman's pause
 * process), with the same fds open, and no socket file in {@code $XDG_RUNTIME_DIR/jnet}. The same
 * loop against the real slirp4netns validates the scenario. Timing: bench/podman-loop.sh.
 */
@UsernetTest
class PodmanLoopTest {
    private static final int RUNS = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static PodmanHome podman;

    @AfterAll
    static void removePodmanHome() {
        if (podman != null) {
            podman.close();
            podman = null;
        }
    }

    @Test
    void twentyRunsThroughJnetLeaveNoProcessFdOrSocket(UsernetSandbox net) throws Exception {
        loop(net, Binary.JNET);
    }

    @Test
    void twentyRunsThroughSlirp4netnsLeaveNoProcessFdOrSocket(UsernetSandbox net) throws Exception {
        loop(net, Binary.SLIRP4NETNS);
    }

    private static void loop(UsernetSandbox net, Binary binary) throws Exception {
        PodmanHome home = podman(net);
        home.configure(binary);
        // podman's pause process (it holds the user namespace between runs) stays by design
        Proc.Result warm = Proc.run(TIMEOUT, home.podman(net, "run", "--rm", "--network", "slirp4netns", PodmanHome.IMAGE,
                "true"));
        assertThat(warm.exit()).as(warm.describe()).isZero();
        Map<Long, Long> before = settled(home.run, Map.of());
        System.out.println(binary + ": before the loop, processes of the runtime dir (pid=fds): " + before);

        long t0 = System.nanoTime();
        for (int i = 0; i < RUNS; i++) {
            Proc.Result r = Proc.run(TIMEOUT, home.podman(net, "run", "--rm", "--network", "slirp4netns",
                    PodmanHome.IMAGE, "true"));
            assertThat(r.exit()).as("run %d: %s", i, r.describe()).isZero();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s: %d x podman run --rm %s true: %.2f s%n", binary, RUNS, PodmanHome.IMAGE, seconds);
        long attached = home.run.calls().stream().filter(c -> c.endsWith(" tap0")).count();
        assertThat(attached).as("namespaces podman attached through the entry: %s", home.run.calls())
                .isEqualTo(RUNS + 1);

        Map<Long, Long> after = settled(home.run, before);
        System.out.println(binary + ": after the loop and the idle exit (pid=fds): " + after);
        assertThat(after).as("processes and their open fds, before the loop: %s", before).isEqualTo(before);
        assertThat(socketFiles(home.run.runtimeDir().resolve("jnet"))).as("daemon socket files").isEmpty();
    }

    /**
     * The processes of the user's runtime directory with their fd counts, once they match
     * {@code expected} or 15 s have passed (the daemon exits 2 s after its last detach; front ends
     * and stacks exit with their namespace).
     */
    private static Map<Long, Long> settled(ConsumerRun run, Map<Long, Long> expected) throws InterruptedException {
        Map<Long, Long> now = fds(run.leftovers());
        for (int i = 0; i < 75 && !expected.isEmpty() && !now.equals(expected); i++) {
            Thread.sleep(200);
            now = fds(run.leftovers());
        }
        if (expected.isEmpty()) {
            Thread.sleep(3000); // past the daemon's idle exit: what stays is podman's
            now = fds(run.leftovers());
        }
        return now;
    }

    private static Map<Long, Long> fds(List<Long> pids) {
        Map<Long, Long> m = new TreeMap<>();
        for (long pid : pids) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
                long n = 0;
                for (Path ignored : ds) {
                    n++;
                }
                m.put(pid, n);
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        return m;
    }

    private static List<Path> socketFiles(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.sock")) {
                ds.forEach(found::add);
            }
        }
        return found;
    }

    private static synchronized PodmanHome podman(UsernetSandbox net) throws Exception {
        assumeTrue(Proc.run("sh", "-c", "command -v podman && test -x /bin/busybox").exit() == 0,
                "podman and busybox-static are not installed");
        if (podman == null) {
            podman = PodmanHome.create(net, "hello from the loop");
        }
        return podman;
    }
}
