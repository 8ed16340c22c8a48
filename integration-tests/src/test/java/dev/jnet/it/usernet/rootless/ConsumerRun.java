package dev.jnet.it.usernet.rootless;

import dev.jnet.it.Dist;
import dev.jnet.it.usernet.UsernetBinary;
import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A home and a runtime directory of the test user for rootlesskit and podman runs in a sandbox's
 * host namespace, and the slirp4netns-compatible program they are pointed at: jnet's
 * {@code bin/slirp4netns} entry, or the real {@code /usr/bin/slirp4netns} to validate a test.
 */
final class ConsumerRun implements AutoCloseable {
    /** Which slirp4netns-compatible program the consumers run. */
    enum Binary {
        /** jnet usernet of the staged build (the test user cannot read a build tree under /root). */
        JNET,
        /** The real slirp4netns, to validate a scenario. */
        SLIRP4NETNS;

        /** The command line that runs it (arguments follow). */
        String commandLine() {
            if (this == SLIRP4NETNS) {
                return "'/usr/bin/slirp4netns'";
            }
            if (UsernetBinary.DAEMON.equals(System.getProperty(UsernetBinary.PROPERTY))) {
                // bin/slirp4netns's way: the C front end in front of a per-user jnet usernetd
                return UsernetBinary.daemon().command().stream().map(a -> "'" + a.replace("'", "'\\''") + "'")
                        .collect(java.util.stream.Collectors.joining(" "));
            }
            // as ./jnet and bin/slirp4netns start usernet: the full JIT, it runs long and moves data
            Dist dist = Dist.get();
            return String.join(" ", List.of(dist.java().toString(), "-XX:+UseSerialGC", "-XX:-UsePerfData",
                    "-Djnet.helper=" + dist.helper(), "-cp", dist.dir() + "/*", "dev.jnet.cli.Main", "usernet").stream()
                    .map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        }
    }

    private final String user = TestUser.configuredName();
    private final Path home;
    private final Path runtimeDir;

    ConsumerRun() {
        home = userDir("rlx-home-");
        runtimeDir = userDir("rlx-run-");
    }

    private Path userDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            chown(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("creating a directory for " + user, e);
        }
    }

    void chown(Path p) throws IOException {
        UserPrincipalLookupService users = p.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(p, users.lookupPrincipalByName(user));
    }

    /** Writes a file of the user's under its home directory (parents made as the user's too). */
    Path writeHomeFile(String relative, String content) throws IOException {
        return writeHomeFile(relative, content, false);
    }

    Path writeHomeFile(String relative, String content, boolean executable) throws IOException {
        Path f = home.resolve(relative);
        for (Path d = home; !d.equals(f.getParent()); ) {
            d = d.resolve(f.getParent().getName(d.getNameCount()));
            if (!Files.isDirectory(d)) {
                Files.createDirectory(d);
                chown(d);
            }
        }
        Files.writeString(f, content);
        if (executable) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwx------"));
        }
        chown(f);
        return f;
    }

    /**
     * A slirp4netns-named entry in the user's home (as the repository's {@code bin/slirp4netns}
     * is one) that records each command line it gets in {@link #calls} and execs {@code binary}:
     * the test then knows the consumer really ran it.
     */
    Path entry(Binary binary) throws IOException {
        Path log = home.resolve("slirp4netns-calls.log");
        return writeHomeFile("bin-" + binary.name().toLowerCase(java.util.Locale.ROOT) + "/slirp4netns",
                "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec " + binary.commandLine() + " \"$@\"\n", true);
    }

    /** The command lines the entries got, in order. */
    List<String> calls() throws IOException {
        Path log = home.resolve("slirp4netns-calls.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    Path home() {
        return home;
    }

    Path runtimeDir() {
        return runtimeDir;
    }

    /** {@code command} as the user, in this home and runtime directory, with a minimal environment. */
    List<String> asUser(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--reuid=" + user, "--regid=" + user,
                "--init-groups", "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + home,
                "XDG_RUNTIME_DIR=" + runtimeDir));
        cmd.addAll(command);
        return cmd;
    }

    /** Processes of the user whose command line names our home or runtime directory, or whose cwd is in them. */
    /**
     * {@link #leftovers()} once the namespaces have ended: through bin/slirp4netns's daemon that is
     * after its idle exit (2 s in the tests; bounded wait of 15 s), else at once.
     */
    List<Long> leftoversAfterIdleExit() throws InterruptedException {
        if (UsernetBinary.DAEMON.equals(System.getProperty(UsernetBinary.PROPERTY))) {
            for (int i = 0; i < 75 && !leftovers().isEmpty(); i++) {
                Thread.sleep(200);
            }
        }
        return leftovers();
    }

    List<Long> leftovers() {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            Path proc = Path.of("/proc", Long.toString(p.pid()));
            try {
                String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
                String environ = Files.readString(proc.resolve("environ"));
                if (cmdline.contains(runtimeDir.toString()) || environ.contains("XDG_RUNTIME_DIR=" + runtimeDir)) {
                    pids.add(p.pid());
                }
            } catch (IOException | RuntimeException gone) {
                // exited, or not readable: not one of ours
            }
        });
        return pids;
    }

    /** Kills what is left of ours (podman's pause process, say), by pid, then removes both directories. */
    @Override
    public void close() {
        for (int round = 0; round < 3; round++) {
            List<Long> left = leftovers();
            if (left.isEmpty()) {
                break;
            }
            left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        // podman's vfs layers are the user's files; some are read-only directories
        Proc.run("chmod", "-R", "u+rwX", home.toString(), runtimeDir.toString());
        for (Path root : List.of(home, runtimeDir)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("removing " + root, e);
            }
        }
    }
}
