package dev.jnet.rtnl;

/**
 * A request that cannot be sent as given (the kernel is not asked): a missing device, a
 * value out of range. The message is iproute2's where it has one, e.g.
 * {@code Cannot find device "x"}.
 */
public class RtnlException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        NO_DEVICE,
        INVALID_ARGUMENT
    }

    private final Kind kind;

    public RtnlException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static RtnlException noDevice(String name) {
        return new RtnlException(Kind.NO_DEVICE, "Cannot find device \"" + name + "\"");
    }
}
