package dev.jnet.cli.usernet;

import dev.jnet.linux.BuildId;
import dev.jnet.linux.Fd;
import dev.jnet.linux.Sandbox;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.linux.UnixSockets;
import dev.jnet.usernet.Usernet;
import dev.jnet.usernet.UsernetException;
import dev.jnet.usernet.link.Neighbours;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jnet usernetd}: one stack process per user (and host network namespace) serving every
 * namespace whose front end ({@code bin/slirp4netns}, the C program jnet-slirp4netns) attaches.
 * Each attached namespace runs {@code jnet usernet}'s own command on a thread of its own with
 * its own {@code Stack}, API socket and forwards; they share only the event loops and the
 * buffer pool. Exits 0 after the last namespace detached plus {@code --idle-exit} seconds.
 * See docs/design.md ("usernetd").
 */
@Command(name = "usernetd", description = "One user-mode stack process serving every namespace of this user "
        + "(started on demand by bin/slirp4netns; --foreground for a supervisor).")
public final class UsernetdCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--foreground", description = "Stay attached to the terminal/supervisor; log to stderr.")
    boolean foreground;

    @Option(names = "--idle-exit", paramLabel = "SECONDS", defaultValue = "30",
            description = "Exit this long after the last namespace detached (0: never). Default: ${DEFAULT-VALUE}.")
    int idleExit;

    @Option(names = "--open-rate", paramLabel = "N", defaultValue = "500",
            description = "Host sockets (new TCP connections, UDP flows) per second a namespace may have opened while "
                    + "other namespaces are active; beyond it its tap is not read for a while (0: no limit). "
                    + "Default: ${DEFAULT-VALUE}.")
    int openRate;

    @Option(names = "--notify-fd", paramLabel = "FD", hidden = true,
            description = "Write \"1\" to FD and close it once listening (the front end that started us waits).")
    String notifyFd;

    @Option(names = "--build-id", paramLabel = "ID", hidden = true,
            description = "The build the starting front end is: another one is refused (\"build OURS\" on the notify FD).")
    String buildId;

    @Option(names = {"-h", "--help"}, usageHelp = true) boolean help;

    private volatile Fd listening;
    private PrebuiltCommandLines prebuilt;
    /** every namespace served: a namespace's link holds back a guest flooding new flows while others are active */
    private Neighbours neighbours;
    private volatile boolean stopping;
    private int attached;
    private ScheduledFuture<?> idleTimer;
    /**
     * One thread per attached namespace (it blocks on the front end's connection), kept a while
     * after its namespace detached: the next attach starts on a waiting thread, not a new one.
     */
    /** How long a refused peer's messages are read before its connection closes. */
    private static final long REFUSE_DRAIN_MILLIS = 1000;

    private final ExecutorService sessions = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jnet-usernetd-ns");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jnet-usernetd-idle");
        t.setDaemon(true);
        return t;
    });

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (idleExit < 0) {
            return fail(err, "--idle-exit must be 0 (never) or a number of seconds, not " + idleExit);
        }
        if (openRate < 0) {
            return fail(err, "--open-rate must be 0 (no limit) or a number of host sockets per second, not " + openRate);
        }
        neighbours = new Neighbours(openRate);
        if (buildId != null && !buildId.equals(BuildId.value())) {
            // a front end of other sources started us (JNET_USERNETD names another build): it
            // would find no daemon at its socket name; tell it why instead of starting
            try {
                if (notifyFd != null) {
                    notify(SlirpArgs.fd(notifyFd, "notify-fd"), "build " + BuildId.value());
                }
            } catch (SlirpArgs.Bad e) {
                err.println("jnet usernetd: " + e.getMessage()); // the line below says what matters
            }
            return fail(err, "this is build " + BuildId.value() + ", the front end that started it is build " + buildId);
        }
        // the first attach's command tree builds (picocli reflection, ~20 ms cold) while the
        // directory, lock, loops and socket are made: a cold start waits for whichever is last
        prebuilt = new PrebuiltCommandLines();
        try {
            return serve(err);
        } finally {
            prebuilt.close();
        }
    }

    private int serve(PrintWriter err) {
        UsernetdPaths paths;
        try {
            paths = UsernetdPaths.current();
            paths.ensureDir();
        } catch (SlirpArgs.Bad e) {
            return fail(err, e.getMessage());
        }
        UsernetdLock lock;
        try {
            lock = UsernetdLock.take(paths);
        } catch (SyscallException | SlirpArgs.Bad e) {
            return fail(err, e.getMessage());
        }
        if (lock == null) {
            return fail(err, "another jnet usernetd already serves this user here (lock " + paths.lock() + ")");
        }
        try (lock) {
            Files.deleteIfExists(paths.socket()); // a dead daemon's: we hold the lock
            Usernet.prepareProcess();
            MultiThreadIoEventLoopGroup loops = Usernet.newSharedLoops(Runtime.getRuntime().availableProcessors());
            listening = UnixSockets.listen(paths.socket().toString(), 128);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> lock.removeFiles(1000), "jnet-usernetd-cleanup"));
            // the front ends open taps and route sockets; this process never needs setns, mount,
            // ptrace and the like: deny them on every thread (as usernet --enable-seccomp does)
            Sandbox.noNewPrivs();
            Sandbox.denySyscalls();
            if (notifyFd != null) {
                notify(SlirpArgs.fd(notifyFd, "notify-fd"), "1");
            }
            if (foreground) {
                err.println("jnet usernetd: listening on " + paths.socket());
                err.flush();
            }
            synchronized (this) {
                armIdleTimer();
            }
            acceptLoop(loops, paths);
            lock.removeFiles(3000);
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            return 0;
        } catch (IOException e) {
            return fail(err, paths.socket() + ": " + e.getMessage());
        } catch (SyscallException | UsernetException | SlirpArgs.Bad e) {
            return fail(err, e.getMessage());
        }
    }

    private void acceptLoop(MultiThreadIoEventLoopGroup loops, UsernetdPaths paths) {
        int uid = Syscalls.geteuid();
        while (!stopping) {
            Fd conn;
            try {
                conn = UnixSockets.accept(listening, paths.socket().toString());
            } catch (SyscallException e) {
                if (stopping) {
                    return;
                }
                throw e;
            }
            UnixSockets.PeerCredentials peer = UnixSockets.peer(conn, "front end");
            if (peer.uid() != uid) {
                // the directory is 0700 already; this is the second wall (a leaked fd, a bind mount)
                refuse(conn, "jnet usernetd: refused: the peer (pid " + peer.pid() + ") runs as uid " + peer.uid()
                        + ", this daemon serves only uid " + uid);
                continue;
            }
            IoEventLoop loop = (IoEventLoop) loops.next();
            synchronized (this) {
                attached++;
                if (idleTimer != null) {
                    idleTimer.cancel(false);
                    idleTimer = null;
                }
            }
            sessions.execute(() -> {
                Thread.currentThread().setName("jnet-usernetd-ns-" + peer.pid());
                serve(conn, loop);
            });
        }
    }

    private void serve(Fd conn, IoEventLoop loop) {
        try {
            new UsernetdSession(conn, loop, neighbours, prebuilt).run();
        } finally {
            conn.close();
            synchronized (this) {
                attached--;
                armIdleTimer();
            }
        }
    }

    /** With nothing attached, exit after the grace unless someone attaches first; under the lock of this. */
    private void armIdleTimer() {
        if (attached == 0 && idleExit > 0 && idleTimer == null) {
            idleTimer = timer.schedule(this::idleExitNow, idleExit, TimeUnit.SECONDS);
        }
    }

    private synchronized void idleExitNow() {
        if (attached > 0 || stopping) {
            return;
        }
        stopping = true;
        UnixSockets.shutdown(listening); // accept(2) returns: the loop ends
    }

    /** Writes the starting front end's answer to FD and closes it. */
    private static void notify(int fd, String answer) {
        try {
            Syscalls.write(fd, bytes(answer), "notify-fd " + fd);
            Syscalls.close(fd);
        } catch (SyscallException e) {
            throw new SlirpArgs.Bad(e.getMessage());
        }
    }

    /**
     * Answers a refused peer with one line and closes, off the accept loop. What the peer sent
     * is read first (for {@link #REFUSE_DRAIN_MILLIS} at most): a unix socket closed with
     * messages unread hands its peer ECONNRESET, which its next recv reports before our answer.
     */
    private void refuse(Fd conn, String line) {
        Runnable answer = () -> {
            try (conn) {
                UnixSockets.send(conn, UsernetdSession.message("exit", "1", "", line + "\n"), new int[0], "front end");
                long deadline = System.nanoTime() + REFUSE_DRAIN_MILLIS * 1_000_000L;
                long left;
                while ((left = (deadline - System.nanoTime()) / 1_000_000L) > 0
                        && Syscalls.pollIn(conn.get(), (int) left, "front end")) {
                    UnixSockets.Message m = UnixSockets.receive(conn, 0, "front end");
                    for (int fd : m.fds()) {
                        Fd.adopt(fd, "refused peer's fd").close();
                    }
                    if (m.eof()) {
                        break;
                    }
                }
            } catch (SyscallException e) {
                // it went away: nothing to tell
            }
        };
        try {
            sessions.execute(answer);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            conn.close();
        }
    }

    private static int fail(PrintWriter err, String message) {
        err.println("jnet usernetd: " + message);
        err.flush();
        return UsernetCommand.EXIT_FAILED;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
