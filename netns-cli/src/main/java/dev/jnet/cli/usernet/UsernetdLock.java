package dev.jnet.cli.usernet;

import dev.jnet.linux.Errno;
import dev.jnet.linux.Fd;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The daemon's files in the runtime directory, and who may remove them. Two locks on one file,
 * {@code usernetd-NETNS-BUILD.lock}, of the two kinds Linux keeps apart:
 * <ul>
 * <li>the daemon's life lock, {@code flock(2)}, held until it exits: at most one daemon;</li>
 * <li>the starters' turn, an {@code fcntl(2)} record lock: front ends that find no daemon take
 * it before starting one (native/src/main/c/jnet-slirp4netns.c).</li>
 * </ul>
 * A daemon on its way out takes the starters' turn (waiting for one that is starting a
 * successor), then removes the socket, an empty log and the lock file itself. Whoever locks the
 * file checks afterwards that its name still leads to the file it locked (else an exiting daemon
 * removed it: open the name again), so a removed lock file never lets two daemons run. Nothing
 * stays behind once the last daemon of a network namespace is gone (they used to accumulate, one
 * set per namespace).
 */
final class UsernetdLock implements AutoCloseable {
    private static final int TRIES = 50;

    private final UsernetdPaths paths;
    private final Fd fd;
    private boolean removed;

    private UsernetdLock(UsernetdPaths paths, Fd fd) {
        this.paths = paths;
        this.fd = fd;
    }

    /** The life lock, or null when another daemon holds it. */
    static UsernetdLock take(UsernetdPaths paths) {
        String name = paths.lock().toString();
        for (int i = 0; i < TRIES; i++) {
            Fd fd = Fd.adopt(Syscalls.open(name, Syscalls.O_RDWR | Syscalls.O_CREAT, 0600), name);
            try {
                Syscalls.flock(fd.get(), Syscalls.LOCK_EX | Syscalls.LOCK_NB, name);
            } catch (SyscallException e) {
                fd.close();
                if (e.errno() == Errno.EAGAIN) {
                    return null;
                }
                throw e;
            }
            if (sameFile(fd, paths.lock())) {
                return new UsernetdLock(paths, fd);
            }
            fd.close(); // a daemon on its way out removed it: lock the new one
        }
        throw new SlirpArgs.Bad("cannot lock " + name + ": it keeps being replaced");
    }

    /** Whether {@code path} names the file open at {@code fd}. */
    static boolean sameFile(Fd fd, Path path) {
        try {
            return Files.isSameFile(Path.of("/proc/self/fd", Integer.toString(fd.get())), path);
        } catch (IOException e) {
            return false; // gone
        }
    }

    /**
     * Removes the socket, the log when empty, and the lock file, once no front end is starting a
     * daemon (bounded wait: else the socket alone goes, and the next daemon reuses the others).
     */
    synchronized void removeFiles(long waitMillis) {
        if (removed || !sameFile(fd, paths.lock())) {
            return; // done already: the names may be a successor's by now
        }
        removed = true;
        deleteQuietly(paths.socket());
        try (FileChannel ch = FileChannel.open(paths.lock(), StandardOpenOption.WRITE)) {
            long end = System.nanoTime() + waitMillis * 1_000_000L;
            FileLock turn = ch.tryLock();
            while (turn == null) {
                if (System.nanoTime() > end) {
                    return;
                }
                Thread.sleep(5);
                turn = ch.tryLock();
            }
            try (FileLock held = turn) {
                if (Files.exists(paths.log()) && Files.size(paths.log()) == 0) {
                    deleteQuietly(paths.log());
                }
                deleteQuietly(paths.lock());
            }
        } catch (IOException e) {
            // already gone, or not ours to remove: the next daemon reuses it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // the next daemon reuses (or removes) it
        }
    }

    @Override
    public void close() {
        fd.close();
    }
}
