package dev.jnet.usernet.wire;

/**
 * Mutable, reusable holder of parsed (or to-be-written) TCP options: MSS (RFC 9293), window
 * scale (RFC 7323), SACK-permitted and SACK blocks (RFC 2018), timestamps (RFC 7323). Absent
 * numeric options are {@code -1}. Allocate one per connection or event loop and reuse it.
 */
public final class TcpOptions {
    /** Maximum number of SACK blocks in one option (40 option bytes). */
    public static final int MAX_SACK_BLOCKS = 4;

    /** MSS, or -1. */
    public int mss = -1;
    /** Window scale shift count, or -1. */
    public int windowScale = -1;
    /** SACK-permitted present. */
    public boolean sackPermitted;
    /** Timestamps option present. */
    public boolean hasTimestamps;
    /** TSval (unsigned 32 bits in an int). */
    public int tsVal;
    /** TSecr (unsigned 32 bits in an int). */
    public int tsEcr;
    /** Number of valid SACK blocks in {@link #sackBlocks}. */
    public int sackBlockCount;
    /** SACK blocks as left0, right0, left1, right1, ... */
    public final int[] sackBlocks = new int[2 * MAX_SACK_BLOCKS];
    /** Set by the parser when an option was truncated or had an invalid length. */
    public boolean malformed;

    /** Resets to "no options". */
    public TcpOptions clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
        malformed = false;
        return this;
    }

    /** Sets the MSS. */
    public TcpOptions mss(int value) {
        this.mss = value;
        return this;
    }

    /** Sets the window scale. */
    public TcpOptions windowScale(int value) {
        this.windowScale = value;
        return this;
    }

    /** Sets SACK-permitted. */
    public TcpOptions sackPermitted(boolean value) {
        this.sackPermitted = value;
        return this;
    }

    /** Sets the timestamps. */
    public TcpOptions timestamps(int val, int ecr) {
        this.hasTimestamps = true;
        this.tsVal = val;
        this.tsEcr = ecr;
        return this;
    }

    /** Appends a SACK block. */
    public TcpOptions addSackBlock(int left, int right) {
        if (sackBlockCount >= MAX_SACK_BLOCKS) {
            throw new IllegalStateException("at most " + MAX_SACK_BLOCKS + " SACK blocks");
        }
        sackBlocks[2 * sackBlockCount] = left;
        sackBlocks[2 * sackBlockCount + 1] = right;
        sackBlockCount++;
        return this;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TcpOptions[");
        if (mss >= 0) {
            sb.append("mss=").append(mss).append(' ');
        }
        if (windowScale >= 0) {
            sb.append("ws=").append(windowScale).append(' ');
        }
        if (sackPermitted) {
            sb.append("sackOK ");
        }
        if (hasTimestamps) {
            sb.append("ts=").append(Integer.toUnsignedString(tsVal)).append('/')
                    .append(Integer.toUnsignedString(tsEcr)).append(' ');
        }
        for (int i = 0; i < sackBlockCount; i++) {
            sb.append("sack=").append(Integer.toUnsignedString(sackBlocks[2 * i])).append('-')
                    .append(Integer.toUnsignedString(sackBlocks[2 * i + 1])).append(' ');
        }
        if (malformed) {
            sb.append("malformed");
        }
        return sb.toString().trim() + "]";
    }
}
