package dev.jnet.usernet;

import dev.jnet.linux.KindException;

/**
 * Usernet could not start or had to stop. The message is one line meant for a person, e.g.
 * {@code cannot open tap "tap0": ioctl(TUNSETIFF) for "tap0": Device or resource busy}.
 */
public class UsernetException extends KindException {
    private static final long serialVersionUID = 1L;

    /** What failed. */
    public enum Kind {
        /** The settings themselves (bad fd, bad address). */
        INVALID_ARGUMENT,
        /** The target process or namespace: missing, or not ours to enter. */
        TARGET,
        /** Opening or attaching to the tap device. */
        TAP,
        /** Configuring the guest's interface (--configure). */
        CONFIGURE,
        /** The event loop, or the tap while running. */
        RUNTIME
    }

    public UsernetException(Kind kind, String message) {
        super(kind, message);
    }

    public UsernetException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }
}
