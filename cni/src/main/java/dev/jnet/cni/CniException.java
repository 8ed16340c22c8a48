package dev.jnet.cni;

/**
 * A CNI error: the spec's code, message and details. The plugin's main turns it into the error
 * object on stdout (see {@link CniMain}); library code throws it and never prints or exits.
 */
public class CniException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Incompatible CNI version. */
    public static final int INCOMPATIBLE_VERSION = 1;
    /** Unsupported field in network configuration. */
    public static final int UNSUPPORTED_FIELD = 2;
    /** Container unknown or does not exist. */
    public static final int UNKNOWN_CONTAINER = 3;
    /** Invalid necessary environment variables, like CNI_COMMAND, CNI_CONTAINERID. */
    public static final int INVALID_ENV = 4;
    /** I/O failure. */
    public static final int IO_FAILURE = 5;
    /** Failed to decode content. */
    public static final int DECODING_FAILURE = 6;
    /** Invalid network config. */
    public static final int INVALID_NETWORK_CONFIG = 7;
    /** Try again later. */
    public static final int TRY_AGAIN_LATER = 11;
    /** STATUS (1.1.0): the plugin cannot service ADD requests now. */
    public static final int PLUGIN_NOT_AVAILABLE = 50;
    /** What the reference plugins (libcni's skel) report for every other failure. */
    public static final int INTERNAL = 999;

    private final int code;
    private final String details;

    public CniException(int code, String msg, String details) {
        super(msg);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    public CniException(int code, String msg) {
        this(code, msg, "");
    }

    public CniException(int code, String msg, Throwable cause) {
        super(msg, cause);
        this.code = code;
        this.details = "";
    }

    public int code() {
        return code;
    }

    public String details() {
        return details;
    }
}
