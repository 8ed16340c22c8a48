package dev.jnet.linux;

/**
 * A failure whose message is one line for a person and whose kind, an enum, lets callers tell
 * e.g. bad input from a system failure without parsing the message. Subclasses declare the enum
 * and narrow {@link #kind()} to it.
 */
public abstract class KindException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Enum<?> kind;

    protected KindException(Enum<?> kind, String message) {
        super(message);
        this.kind = kind;
    }

    protected KindException(Enum<?> kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** What went wrong, independent of wording. */
    public Enum<?> kind() {
        return kind;
    }
}
