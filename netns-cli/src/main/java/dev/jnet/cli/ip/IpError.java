package dev.jnet.cli.ip;

/**
 * A failure reported the way iproute2 reports it: {@link #getMessage()} is printed as is (one
 * line; a few iproute2 messages end in an extra empty line, kept for byte-for-byte equality),
 * and {@link #exit()} is ip's exit status for the same failure (255 for bad arguments, 1 for
 * most other refusals, 2 for kernel refusals).
 */
public final class IpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int exit;

    IpError(String message, int exit) {
        super(message, null, false, false);
        this.exit = exit;
    }

    /** ip's exit status for this failure. */
    public int exit() {
        return exit;
    }

    /** iproute2's invarg(): {@code Error: argument "ARG" is wrong: MSG} and exit 255. */
    static IpError invarg(String msg, String arg) {
        return new IpError("Error: argument \"" + arg + "\" is wrong: " + msg, 255);
    }

    /** iproute2's invarg() with a message that itself ends in a newline (an empty line follows). */
    static IpError invargNl(String msg, String arg) {
        return new IpError("Error: argument \"" + arg + "\" is wrong: " + msg + "\n", 255);
    }

    static IpError invalidPrefix(String arg) {
        return invalidPrefix(0, arg);
    }

    /** iproute2's get_prefix failure; {@code family} 4, 6 or 0 (any) names what was expected. */
    static IpError invalidPrefix(int family, String arg) {
        String what = family == 4 ? "inet" : family == 6 ? "inet6" : "any valid";
        return new IpError("Error: " + what + " prefix is expected rather than \"" + arg + "\".", 1);
    }

    static IpError invalidAddress(String family, String arg) {
        return new IpError("Error: " + family + " address is expected rather than \"" + arg + "\".", 1);
    }

    static IpError noSuchDevice(String name) {
        return new IpError("Device \"" + name + "\" does not exist.", 1);
    }

    static IpError usage(String text) {
        return new IpError(text, 255);
    }

    /** ip's words for a second value where one {@code keyword} value was expected: {@code arg} is extra. */
    static IpError duplicateOrGarbage(String keyword, String arg) {
        return usage("Error: either \"" + keyword + "\" is duplicate, or \"" + arg + "\" is a garbage.");
    }
}
