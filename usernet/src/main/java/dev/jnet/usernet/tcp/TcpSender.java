package dev.jnet.usernet.tcp;

import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The send half of a connection (host to guest): the send buffer, SND.UNA/NXT/MAX and the
 * guest's window, transmission with sender-side SWS avoidance, the RFC 6298 retransmission
 * timer (Karn's rule for RTT samples), persist probes, and our FIN once the host's EOF is
 * reached. Loss recovery and cwnd are {@link LossRecovery}'s. Segments leave through
 * {@link TcpConnection#transmit}, which adds the receive half's ACK and window.
 *
 * <p>The host socket is read only while the data we hold (unacknowledged plus unsent) is below
 * the guest's window and our send buffer, shrunk under memory pressure, and the stack's
 * budget is not used up, and a read takes at most what is left below that bound:
 * {@link #hostRoom()}.
 */
final class TcpSender {
    /** {@link #ack} results */
    static final int ACK_UNSENT = 0;
    static final int ACK_OLD = 1;
    static final int ACK_OK = 2;
    /** RFC 9293 default send MSS when the guest's SYN carries none. */
    private static final int DEFAULT_MSS = 536;
    /**
     * Floor of the send MSS, whatever the guest's SYN announces. An MSS of 1 costs a 40-byte
     * header and a full event-loop pass per payload byte (a core for about 200 KB/s). Linux
     * floors at {@code tcp_min_snd_mss} = 48 since CVE-2019-11479; we use the RFC 879 / RFC
     * 1122 4.2.2.6 default 536 instead: every IPv4 host must accept 576-byte datagrams (RFC 1122
     * 3.3.3) and an IPv6 link carries at least 1280 (RFC 8200 5), so no conforming guest can be
     * sent a segment it cannot take, and a hostile one gets at most ~13x the packet rate of a
     * 1460-byte flow instead of ~1460x. Our own link MSS still caps it.
     */
    static final int MIN_MSS = DEFAULT_MSS;

    private final TcpConnection conn;
    private final ConnectionContext ctx;
    private final TcpLimits limits;
    private final ConnectionTimer timer;
    private final RtoEstimator rto;
    private final LossRecovery recovery;

    final int iss;
    /** payload bytes the guest has acknowledged (list_connections) */
    long bytesAcked;
    int sndUna;
    int sndNxt;
    int sndMax;
    int sndWnd;
    private int sndScale;
    private int sndWl1;
    private int sndWl2;
    int mss;
    private SendBuffer sendBuffer;
    private boolean hostEof;
    private int finSeq;
    private boolean finSent;

    private int retries;
    private boolean rttTiming;
    private int rttSeq;
    private long rttStart;
    private boolean persist;
    private int persistBackoff;
    /** when SND.UNA last moved (or the buffer opened): memory reclaim aborts the longest stalled */
    private long progressAt;

    TcpSender(TcpConnection conn, ConnectionContext ctx, ConnectionTimer timer, int iss) {
        this.conn = conn;
        this.ctx = ctx;
        this.limits = ctx.limits;
        this.timer = timer;
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.rto = new RtoEstimator(limits.initialRtoNanos(), limits.minRtoNanos(), limits.maxRtoNanos());
        this.recovery = new LossRecovery(this, limits.sendBuffer());
    }

    /** The guest's SYN options that concern sending: its window scale and MSS. */
    void syn(TcpOptions synOptions, boolean windowScaling, int ourMss) {
        this.sndScale = windowScaling ? synOptions.windowScale : 0;
        int theirMss = synOptions.mss > 0 ? synOptions.mss : DEFAULT_MSS;
        this.mss = Math.max(1, Math.min(Math.max(theirMss, MIN_MSS), ourMss));
    }

    /** The send buffer exists from the SYN-ACK (or SYN) on: a host that speaks first is queued. */
    void open(ByteBufAllocator alloc) {
        sendBuffer = new SendBuffer(alloc, ctx.memory);
        progressAt = timer.now();
    }

    boolean isOpen() {
        return sendBuffer != null;
    }

    long rto() {
        return rto.rto();
    }

    int scaledWindow(TcpSegment seg) {
        return seg.window() << sndScale;
    }

    /** Our SYN or SYN-ACK went out: time it unless a retransmission already is. */
    void synSent() {
        if (!rttTiming) {
            rttTiming = true;
            rttSeq = iss + 1;
            rttStart = timer.now();
        }
    }

    /**
     * The SYN (or SYN-ACK) timer expired: back off and stop timing (Karn).
     *
     * @return false when the retries are used up
     */
    boolean synRetry() {
        if (++retries > limits.synAckRetries()) {
            return false;
        }
        rto.backOff();
        rttTiming = false;
        return true;
    }

    /** The handshake completed with the guest's ACK {@code ack} of our SYN in segment {@code seq}. */
    void established(int seq, int ack, int window) {
        if (rttTiming) {
            rto.sample(timer.now() - rttStart);
            rttTiming = false;
        }
        sndUna = ack;
        sndNxt = ack;
        sndMax = ack;
        sndWnd = window;
        sndWl1 = seq;
        sndWl2 = ack;
        recovery.start(mss);
        retries = 0;
    }

    // ---------------------------------------------------------------- host data

    /** Host bytes to send; takes ownership. */
    void append(ByteBuf data) {
        sendBuffer.append(data);
    }

    boolean hostEof() {
        return hostEof;
    }

    /** The host's EOF: our FIN follows the data queued now ({@code synPending}: SND.UNA is still the SYN). */
    void hostEof(boolean synPending) {
        hostEof = true;
        int dataStart = synPending ? iss + 1 : sndUna;
        finSeq = dataStart + sendBuffer.readable();
    }

    /**
     * How many more host bytes we take now (0: none): up to the guest's window, at least one
     * segment, at most our buffer (less under memory pressure); none while the stack's budget
     * is used up (we then wait in the registry until memory is freed or reclaimed). The host
     * socket's reads are sized by it, so what we hold never overshoots that bound by more than
     * one small read, however large the reads of a bulk flow grow.
     */
    int hostRoom() {
        TcpMemory memory = ctx.memory;
        if (hostEof) {
            return 0;
        }
        long room = memory.cap(Math.min(limits.sendBuffer(), Math.max(sndWnd, mss))) - (long) sendBuffer.readable();
        if (room <= 0) {
            return 0;
        }
        if (memory.exhausted()) {
            ctx.registry.waitForMemory(conn);
            return 0;
        }
        return (int) Math.min(room, memory.budgetLeft());
    }

    /** When SND.UNA last moved if host bytes wait for the guest's ACK, else -1. */
    long stalledSince() {
        return sendBuffer == null || sendBuffer.readable() == 0 ? -1 : progressAt;
    }

    void release() {
        if (sendBuffer != null) {
            sendBuffer.release();
            sendBuffer = null;
        }
    }

    // ---------------------------------------------------------------- acknowledgements

    /**
     * The ACK field (and window) of a synchronized segment {@code seq} carrying {@code len}
     * bytes and maybe a FIN.
     *
     * @return {@link #ACK_UNSENT} (acknowledges something we never sent: answer with an ACK,
     *     drop the segment), {@link #ACK_OLD} (ignored, the data may still be new) or {@link
     *     #ACK_OK}
     */
    int ack(TcpSegment seg, int seq, int len, boolean fin, boolean sackPermitted) {
        int ack = seg.ackNumber();
        if (SeqNum.gt(ack, sndMax)) {
            return ACK_UNSENT;
        }
        int window = seg.window() << sndScale;
        if (SeqNum.lt(ack, sndUna)) {
            return ACK_OLD;
        }
        retries = 0; // the guest is alive
        if (sackPermitted) {
            TcpOptions opts = ctx.scratchOptions();
            seg.parseOptions(opts);
            recovery.readPeerSack(opts);
        }
        if (SeqNum.gt(ack, sndUna)) {
            newAck(ack);
        } else if (len == 0 && !fin && window == sndWnd && window > 0 && sndMax != sndUna && !persist) {
            recovery.duplicateAck(); // (answers to zero-window probes are not loss signals)
        }
        if (SeqNum.lt(sndWl1, seq) || (sndWl1 == seq && SeqNum.le(sndWl2, ack))) {
            sndWnd = window;
            sndWl1 = seq;
            sndWl2 = ack;
        }
        return ACK_OK;
    }

    /** Whether our FIN is sent and acknowledged. */
    boolean finAcked() {
        return finSent && sndUna == finSeq + 1;
    }

    private void newAck(int ack) {
        int acked = ack - sndUna;
        int dataAcked = acked;
        if (finSent && ack == finSeq + 1) {
            dataAcked--; // the FIN's sequence number carries no byte
        }
        sendBuffer.acknowledge(dataAcked);
        bytesAcked += dataAcked;
        sndUna = ack;
        progressAt = timer.now();
        if (SeqNum.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        rto.progress();
        if (rttTiming && SeqNum.ge(ack, rttSeq)) {
            rto.sample(timer.now() - rttStart);
            rttTiming = false;
        }
        recovery.newAck(acked);
        persistBackoff = 0;
        if (sndUna == sndMax) {
            timer.disarm();
        } else {
            timer.arm(timer.now() + rto.rto());
        }
    }

    // ---------------------------------------------------------------- sending

    /** Sends what the windows allow; the FIN once the host's EOF is reached. */
    void push() {
        if (sendBuffer == null) {
            return;
        }
        while (true) {
            int queued = sendBuffer.readable();
            int offset = sndNxt - sndUna;
            int unsent = queued - offset;
            if (unsent > 0) {
                long usable = Math.min(sndWnd, recovery.cwnd) - offset;
                if (usable <= 0) {
                    break;
                }
                int len = (int) Math.min(Math.min(unsent, ctx.output.sendBurst(mss)), usable);
                if (len < mss && len < unsent && sndNxt != sndUna) {
                    break; // sender-side SWS avoidance: wait for room for a full segment
                }
                if (len > mss && len < unsent) {
                    len -= len % mss; // a super-packet of whole segments: no runt in mid-stream
                }
                boolean fin = hostEof && len == unsent;
                transmit(sndNxt, offset, len, fin);
                sndNxt += len + (fin ? 1 : 0);
            } else if (unsent == 0 && hostEof && !SeqNum.gt(sndNxt, finSeq)) {
                transmit(sndNxt, offset, 0, true);
                sndNxt++;
            } else {
                break;
            }
            if (SeqNum.gt(sndNxt, sndMax)) {
                sndMax = sndNxt;
            }
        }
        updatePersist();
        if (sndUna != sndMax && !persist && !timer.armed()) {
            timer.arm(timer.now() + rto.rto());
        }
    }

    /** Zero window with data waiting and nothing in flight: probe instead of waiting forever. */
    private void updatePersist() {
        boolean need = sndWnd == 0 && sendBuffer.readable() > sndNxt - sndUna && sndNxt == sndUna;
        if (need) {
            if (!persist || !timer.armed()) {
                persist = true;
                timer.arm(timer.now() + persistInterval());
            }
        } else if (!need && persist && sndWnd > 0) {
            persist = false;
            persistBackoff = 0;
            if (sndUna == sndMax) {
                timer.disarm();
            } else {
                timer.arm(timer.now() + rto.rto());
            }
        }
    }

    private long persistInterval() {
        long base = rto.rto();
        return Math.min(limits.maxRtoNanos(), base << Math.min(persistBackoff, 16));
    }

    /** Sends one segment at {@code seq} with {@code len} bytes from {@code offset}. */
    private void transmit(int seq, int offset, int len, boolean fin) {
        int flags = TcpSegment.ACK;
        if (fin) {
            flags |= TcpSegment.FIN;
            if (!finSent) {
                finSent = true;
                conn.finSent();
            }
        }
        if (len > 0 && offset + len == sendBuffer.readable()) {
            flags |= TcpSegment.PSH;
        }
        if (len > 0 && seq == sndMax && !rttTiming) {
            rttTiming = true;
            rttSeq = seq + len;
            rttStart = timer.now();
        }
        conn.transmit(seq, flags, sendBuffer, offset, len);
    }

    /** Resends {@code len} bytes at {@code seq} (Karn: no sample from a retransmitted range). */
    void retransmit(int seq, int len) {
        rttTiming = false;
        transmit(seq, seq - sndUna, len, false);
    }

    /** Sends the segment at SND.UNA again (fast retransmit, partial ACK). */
    void retransmitFirst() {
        rttTiming = false; // Karn: no sample from a retransmitted range
        int queued = sendBuffer.readable();
        int len = Math.min(Math.min(mss, queued), Math.max(sndWnd, 1));
        boolean fin = finSent && len == queued;
        if (len == 0 && !fin) {
            return;
        }
        transmit(sndUna, 0, len, fin);
    }

    /** Bytes held from SND.UNA (sent or not). */
    int buffered() {
        return sendBuffer.readable();
    }

    // ---------------------------------------------------------------- timers

    /**
     * The retransmission or persist timer expired.
     *
     * @return false when the guest stopped answering (retries used up): abort
     */
    boolean timerExpired(long now) {
        return persist ? persistProbe(now) : retransmitTimeout(now);
    }

    private boolean persistProbe(long now) {
        if (++retries > limits.maxRetransmits()) {
            return false;
        }
        // one byte at SND.UNA: a window probe the guest must answer (RFC 9293 3.8.6.1)
        transmit(sndUna, 0, 1, false);
        if (sndNxt == sndUna) {
            sndNxt = sndUna + 1;
            if (SeqNum.gt(sndNxt, sndMax)) {
                sndMax = sndNxt;
            }
        }
        persistBackoff++;
        timer.arm(now + persistInterval());
        return true;
    }

    private boolean retransmitTimeout(long now) {
        if (sndUna == sndMax) {
            return true;
        }
        if (++retries > limits.maxRetransmits()) {
            return false;
        }
        rto.backOff();
        recovery.timeout();
        rttTiming = false;
        sndNxt = sndUna; // go back: resend from the first unacknowledged byte
        push(); // one segment (cwnd); with a zero window this turns into persist probing
        if (!persist) {
            timer.arm(now + rto.rto());
        }
        return true;
    }
}
