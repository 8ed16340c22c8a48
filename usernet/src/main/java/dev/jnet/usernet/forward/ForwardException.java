package dev.jnet.usernet.forward;

import dev.jnet.linux.KindException;

/** A port forward that cannot be made or found; the message is one line for the user. */
public final class ForwardException extends KindException {
    /** What went wrong. */
    public enum Kind {
        /** the host address and port are taken (EADDRINUSE) */
        PORT_IN_USE,
        /** a host address that is none of this host's (EADDRNOTAVAIL), or multicast */
        BAD_HOST_ADDRESS,
        /** no address of the guest (outside its subnet or prefix, the gateway, IPv6 off) */
        BAD_GUEST_ADDRESS,
        /** a port outside 1..65535 */
        BAD_PORT,
        /** binding was refused otherwise (EACCES for a privileged port, ...) */
        BIND_FAILED,
        /** a combination the stack does not forward (e.g. UDP to an IPv6 guest without IPv6 UDP) */
        UNSUPPORTED,
        /** no forward with that id */
        UNKNOWN_ID,
        /** the stack is closed, or its forward table full */
        UNAVAILABLE
    }

    public ForwardException(Kind kind, String message) {
        super(kind, message);
    }

    public ForwardException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }

    @Override
    public Kind kind() {
        return (Kind) super.kind();
    }
}
