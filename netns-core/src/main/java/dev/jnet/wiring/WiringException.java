package dev.jnet.wiring;

/** {@link NetnsConnector} could not connect or disconnect; the message is one line for the user. */
public class WiringException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Unusable input: a bad name or address. */
        INVALID_ARGUMENT,
        /** No such namespace, or not connected. */
        NOT_FOUND,
        /** Already connected, or a name that is taken. */
        EXISTS,
        /** The system refused (see the cause). */
        SYSTEM
    }

    private final Kind kind;

    public WiringException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public WiringException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
