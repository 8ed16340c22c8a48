package dev.jnet.linux;

/** An owned file descriptor, closed exactly once. */
public final class Fd implements AutoCloseable {
    private final int fd;
    private final String what;
    private boolean closed;

    private Fd(int fd, String what) {
        this.fd = fd;
        this.what = what;
    }

    /** Takes ownership of a raw descriptor. */
    public static Fd adopt(int fd, String what) {
        return new Fd(fd, what);
    }

    /** open(2) with O_CLOEXEC. */
    public static Fd open(String path, int flags) {
        return new Fd(Syscalls.open(path, flags, 0), path);
    }

    public int get() {
        if (closed) {
            throw new IllegalStateException("fd of " + what + " already closed");
        }
        return fd;
    }

    public String what() {
        return what;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Syscalls.close(fd);
        }
    }
}
