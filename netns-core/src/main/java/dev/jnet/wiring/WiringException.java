package dev.jnet.wiring;

import dev.jnet.linux.KindException;

/**
 * {@link NetnsConnector} could not connect or disconnect. The message is one line for the user,
 * in the library's words (no command-line options): a command line can add its own hint by
 * {@link #kind()}, with {@link #namespace()}.
 */
public class WiringException extends KindException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Unusable input: a bad name or address. */
        INVALID_ARGUMENT,
        /** No such namespace, or not connected. */
        NOT_FOUND,
        /** A name that is taken. */
        EXISTS,
        /** The namespace is connected already. */
        ALREADY_CONNECTED,
        /** A given address's network overlaps an address or route of the host or the namespace. */
        ADDRESS_IN_USE,
        /** No 10.200.N.0/24 is free for default addresses. */
        NO_FREE_SUBNET,
        /** The system refused (see the cause). */
        SYSTEM
    }

    private final String namespace;

    public WiringException(Kind kind, String message) {
        this(kind, null, message, null);
    }

    public WiringException(Kind kind, String message, Throwable cause) {
        this(kind, null, message, cause);
    }

    public WiringException(Kind kind, String namespace, String message, Throwable cause) {
        super(kind, message, cause);
        this.namespace = namespace;
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }

    /** The namespace it is about, or null. */
    public String namespace() {
        return namespace;
    }
}
