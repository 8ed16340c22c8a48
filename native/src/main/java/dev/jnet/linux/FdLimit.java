package dev.jnet.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's file-descriptor limit ({@code RLIMIT_NOFILE}) and use: a server that opens a
 * host socket per guest flow sizes its tables from it, and raises the soft limit to the hard one
 * first (as systemd recommends for such servers, and as slirp4netns does not).
 */
public final class FdLimit {
    static {
        Native.register(FdLimit.class, Platform.C_LIBRARY_NAME);
    }

    private static final int RLIMIT_NOFILE = 7;

    private FdLimit() {}

    private static native int getrlimit(int resource, Pointer rlim) throws LastErrorException;

    private static native int setrlimit(int resource, Pointer rlim) throws LastErrorException;

    /** The soft limit: the number every new fd must stay below. */
    public static long soft() {
        return get()[0];
    }

    /** The hard limit: how far an unprivileged process may raise the soft one. */
    public static long hard() {
        return get()[1];
    }

    /**
     * Raises the soft limit to the hard one (no privilege needed) and returns the new soft limit.
     *
     * @throws SyscallException when the kernel refuses (it should not: soft &lt;= hard always may)
     */
    public static long raiseSoftToHard() {
        long[] now = get();
        if (now[0] < now[1]) {
            Memory m = new Memory(16);
            long hard = now[1] == Long.MAX_VALUE ? -1 : now[1]; // RLIM_INFINITY
            m.setLong(0, hard);
            m.setLong(8, hard);
            try {
                setrlimit(RLIMIT_NOFILE, m);
            } catch (LastErrorException e) {
                throw new SyscallException(e.getErrorCode(), "setrlimit", "RLIMIT_NOFILE " + now[1]);
            }
        }
        return soft();
    }

    /** File descriptors the process holds now (the entries of /proc/self/fd), or -1 if unreadable. */
    public static int open() {
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path ignored : fds) {
                n++;
            }
        } catch (IOException | RuntimeException e) {
            return -1; // out of fds itself, say: a figure for a stats line, not worth an exception
        }
        return n - 1; // the directory's own fd, open while it is listed
    }

    private static long[] get() {
        Memory m = new Memory(16); // struct rlimit { rlim_t cur, max; } (64-bit)
        try {
            getrlimit(RLIMIT_NOFILE, m);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "getrlimit", "RLIMIT_NOFILE");
        }
        return new long[] {unsigned(m.getLong(0)), unsigned(m.getLong(8))};
    }

    /** RLIM_INFINITY (all ones) as {@link Long#MAX_VALUE}. */
    private static long unsigned(long v) {
        return v < 0 ? Long.MAX_VALUE : v;
    }
}
