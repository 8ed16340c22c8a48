package dev.jnet.it.usernet;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One run of the usernet program inside the host namespace, as the unprivileged user, invoked
 * the way rootlesskit and the anchor harness invoke slirp4netns:
 * {@code BIN [--configure] --mtu N --ready-fd 3 [flags] PID tap0}. Its fd 3 is a pipe to us
 * (a {@code sh -c 'exec 3>&1 1>&2; exec "$@"'} trampoline, as Java passes no extra fds), so
 * "ready" is the byte {@code 1} on that pipe; stdout and stderr go to a log file.
 */
final class UsernetProcess implements AutoCloseable {
    static final String TAP = "tap0";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final List<String> flags;
    private final List<String> jvmOptions;
    private final UsernetSandbox.Launch launch;
    private final int mtu;
    private final Path log;

    private UsernetProcess(Process process, int mtu, List<String> flags, List<String> jvmOptions,
            UsernetSandbox.Launch launch, Path log) {
        this.process = process;
        this.launch = launch;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.mtu = mtu;
        this.flags = List.copyOf(flags);
        this.log = log;
    }

    static UsernetProcess start(String hostNetns, String user, UsernetBinary binary, long guestPid, int mtu,
            List<String> flags, List<String> jvmOptions, UsernetSandbox.Launch launch, Path log, Duration readyTimeout) {
        if (binary.isDaemon() && (!jvmOptions.isEmpty() || !launch.wrapper().isEmpty())) {
            // JVM options and limits (prlimit) are the daemon's: a daemon of its own, which the
            // front end starts under the wrapper and which takes the options; it idles out after
            binary = UsernetBinary.daemon(ownRuntimeDir(log.getParent(), launch.asRoot() ? "root" : user), jvmOptions, "");
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", hostNetns));
        cmd.addAll(launch.wrapper()); // e.g. prlimit: it execs, the pid stays
        cmd.addAll(launch.asRoot() ? Launcher.asRoot() : Launcher.asUser(user));
        if (!jvmOptions.isEmpty() && !binary.isDaemon()) {
            cmd.add("JNET_JAVA_OPTS=" + String.join(" ", jvmOptions)); // how ./jnet (bin/slirp4netns) takes them
        }
        cmd.addAll(List.of("sh", "-c", "exec 3>&1 1>&2; exec \"$@\"", "usernet"));
        List<String> program = new ArrayList<>(binary.command());
        int java = program.indexOf(program.stream().filter(a -> a.endsWith("/java")).findFirst().orElse(""));
        if (java >= 0) {
            program.addAll(java + 1, jvmOptions); // the staged build's java command line (behind the stage)
        }
        cmd.addAll(program);
        if (launch.configure()) {
            cmd.add("--configure");
        }
        cmd.addAll(List.of("--mtu", Integer.toString(mtu), "--ready-fd", "3"));
        cmd.addAll(flags);
        cmd.add(Long.toString(guestPid));
        cmd.add(TAP);
        try {
            Files.writeString(log, "# " + String.join(" ", cmd) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + log, e);
        }
        Process p = Launcher.start(new ProcessBuilder(cmd)
                .directory(log.getParent().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())));
        UsernetProcess u = new UsernetProcess(p, mtu, flags, jvmOptions, launch, log);
        try {
            u.awaitReady(readyTimeout);
            return u;
        } catch (RuntimeException | Error e) {
            u.close();
            throw e;
        }
    }

    private static final java.util.concurrent.atomic.AtomicInteger RUNTIME_DIRS = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A new 0700 XDG_RUNTIME_DIR of {@code owner} under {@code parent}, for a daemon of its own.
     * Its name is short ("x" and a number): the daemon's socket path under it must stay within a
     * unix socket's 107 bytes (a temporary directory's 19 random digits, after a work directory
     * with as many and a 5-digit pid, passed it).
     */
    private static Path ownRuntimeDir(Path parent, String owner) {
        try {
            Path dir;
            while (true) {
                try {
                    dir = Files.createDirectory(parent.resolve("x" + RUNTIME_DIRS.incrementAndGet()),
                            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                    break;
                } catch (java.nio.file.FileAlreadyExistsException taken) {
                    // another run's: the next number
                }
            }
            Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("making a runtime directory for " + owner + " under " + parent, e);
        }
    }

    private void awaitReady(Duration timeout) {
        InputStream readyFd = process.getInputStream();
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
            try {
                return readyFd.read();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        int b;
        try {
            b = first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("usernet wrote nothing to its ready fd within " + timeout + "; log:\n" + log());
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading the ready fd: " + e.getCause() + "; log:\n" + log(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for usernet", e);
        }
        if (b != '1') {
            String what = b < 0 ? "closed its ready fd without writing" : "wrote " + b + " (not '1') to its ready fd";
            throw new IllegalStateException("usernet " + what + exitStatus() + "; log:\n" + log());
        }
    }

    /** ", exited N" once it has ended (waiting a moment for that), else "". */
    private String exitStatus() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? " (it exited " + process.exitValue() + ")" : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The usernet process itself (every wrapper in front of it exec'd). */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int mtu() {
        return mtu;
    }

    List<String> flags() {
        return flags;
    }

    List<String> jvmOptions() {
        return jvmOptions;
    }

    UsernetSandbox.Launch launch() {
        return launch;
    }

    /** Open file descriptors of the usernet process, from /proc/PID/fd. */
    long fdCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("listing the fds of usernet pid " + pid(), e);
        }
    }

    /** The stack's counters and tables, asked by SIGUSR1 (jnet usernet only: see {@link UsernetStats}). */
    java.util.Map<String, Long> stats() {
        return UsernetStats.ask(pid(), log);
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable " + log + ": " + e + ")";
        }
    }

    /**
     * SIGTERM, as container runtimes stop it; SIGKILL (to it and anything it left) if it has not
     * exited within {@link #STOP_TIMEOUT}. Returns the exit status, or -1 when it had to be killed.
     */
    int stop() {
        process.destroy();
        try {
            if (process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return -1;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
        try {
            process.getInputStream().close();
        } catch (IOException ignored) {
            // the pipe of an ended process
        }
    }
}
