package dev.jnet.userns;

import dev.jnet.linux.Fd;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    private final Process process;
    private final Fd pidfd;

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
        return Syscalls.awaitStopOrExit(pidfd.get(), "child " + pid());
    }

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

    public static final int SIGCONT = 18;
}
