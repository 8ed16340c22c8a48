package dev.jnet.usernet.tcp;

import dev.jnet.usernet.wire.TcpOptions;

/**
 * Congestion control and loss recovery of a {@link TcpSender}: Reno slow start and congestion
 * avoidance from IW10, NewReno fast retransmit/recovery (RFC 6582) guided by the guest's SACK
 * blocks when it sends them: each duplicate ACK's slot resends the next hole (RFC 6675 in
 * spirit, without its scoreboard's pipe accounting). Retransmissions go out through the
 * sender; this class only decides what and how much.
 */
final class LossRecovery {
    private static final int INITIAL_WINDOW_SEGMENTS = 10;

    private final TcpSender snd;
    /** cwnd never grows past what the send buffer could ever fill */
    private final long sendBuffer;

    long cwnd;
    private long ssthresh = Long.MAX_VALUE;
    private int dupAcks;
    private boolean inRecovery;
    /** SND.MAX when recovery began: an ACK at or past it ends the recovery */
    private int recover;
    /** the next sequence number the hole walk may resend from */
    private int rexmitNext;
    /** the guest's latest SACK blocks about our data (left, right pairs) */
    private int[] peerSack;
    private int peerSackCount;

    LossRecovery(TcpSender snd, long sendBuffer) {
        this.snd = snd;
        this.sendBuffer = sendBuffer;
    }

    /** The handshake is done: the initial window. */
    void start(int mss) {
        cwnd = (long) INITIAL_WINDOW_SEGMENTS * mss;
    }

    /** Keeps the plausible SACK blocks of an ACK's options. */
    void readPeerSack(TcpOptions opts) {
        if (peerSack == null) {
            peerSack = new int[2 * TcpOptions.MAX_SACK_BLOCKS];
        }
        peerSackCount = 0;
        for (int i = 0; i < opts.sackBlockCount; i++) {
            int left = opts.sackBlocks[2 * i];
            int right = opts.sackBlocks[2 * i + 1];
            // only plausible blocks: inside what is outstanding (RFC 2018 / 6675 sanity)
            if (SeqNum.lt(left, right) && SeqNum.ge(left, snd.sndUna) && SeqNum.le(right, snd.sndMax)) {
                peerSack[2 * peerSackCount] = left;
                peerSack[2 * peerSackCount + 1] = right;
                peerSackCount++;
            }
        }
    }

    /** SND.UNA advanced by {@code acked} (already applied to the sender). */
    void newAck(int acked) {
        int mss = snd.mss;
        if (inRecovery) {
            if (SeqNum.ge(snd.sndUna, recover)) {
                inRecovery = false;
                cwnd = ssthresh;
            } else {
                // NewReno partial ACK: the next hole is lost too (unless the SACK-guided walk
                // already resent it)
                if (SeqNum.le(rexmitNext, snd.sndUna)) {
                    snd.retransmitFirst();
                    rexmitNext = snd.sndUna + mss;
                } else {
                    retransmitNextHole();
                }
                cwnd = Math.max(mss, cwnd - acked + mss);
            }
        } else if (cwnd < ssthresh) {
            cwnd += Math.min(acked, 2L * mss); // slow start
        } else {
            cwnd += Math.max(1, (long) mss * mss / cwnd); // congestion avoidance
        }
        cwnd = Math.min(cwnd, 2L * sendBuffer + mss);
        dupAcks = inRecovery ? dupAcks : 0;
    }

    void duplicateAck() {
        int mss = snd.mss;
        dupAcks++;
        if (inRecovery) {
            // each duplicate means a segment left the network: its slot goes to the next hole
            // the guest's SACK blocks show, or else to new data
            if (!retransmitNextHole()) {
                cwnd += mss;
            }
        } else if (dupAcks == 3) {
            halveWindow(mss);
            cwnd = ssthresh + 3L * mss;
            inRecovery = true;
            recover = snd.sndMax;
            snd.retransmitFirst();
            rexmitNext = snd.sndUna + mss;
        }
    }

    /** The retransmission timer expired: one segment of window, everything is in doubt. */
    void timeout() {
        halveWindow(snd.mss);
        cwnd = snd.mss;
        inRecovery = false;
        dupAcks = 0;
        peerSackCount = 0; // the scoreboard may be stale after a timeout
        rexmitNext = snd.sndUna;
    }

    private void halveWindow(int mss) {
        long flight = snd.sndMax - snd.sndUna;
        ssthresh = Math.max(flight / 2, 2L * mss);
    }

    /**
     * Resends the next segment the guest lacks below the highest byte it has SACKed, skipping
     * what it holds (RFC 6675 in spirit: one retransmission per segment that left the network).
     *
     * @return whether a segment was sent
     */
    private boolean retransmitNextHole() {
        if (peerSackCount == 0) {
            return false;
        }
        int sndUna = snd.sndUna;
        int highest = sndUna;
        for (int i = 0; i < peerSackCount; i++) {
            highest = SeqNum.max(highest, peerSack[2 * i + 1]);
        }
        int from = SeqNum.max(rexmitNext, sndUna);
        boolean moved = true;
        while (moved) {
            moved = false;
            for (int i = 0; i < peerSackCount; i++) {
                if (SeqNum.ge(from, peerSack[2 * i]) && SeqNum.lt(from, peerSack[2 * i + 1])) {
                    from = peerSack[2 * i + 1];
                    moved = true;
                }
            }
        }
        if (!SeqNum.lt(from, highest)) {
            return false;
        }
        int end = from + snd.mss;
        for (int i = 0; i < peerSackCount; i++) {
            if (SeqNum.gt(peerSack[2 * i], from) && SeqNum.lt(peerSack[2 * i], end)) {
                end = peerSack[2 * i];
            }
        }
        int len = Math.min(end - from, snd.buffered() - (from - sndUna));
        if (len <= 0) {
            return false;
        }
        snd.retransmit(from, len);
        rexmitNext = from + len;
        return true;
    }
}
