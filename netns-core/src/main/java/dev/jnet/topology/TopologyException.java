package dev.jnet.topology;

/** Why a topology could not be looked at or drawn; the message is one line to show. */
public final class TopologyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** Graphviz's {@code dot} is not on PATH */
        GRAPHVIZ_MISSING,
        /** {@code dot} ran and failed */
        GRAPHVIZ_FAILED,
        /** a namespace could not be read */
        SCAN_FAILED
    }

    private final Kind kind;

    public TopologyException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
