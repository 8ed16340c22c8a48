package dev.jnet.wiring;

import dev.jnet.linux.KindException;

/** {@link NetnsConnector} could not connect or disconnect; the message is one line for the user. */
public class WiringException extends KindException {
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

    public WiringException(Kind kind, String message) {
        super(kind, message);
    }

    public WiringException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }
}
