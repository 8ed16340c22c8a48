package dev.jnet.usernet.rootless;

/**
 * A rootless session failed on its own account (not CMD's): the message is one line for a
 * person, e.g. {@code mapping the ids of the user namespace: newuidmap exited with status 1};
 * {@link #kind()} says which step, without parsing text.
 */
public class RootlessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Which step failed. */
    public enum Kind {
        /** Starting or steering the helper child (a system call, an I/O error). */
        SETUP,
        /** Writing the user namespace's id maps. */
        ID_MAPPING,
        /** Writing the guest's resolv.conf. */
        RESOLV_CONF,
        /** Starting the user-mode stack. */
        STACK,
        /** Adding one of the host forwards: {@link #forwardIndex()} says which. */
        FORWARD
    }

    private final Kind kind;
    private final int forwardIndex;

    public RootlessException(Kind kind, String message, Throwable cause) {
        this(kind, message, -1, cause);
    }

    public RootlessException(Kind kind, String message, int forwardIndex, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.forwardIndex = forwardIndex;
    }

    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#FORWARD}: the index of the forward that failed in the session's list; else -1. */
    public int forwardIndex() {
        return forwardIndex;
    }
}
