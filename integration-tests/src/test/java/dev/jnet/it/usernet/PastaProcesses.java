package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The background processes a pasta run left (pasta forks to the background; jnet's pasta starts
 * a second JVM), found by arguments of their command line that only this run used; the tests
 * wait for them to end with their namespace and kill whatever is left, by pid.
 */
final class PastaProcesses {
    private static final long WAIT_MS = 30_000;

    private PastaProcesses() {}

    /** Pids (other than ours) whose command line holds every one of {@code args} as an argument. */
    static List<Long> find(List<String> args) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("no arguments to find processes by: that would be every process");
        }
        List<Long> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : ds) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid == self) {
                    continue;
                }
                List<String> argv;
                try {
                    argv = Arrays.asList(new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .split("\0"));
                } catch (IOException gone) {
                    continue;
                }
                if (argv.containsAll(args)) {
                    out.add(pid);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("listing /proc", e);
        }
        return out;
    }

    /** Waits (at most 30 s) until no process matches {@code args}; whether none is left. */
    static boolean awaitGone(List<String> args) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (find(args).isEmpty()) {
                return true;
            }
            Thread.sleep(100);
        }
        return find(args).isEmpty();
    }

    /**
     * pasta (as {@code pasta} runs it) attached to a fresh guest of {@code net}, as the tests'
     * user: {@code --config-net -I tap0}, then {@code options}, then the guest's pid; asserts it
     * came up (else ends what it left) and returns the words that find its processes.
     */
    static List<String> attach(UsernetSandbox net, PastaBinary pasta, List<String> options, Duration timeout) {
        net.restartGuestOnly();
        String pid = Long.toString(net.guestPid());
        List<String> argv = new ArrayList<>(List.of("--config-net", "-I", "tap0"));
        argv.addAll(options);
        argv.add(pid);
        List<String> marker = List.of("--config-net", "-I", "tap0", pid);
        Proc.Result run = net.hostAsUser(timeout, pasta.with(argv));
        if (run.exit() != 0) {
            kill(marker);
        }
        assertThat(run.exit()).as(pasta.description() + ": " + run.describe()).isZero();
        return marker;
    }

    /** SIGKILL to every process matching {@code args} (processes this test started). */
    static void kill(List<String> args) {
        for (long pid : find(args)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
