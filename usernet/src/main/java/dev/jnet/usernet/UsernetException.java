package dev.jnet.usernet;

/**
 * Usernet could not start or had to stop. The message is one line meant for a person, e.g.
 * {@code cannot open tap "tap0": ioctl(TUNSETIFF) for "tap0": Device or resource busy}.
 */
public class UsernetException extends RuntimeException {
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

    private final Kind kind;

    public UsernetException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public UsernetException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
