package dev.jnet.net;

/**
 * Text that is not an address or prefix of the kind asked for. The message names the text and
 * why, e.g. {@code invalid IPv4 address "010.0.0.1": part "010" has a leading zero}; callers
 * that must print another wording (iproute2's, slirp4netns's) use {@link #input()} and
 * {@link #reason()}.
 */
public final class InvalidAddressException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String input;
    private final String reason;

    InvalidAddressException(String what, String input, String reason) {
        super("invalid " + what + " \"" + input + "\": " + reason);
        this.input = input;
        this.reason = reason;
    }

    /** The text as given. */
    public String input() {
        return input;
    }

    /** Why it was refused, e.g. {@code part "256" is above 255}. */
    public String reason() {
        return reason;
    }
}
