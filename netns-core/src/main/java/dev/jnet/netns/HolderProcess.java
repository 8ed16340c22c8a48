package dev.jnet.netns;

import dev.jnet.linux.Fd;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process of ours that outlives its starter: one that holds a rootless namespace open
 * (jnet-helper --hold), or a usernet uplink serving one. Identified by pid and start time, so
 * that a recycled pid is never mistaken for it.
 *
 * @param pid the holder's pid
 * @param startTime field 22 of /proc/PID/stat: clock ticks after boot the process started
 */
public record HolderProcess(long pid, long startTime) {
    private static final int EXIT_WAIT_MILLIS = 5_000;

    /** The holder as it is now, if process {@code pid} exists and belongs to us. */
    public static Optional<HolderProcess> inspect(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            String stat = Files.readString(proc.resolve("stat"));
            // comm may contain spaces and parentheses: fields resume after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long start = Long.parseLong(f[19]);
            int uid = ((Number) Files.getAttribute(proc, "unix:uid")).intValue();
            return uid == Syscalls.geteuid() && !f[0].equals("Z")
                    ? Optional.of(new HolderProcess(pid, start))
                    : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether this very process (same pid and start time) is still running. */
    public boolean alive() {
        return inspect(pid).filter(this::equals).isPresent();
    }

    Path netns() {
        return Path.of("/proc", Long.toString(pid), "ns", "net");
    }

    Path userns() {
        return Path.of("/proc", Long.toString(pid), "ns", "user");
    }

    /** Stops the holder (SIGTERM, then SIGKILL) and waits until it has exited. */
    public void stop() {
        int pidfd;
        try {
            pidfd = Syscalls.pidfdOpen(pid);
        } catch (SyscallException e) {
            return; // already gone
        }
        try (Fd fd = Fd.adopt(pidfd, "pidfd " + pid)) {
            // The pidfd pins this process: check it is ours before signalling it.
            if (!alive()) {
                return;
            }
            String what = "process " + pid;
            Syscalls.pidfdSendSignal(fd.get(), Syscalls.SIGTERM, what);
            if (!Syscalls.pollIn(fd.get(), EXIT_WAIT_MILLIS, what)) {
                Syscalls.pidfdSendSignal(fd.get(), Syscalls.SIGKILL, what);
                Syscalls.pollIn(fd.get(), EXIT_WAIT_MILLIS, what);
            }
        }
    }
}
