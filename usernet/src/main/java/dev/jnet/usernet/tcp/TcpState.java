package dev.jnet.usernet.tcp;

/**
 * RFC 9293 connection states as seen from the stack's end of a guest connection, plus
 * {@link #CONNECTING}: the guest's SYN has arrived and the host connect is still under way, so
 * no SYN-ACK has been sent yet.
 */
public enum TcpState {
    CONNECTING,
    /** active open (a port forward): our SYN is out, the guest's SYN-ACK not yet in */
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSING,
    TIME_WAIT,
    CLOSE_WAIT,
    LAST_ACK,
    CLOSED;

    /** Whether the handshake is still incomplete (counted against the embryonic cap). */
    boolean embryonic() {
        return this == CONNECTING || this == SYN_SENT || this == SYN_RECEIVED;
    }

    /** Whether host data is taken in this state (it is queued during the handshake). */
    boolean takesHostData() {
        return this == SYN_RECEIVED || this == SYN_SENT || this == ESTABLISHED || this == CLOSE_WAIT;
    }
}
