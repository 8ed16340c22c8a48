package dev.jnet.netns;

import dev.jnet.linux.KindException;
import dev.jnet.linux.SyscallException;

/**
 * A namespace operation failed. The message is iproute2's wording where iproute2 has one
 * (e.g. {@code Cannot create namespace file "/run/netns/x": File exists}); {@link #kind()}
 * lets callers tell bad input from a system failure without parsing text.
 */
public class NetnsException extends KindException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, independent of wording. */
    public enum Kind {
        /** The name or argument is unusable (empty, ".", "..", contains '/', too long, bad pid). */
        INVALID_ARGUMENT,
        /** A namespace of that name exists already. */
        EXISTS,
        /** No namespace of that name (or no such process). */
        NOT_FOUND,
        /** The system refused or failed (permissions, kernel errors). */
        SYSTEM
    }

    public NetnsException(Kind kind, String message) {
        super(kind, message);
    }

    public NetnsException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }

    /** The errno of the underlying system call, or 0 when the failure was not a system call's. */
    public int errno() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof SyscallException s) {
                return s.errno();
            }
        }
        return 0;
    }

    static NetnsException invalidName(String name) {
        return new NetnsException(Kind.INVALID_ARGUMENT, "Invalid netns name \"" + name + "\"");
    }

    /** Maps a system call failure to a kind: ENOENT/ESRCH are NOT_FOUND, EEXIST is EXISTS. */
    static Kind kindOf(SyscallException e) {
        return switch (e.errnoName()) {
            case "ENOENT", "ESRCH" -> Kind.NOT_FOUND;
            case "EEXIST" -> Kind.EXISTS;
            default -> Kind.SYSTEM;
        };
    }
}
