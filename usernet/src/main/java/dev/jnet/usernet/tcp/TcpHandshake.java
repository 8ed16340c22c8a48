package dev.jnet.usernet.tcp;

import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;

/**
 * The opening handshake of a {@link TcpConnection}: our SYN-ACK to the guest's SYN once the
 * host connect succeeded (SYN_RECEIVED) or our SYN for a port forward (SYN_SENT), the guest's
 * answers to them, and their retransmission. Completion goes back to the connection
 * ({@link TcpConnection#established}); segments go down through the {@link SegmentOutput}.
 */
final class TcpHandshake {
    private final TcpConnection conn;
    private final ConnectionContext ctx;
    private final TcpReceiver rcv;
    private final TcpSender snd;

    TcpHandshake(TcpConnection conn, ConnectionContext ctx, TcpReceiver rcv, TcpSender snd) {
        this.conn = conn;
        this.ctx = ctx;
        this.rcv = rcv;
        this.snd = snd;
    }

    /**
     * A guest segment while the handshake is incomplete ({@code state} embryonic).
     *
     * @return whether the segment completed the handshake and should be processed further
     */
    boolean segment(TcpState state, TcpSegment seg, int flags, int seq) {
        switch (state) {
            case CONNECTING:
                // the guest's SYN retransmissions are absorbed until the host connect resolves
                if ((flags & TcpSegment.RST) != 0 && seq == rcv.nxt()) {
                    conn.destroy(false);
                }
                return false;
            case SYN_SENT:
                synSentSegment(seg, flags, seq);
                return false;
            default:
                return synReceivedSegment(seg, flags, seq);
        }
    }

    private boolean synReceivedSegment(TcpSegment seg, int flags, int seq) {
        if ((flags & TcpSegment.RST) != 0) {
            if (seq == rcv.nxt()) {
                conn.destroy(false);
            }
            return false;
        }
        if ((flags & TcpSegment.SYN) != 0) {
            if (seq == rcv.irs) {
                sendSynAck(); // our SYN-ACK was lost
            }
            return false;
        }
        if ((flags & TcpSegment.ACK) == 0) {
            return false;
        }
        int ack = seg.ackNumber();
        if (ack != snd.iss + 1) {
            conn.sendReset(ack, 0, TcpSegment.RST);
            return false;
        }
        conn.established(seq, ack, snd.scaledWindow(seg));
        return true;
    }

    /** RFC 9293 3.10.7.3: the guest's answer to our SYN. */
    private void synSentSegment(TcpSegment seg, int flags, int seq) {
        boolean hasAck = (flags & TcpSegment.ACK) != 0;
        if (hasAck && seg.ackNumber() != snd.iss + 1) {
            if ((flags & TcpSegment.RST) == 0) {
                conn.sendReset(seg.ackNumber(), 0, TcpSegment.RST);
            }
            return;
        }
        if ((flags & TcpSegment.RST) != 0) {
            if (hasAck) {
                conn.destroy(false); // the guest refused: the host client is reset
            }
            return;
        }
        if ((flags & TcpSegment.SYN) == 0 || !hasAck) {
            return; // a simultaneous open is nothing a guest server does
        }
        TcpOptions opts = ctx.scratchOptions();
        seg.parseOptions(opts);
        conn.guestSyn(seq, opts);
        rcv.advertiseSynWindow();
        conn.established(seq, seg.ackNumber(), seg.window()); // never scaled in a SYN-ACK (RFC 7323 2.2)
        conn.sendAck();
        conn.afterEvent();
    }

    /** Our SYN of an active open: MSS, window scale and SACK offered; the guest's SYN-ACK decides. */
    void sendSyn() {
        TcpOptions opts = ctx.scratchOptions().mss(ctx.ourMss(conn.v6)).sackPermitted(true)
                .windowScale(ctx.limits.windowScale());
        ctx.output.emit(conn, snd.iss, 0, TcpSegment.SYN, rcv.synWindow(), opts, null, 0, 0);
        snd.synSent();
    }

    /** Our SYN-ACK: MSS = the link's, window scale only if the guest offered one, SACK if it did. */
    void sendSynAck() {
        int window = rcv.advertiseSynWindow();
        ctx.output.emit(conn, snd.iss, rcv.nxt(), TcpSegment.SYN | TcpSegment.ACK, window,
                rcv.synAckOptions(ctx.ourMss(conn.v6)), null, 0, 0);
        snd.synSent();
    }

    /**
     * The SYN (SYN_SENT) or SYN-ACK timer expired: send it again, backed off.
     *
     * @return false when the retries are used up (no guest server answers, or the guest went
     *     away mid-handshake)
     */
    boolean retry(TcpState state) {
        if (!snd.synRetry()) {
            return false;
        }
        if (state == TcpState.SYN_SENT) {
            sendSyn();
        } else {
            sendSynAck();
        }
        return true;
    }
}
