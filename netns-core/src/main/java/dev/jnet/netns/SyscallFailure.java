package dev.jnet.netns;

import dev.jnet.linux.SyscallException;
import java.util.Optional;

/**
 * A system call that failed under a library call (errno, the operation, the object it was
 * applied to), for code above the libraries (the CLI) that reports failures without reaching
 * into the native bindings. Library operations throw their own typed exceptions where they have
 * a wording of their own; a bare failed system call reaches callers as this.
 *
 * @param errno the raw errno value
 * @param errnoName the symbolic errno, e.g. {@code EEXIST}
 * @param reason the C library's text for the errno, e.g. {@code File exists}
 * @param operation the system call or step that failed, e.g. {@code mount}
 * @param target the object it was applied to (a path, a name, a pid); may be empty
 * @param message one line, e.g. {@code mount /var/run/netns/x: EPERM (Operation not permitted)}
 */
public record SyscallFailure(int errno, String errnoName, String reason, String operation, String target,
        String message) {

    /** The failed system call {@code t} is, if it is one. */
    public static Optional<SyscallFailure> of(Throwable t) {
        if (t instanceof SyscallException s) {
            return Optional.of(new SyscallFailure(s.errno(), s.errnoName(), s.reason(), s.operation(), s.target(),
                    s.getMessage()));
        }
        return Optional.empty();
    }
}
