package dev.jnet.userns;

import dev.jnet.linux.Fd;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.netns.NsIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A jnet-helper child with this process's stdin, stdout and stderr that stops itself
 * (SIGSTOP) at the points its command line says ({@code --unshare-user-unmapped}, {@code --stop}),
 * so the parent can do its part in the child's namespaces (write the id maps, give it a
 * configured tap) and then let it go on. Stops are seen with waitid(2) on a pidfd: no extra fd
 * or socket file is needed between the two, and the child's stdio stays the caller's.
 */
public final class StagedChild implements AutoCloseable {
    public static final int SIGCONT = 18;
    /** Bounds the sweep of leftovers: each round kills what the previous one missed (forks in flight). */
    private static final int SWEEP_ROUNDS = 20;

    private final Process process;
    private final Fd pidfd;
    /** The child's own user namespace, learned at its first stop (it unshared one by then). */
    private volatile NsIdentity userns;

    private StagedChild(Process process, Fd pidfd) {
        this.process = process;
        this.pidfd = pidfd;
    }

    /** Starts {@code command} (a jnet-helper line) with this process's stdio. */
    public static StagedChild start(List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(command).inheritIO().start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + command.get(0), e);
        }
        try {
            return new StagedChild(p, Fd.adopt(Syscalls.pidfdOpen(p.pid()), "pidfd of " + p.pid()));
        } catch (SyscallException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    public long pid() {
        return process.pid();
    }

    /** Blocks until the child stops (true) or ends (false; {@link #waitFor} gives its status). */
    public boolean awaitStop() {
        boolean stopped = Syscalls.awaitStopOrExit(pidfd.get(), "child " + pid());
        if (stopped && userns == null) {
            NsIdentity theirs = NsIdentity.of(Path.of("/proc", Long.toString(pid()), "ns", "user")).orElse(null);
            if (theirs != null && !theirs.equals(NsIdentity.of(Path.of("/proc/self/ns/user")).orElse(null))) {
                userns = theirs;
            }
        }
        return stopped;
    }

    /**
     * SIGKILLs every process still in the child's user namespace (what CMD left running in the
     * background would keep its namespaces alive), so nothing outlives the run. Processes we may
     * not inspect are not ours to kill and are skipped. Returns how many were killed.
     */
    public int killLeftovers() {
        NsIdentity ns = userns;
        if (ns == null) {
            return 0;
        }
        int killed = 0;
        for (int round = 0; round < SWEEP_ROUNDS; round++) {
            int found = 0;
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path p : procs) {
                    if (ns.equals(NsIdentity.of(p.resolve("ns/user")).orElse(null)) && kill(Long.parseLong(
                            p.getFileName().toString()))) {
                        found++;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("listing /proc", e);
            }
            if (found == 0) {
                break;
            }
            killed += found;
        }
        return killed;
    }

    /**
     * SIGKILL, then wait (bounded) until it has died: a pidfd turns readable once the process
     * has exited, so its namespaces are released when this returns.
     */
    private static boolean kill(long pid) {
        try (Fd fd = Fd.adopt(Syscalls.pidfdOpen(pid), "pidfd of " + pid)) {
            Syscalls.pidfdSendSignal(fd.get(), Syscalls.SIGKILL, "pid " + pid);
            Syscalls.pollIn(fd.get(), DEATH_TIMEOUT_MS, "pidfd of " + pid);
            return true;
        } catch (SyscallException gone) {
            return false; // exited meanwhile, or not ours
        }
    }

    private static final int DEATH_TIMEOUT_MS = 2000;

    /** Lets a stopped child go on (SIGCONT). */
    public void resume() {
        signal(SIGCONT);
    }

    /** Sends {@code signal}; a child that has ended already is not an error. */
    public void signal(int signal) {
        try {
            Syscalls.pidfdSendSignal(pidfd.get(), signal, "child " + pid());
        } catch (SyscallException e) {
            if (e.errno() != dev.jnet.linux.Errno.ESRCH) {
                throw e;
            }
        }
    }

    /** Its exit status, 128+N when signal N ended it (as a shell reports it). */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL (a stopped child too) and reap, unless it has ended; closes the pidfd. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                signal(Syscalls.SIGKILL);
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pidfd.close();
        }
    }
}
