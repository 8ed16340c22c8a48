package dev.jnet.it.usernet.rootless;

import dev.jnet.it.Dist;
import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import dev.jnet.it.usernet.UsernetBinary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code jnet rootless ARGS} of the staged CLI, run inside a sandbox's host namespace, as the
 * test user or as root, with a fresh private {@code XDG_RUNTIME_DIR} (so a file the run leaves
 * there shows), stdin on /dev/null and a minimal environment. Every wrapper execs: the process
 * started is the jnet JVM itself (signals sent to it reach jnet).
 */
final class RootlessRun implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path runtimeDir;
    private final List<String> command;

    private RootlessRun(Path runtimeDir, List<String> command) {
        this.runtimeDir = runtimeDir;
        this.command = command;
    }

    /** As {@code user} (null: root) in netns {@code hostNetns}. */
    static RootlessRun of(String hostNetns, String user, List<String> args) {
        Path dir;
        try {
            dir = Files.createTempDirectory("rlx-xdg-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            if (user != null) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, users.lookupPrincipalByName(user));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("creating a runtime directory", e);
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", hostNetns));
        if (user != null) {
            cmd.addAll(List.of("setpriv", "--reuid=" + user, "--regid=" + user, "--init-groups"));
        }
        cmd.addAll(List.of("env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp", "XDG_RUNTIME_DIR=" + dir));
        Dist dist = Dist.get();
        if (UsernetBinary.daemonSelected()) {
            // as ./jnet runs it: the C front end makes the namespaces and attaches them to a daemon
            // (its own, in this runtime directory, short idle exit); the JVM only for what it does not take
            String jnet = String.join(" ", dist.javaCommand(List.of()));
            cmd.addAll(List.of("JNET_CLI=" + jnet, "JNET_USERNETD=" + jnet + " usernetd --idle-exit 1",
                    "JNET_HELPER=" + dist.helper(), dist.frontEnd().toString(), "--jnet-rootless"));
        } else {
            cmd.addAll(dist.javaCommand(List.of()));
            cmd.add("rootless");
        }
        cmd.addAll(args);
        return new RootlessRun(dir, List.copyOf(cmd));
    }

    static RootlessRun asTestUser(String hostNetns, List<String> args) {
        return of(hostNetns, TestUser.configuredName(), args);
    }

    Proc.Result run() {
        return Proc.start(command, runtimeDir).await(TIMEOUT);
    }

    Proc.Running start() {
        return Proc.start(command, runtimeDir);
    }

    /**
     * What the run left in its runtime directory (nothing, when it cleaned up). On the daemon
     * path, once its daemon has exited (1 s idle grace): its 0700 directory "jnet" stays, empty.
     */
    List<String> leftInRuntimeDir() throws InterruptedException {
        Path daemonDir = runtimeDir.resolve("jnet");
        for (int i = 0; i < 100 && UsernetBinary.daemonSelected() && !list(daemonDir).isEmpty(); i++) {
            Thread.sleep(100);
        }
        try (Stream<Path> s = Files.walk(runtimeDir)) {
            return s.filter(p -> !p.equals(runtimeDir) && !(p.equals(daemonDir) && UsernetBinary.daemonSelected()))
                    .map(p -> runtimeDir.relativize(p).toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + runtimeDir, e);
        }
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir, e);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> s = Files.walk(runtimeDir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + runtimeDir, e);
        }
    }
}
