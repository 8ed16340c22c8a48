package dev.jnet.linux;

/**
 * A failed system call: which operation, on what, and the errno the kernel returned.
 * The message reads like {@code mount /var/run/netns/x: EPERM (Operation not permitted)}.
 */
public class SyscallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String operation;
    private final String target;

    public SyscallException(int errno, String operation, String target) {
        super(operation + (target == null || target.isEmpty() ? "" : " " + target) + ": "
                + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.errno = errno;
        this.operation = operation;
        this.target = target;
    }

    /** The raw errno value. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno, e.g. {@code EEXIST}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The C library's text for the errno, e.g. {@code File exists}: what iproute2 prints. */
    public String reason() {
        return Errno.describe(errno);
    }

    /** The system call or step that failed, e.g. {@code mount}. */
    public String operation() {
        return operation;
    }

    /** The object it was applied to (a path, a name, a pid); may be empty. */
    public String target() {
        return target;
    }
}
