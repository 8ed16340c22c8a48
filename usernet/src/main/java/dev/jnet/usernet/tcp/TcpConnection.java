package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * One guest connection terminated in the stack and spliced to a host socket. The guest side
 * is a full RFC 9293 endpoint (we are the passive opener): sequence and window checks, RFC
 * 5961 RST/SYN handling, RFC 6298 retransmission timer, NewReno fast retransmit/recovery
 * (RFC 6582) guided by the guest's SACK blocks when it sends them (each duplicate ACK's slot
 * resends the next hole, RFC 6675 in spirit), persist probes, both half-closes, SACK blocks
 * for the out-of-order guest data we hold (RFC 2018), sender-side SWS avoidance. No
 * timestamps: the guest then simply runs without them. The host side is a
 * {@link TcpHostConnector.HostConnection}; the windows tie the two together:
 * <ul>
 *   <li>guest to host: we advertise what is left of {@code receiveBuffer} after the bytes
 *       still queued for the host socket, so a slow host closes the guest's window;</li>
 *   <li>host to guest: the host socket is read only while the data we hold (unacknowledged
 *       plus unsent) is below the guest's window and our send buffer.</li>
 * </ul>
 * All state is owned by the stack's thread.
 */
final class TcpConnection implements TcpHostConnector.Listener {
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    /** RFC 9293 default send MSS when the guest's SYN carries none. */
    private static final int DEFAULT_MSS = 536;
    private static final int INITIAL_WINDOW_SEGMENTS = 10;
    /** a payload may pin a frame buffer at most this many times its own size */
    private static final int PIN_RATIO = 4;

    final int guestAddr;
    final int guestPort;
    final int remoteAddr;
    final int remotePort;
    final int hash;

    // membership of the stack's embryonic / TIME_WAIT list (ConnectionList)
    ConnectionList list;
    TcpConnection prev;
    TcpConnection next;
    /** queued in the stack's end-of-batch flush */
    boolean dirty;

    private final TcpStack stack;
    private final TcpLimits limits;
    private final Scheduler scheduler;
    private final Runnable onTimer = this::timerFired;

    TcpState state = TcpState.CONNECTING;
    private TcpHostConnector.HostConnection host;
    private boolean hostReleased;
    private boolean hostOpen;

    // receive side: guest to host
    private final int irs;
    private int rcvNxt;
    /** right edge of the window last advertised (never moves left) */
    private int rcvAdvEdge;
    private final int rcvScale;
    private final boolean windowScaling;
    /** the guest offered SACK: our ACKs describe the out-of-order data we hold (RFC 2018) */
    private final boolean sackPermitted;
    private int recentOutOfOrderSeq;
    private boolean guestFin;
    /** sequence number of a FIN seen on an out-of-order segment, valid if oooFin */
    private int oooFinSeq;
    private boolean oooFin;
    private ReassemblyQueue reassembly;
    private boolean ackNeeded;
    private boolean hostFlushNeeded;

    // send side: host to guest
    private final int iss;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private int sndWnd;
    private final int sndScale;
    private int sndWl1;
    private int sndWl2;
    private final int mss;
    private SendBuffer sendBuffer;
    private boolean hostEof;
    private int finSeq;
    private boolean finSent;
    private boolean reading;

    // congestion control and loss recovery
    private long cwnd;
    private long ssthresh = Long.MAX_VALUE;
    private int dupAcks;
    private boolean inRecovery;
    /** the guest's latest SACK blocks about our data (left, right pairs) and the hole walk */
    private int[] peerSack;
    private int peerSackCount;
    private int rexmitNext;
    private int recover;
    private final RtoEstimator rto;
    private int retries;
    private boolean rttTiming;
    private int rttSeq;
    private long rttStart;
    private boolean persist;
    private int persistBackoff;

    // one lazily re-armed timer: the deadline moves freely, the scheduled task follows it
    private long deadline = NO_DEADLINE;
    private Scheduler.Timer timer;
    private long timerDue;

    TcpConnection(TcpStack stack, int guestAddr, int guestPort, int remoteAddr, int remotePort, int guestIsn,
            TcpOptions synOptions, int ourIsn) {
        this.stack = stack;
        this.limits = stack.limits();
        this.scheduler = stack.scheduler();
        this.guestAddr = guestAddr;
        this.guestPort = guestPort;
        this.remoteAddr = remoteAddr;
        this.remotePort = remotePort;
        this.hash = ConnectionTable.hash(guestAddr, guestPort, remoteAddr, remotePort);
        this.irs = guestIsn;
        this.rcvNxt = guestIsn + 1;
        this.iss = ourIsn;
        this.sndUna = ourIsn;
        this.sndNxt = ourIsn;
        this.sndMax = ourIsn;
        // window scaling only if both sides offer it (RFC 7323 2.2)
        this.windowScaling = synOptions.windowScale >= 0;
        this.sackPermitted = synOptions.sackPermitted;
        this.sndScale = windowScaling ? synOptions.windowScale : 0;
        this.rcvScale = windowScaling ? limits.windowScale() : 0;
        int theirMss = synOptions.mss > 0 ? synOptions.mss : DEFAULT_MSS;
        this.mss = Math.max(1, Math.min(theirMss, stack.ourMss()));
        this.rto = new RtoEstimator(limits.initialRtoNanos(), limits.minRtoNanos(), limits.maxRtoNanos());
    }

    TcpState state() {
        return state;
    }

    /** Starts the host connect; the SYN-ACK waits for its outcome. */
    void startConnect(TcpHostConnector connector, InetSocketAddress target) {
        hostOpen = true;
        host = connector.connect(target, this);
    }

    // ---------------------------------------------------------------- guest segments

    /** A segment of this connection from the guest; {@code buf} is valid during the call only. */
    void segment(TcpSegment seg, ByteBuf buf) {
        int flags = seg.flags();
        int seq = seg.seq();
        switch (state) {
            case CONNECTING:
                // the guest's SYN retransmissions are absorbed until the host connect resolves
                if ((flags & TcpSegment.RST) != 0 && seq == rcvNxt) {
                    destroy(false);
                }
                return;
            case SYN_RECEIVED:
                if (!handshakeSegment(seg, flags, seq)) {
                    return;
                }
                break;
            case TIME_WAIT:
                timeWaitSegment(flags, seq);
                return;
            case CLOSED:
                return;
            default:
                break;
        }
        synchronizedSegment(seg, buf, flags, seq);
        afterEvent();
    }

    /** @return whether the segment completed the handshake and should be processed further */
    private boolean handshakeSegment(TcpSegment seg, int flags, int seq) {
        if ((flags & TcpSegment.RST) != 0) {
            if (seq == rcvNxt) {
                destroy(false);
            }
            return false;
        }
        if ((flags & TcpSegment.SYN) != 0) {
            if (seq == irs) {
                sendSynAck(); // our SYN-ACK was lost
            }
            return false;
        }
        if ((flags & TcpSegment.ACK) == 0) {
            return false;
        }
        int ack = seg.ackNumber();
        if (ack != iss + 1) {
            stack.sendReset(this, ack, 0, TcpSegment.RST);
            return false;
        }
        if (rttTiming) {
            rto.sample(scheduler.nanoTime() - rttStart);
            rttTiming = false;
        }
        sndUna = ack;
        sndNxt = ack;
        sndMax = ack;
        sndWnd = seg.window() << sndScale;
        sndWl1 = seq;
        sndWl2 = ack;
        cwnd = (long) INITIAL_WINDOW_SEGMENTS * mss;
        retries = 0;
        state = TcpState.ESTABLISHED;
        disarm();
        stack.handshakeDone(this);
        return true;
    }

    private void timeWaitSegment(int flags, int seq) {
        if ((flags & TcpSegment.RST) != 0) {
            if (seq == rcvNxt) {
                destroy(false);
            }
            return;
        }
        if ((flags & TcpSegment.FIN) != 0) {
            // our last ACK was lost: acknowledge again and restart the wait (RFC 9293 3.10.7.4)
            sendAck();
            arm(scheduler.nanoTime() + limits.timeWaitNanos());
        }
    }

    private void synchronizedSegment(TcpSegment seg, ByteBuf buf, int flags, int seq) {
        int len = seg.payloadLength();
        boolean fin = (flags & TcpSegment.FIN) != 0;
        int segLen = len + (fin ? 1 : 0);
        int rcvWnd = Math.max(0, rcvAdvEdge - rcvNxt);
        boolean acceptable;
        if (segLen == 0) {
            acceptable = SeqNum.ge(seq, rcvNxt) && SeqNum.le(seq, rcvNxt + rcvWnd);
        } else {
            acceptable = rcvWnd > 0 && SeqNum.lt(seq, rcvNxt + rcvWnd) && SeqNum.gt(seq + segLen, rcvNxt);
        }
        if (!acceptable && seq != rcvNxt) {
            // RFC 9293: unacceptable segment: ACK it (unless RST) so the guest resynchronises
            if ((flags & TcpSegment.RST) == 0) {
                sendAck();
            }
            return;
        }
        if ((flags & TcpSegment.RST) != 0) {
            if (seq == rcvNxt) {
                destroy(false);
            } else {
                sendAck(); // RFC 5961 3.2 challenge ACK
            }
            return;
        }
        if ((flags & TcpSegment.SYN) != 0) {
            sendAck(); // RFC 5961 4.2 challenge ACK
            return;
        }
        if ((flags & TcpSegment.ACK) == 0) {
            return;
        }
        if (!processAck(seg, seq, len, fin)) {
            return;
        }
        if (!acceptable) {
            if (segLen > 0) {
                sendAck(); // e.g. the guest's probe of our zero window: tell it the window
            }
            return;
        }
        if (segLen == 0) {
            return;
        }
        if (state != TcpState.ESTABLISHED && state != TcpState.FIN_WAIT_1 && state != TcpState.FIN_WAIT_2) {
            return; // the guest already sent its FIN: anything after it is not data
        }
        receiveData(buf, seg.payloadOffset(), seq, len, fin, rcvWnd);
    }

    /** @return whether processing of the segment continues */
    private boolean processAck(TcpSegment seg, int seq, int len, boolean fin) {
        int ack = seg.ackNumber();
        if (SeqNum.gt(ack, sndMax)) {
            sendAck(); // acknowledges something we never sent
            return false;
        }
        int window = seg.window() << sndScale;
        if (SeqNum.lt(ack, sndUna)) {
            return true; // old ACK: ignore it, the data may still be new
        }
        retries = 0; // the guest is alive
        if (sackPermitted) {
            readPeerSack(seg);
        }
        if (SeqNum.gt(ack, sndUna)) {
            newAck(ack);
        } else if (len == 0 && !fin && window == sndWnd && window > 0 && sndMax != sndUna && !persist) {
            duplicateAck(); // (answers to zero-window probes are not loss signals)
        }
        if (SeqNum.lt(sndWl1, seq) || (sndWl1 == seq && SeqNum.le(sndWl2, ack))) {
            sndWnd = window;
            sndWl1 = seq;
            sndWl2 = ack;
        }
        if (finSent && sndUna == finSeq + 1) {
            switch (state) {
                case FIN_WAIT_1:
                    state = TcpState.FIN_WAIT_2;
                    break;
                case CLOSING:
                    enterTimeWait();
                    return false;
                case LAST_ACK:
                    destroy(true);
                    return false;
                default:
                    break;
            }
        }
        return true;
    }

    private void newAck(int ack) {
        int acked = ack - sndUna;
        int dataAcked = acked;
        if (finSent && ack == finSeq + 1) {
            dataAcked--; // the FIN's sequence number carries no byte
        }
        sendBuffer.acknowledge(dataAcked);
        sndUna = ack;
        if (SeqNum.lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        rto.progress();
        if (rttTiming && SeqNum.ge(ack, rttSeq)) {
            rto.sample(scheduler.nanoTime() - rttStart);
            rttTiming = false;
        }
        if (inRecovery) {
            if (SeqNum.ge(ack, recover)) {
                inRecovery = false;
                cwnd = ssthresh;
            } else {
                // NewReno partial ACK: the next hole is lost too (unless the SACK-guided walk
                // already resent it)
                if (SeqNum.le(rexmitNext, sndUna)) {
                    retransmitFirst();
                    rexmitNext = sndUna + mss;
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
        cwnd = Math.min(cwnd, 2L * limits.sendBuffer() + mss);
        dupAcks = inRecovery ? dupAcks : 0;
        persistBackoff = 0;
        if (sndUna == sndMax) {
            disarm();
        } else {
            arm(scheduler.nanoTime() + rto.rto());
        }
    }

    private void duplicateAck() {
        dupAcks++;
        if (inRecovery) {
            // each duplicate means a segment left the network: its slot goes to the next hole
            // the guest's SACK blocks show, or else to new data
            if (!retransmitNextHole()) {
                cwnd += mss;
            }
        } else if (dupAcks == 3) {
            long flight = sndMax - sndUna;
            ssthresh = Math.max(flight / 2, 2L * mss);
            cwnd = ssthresh + 3L * mss;
            inRecovery = true;
            recover = sndMax;
            retransmitFirst();
            rexmitNext = sndUna + mss;
        }
    }

    private void readPeerSack(TcpSegment seg) {
        TcpOptions opts = stack.scratchOptions();
        seg.parseOptions(opts);
        if (peerSack == null) {
            peerSack = new int[2 * TcpOptions.MAX_SACK_BLOCKS];
        }
        peerSackCount = 0;
        for (int i = 0; i < opts.sackBlockCount; i++) {
            int left = opts.sackBlocks[2 * i];
            int right = opts.sackBlocks[2 * i + 1];
            // only plausible blocks: inside what is outstanding (RFC 2018 / 6675 sanity)
            if (SeqNum.lt(left, right) && SeqNum.ge(left, sndUna) && SeqNum.le(right, sndMax)) {
                peerSack[2 * peerSackCount] = left;
                peerSack[2 * peerSackCount + 1] = right;
                peerSackCount++;
            }
        }
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
        int end = from + mss;
        for (int i = 0; i < peerSackCount; i++) {
            if (SeqNum.gt(peerSack[2 * i], from) && SeqNum.lt(peerSack[2 * i], end)) {
                end = peerSack[2 * i];
            }
        }
        int offset = from - sndUna;
        int len = Math.min(end - from, sendBuffer.readable() - offset);
        if (len <= 0) {
            return false;
        }
        rttTiming = false;
        transmit(from, offset, len, false);
        rexmitNext = from + len;
        return true;
    }

    /** Sends the segment at SND.UNA again (fast retransmit, partial ACK). */
    private void retransmitFirst() {
        rttTiming = false; // Karn: no sample from a retransmitted range
        int queued = sendBuffer.readable();
        int len = Math.min(Math.min(mss, queued), Math.max(sndWnd, 1));
        boolean fin = finSent && len == queued;
        if (len == 0 && !fin) {
            return;
        }
        transmit(sndUna, 0, len, fin);
    }

    private void receiveData(ByteBuf buf, int payloadIndex, int seq, int len, boolean fin, int rcvWnd) {
        int index = payloadIndex;
        if (SeqNum.lt(seq, rcvNxt)) {
            int skip = rcvNxt - seq; // the front was received before
            index += skip;
            len -= skip;
            seq = rcvNxt;
        }
        int room = rcvNxt + rcvWnd - seq;
        if (len > room) {
            len = room; // beyond the window: drop the tail and any FIN after it
            fin = false;
        }
        if (seq == rcvNxt) {
            if (len > 0) {
                deliver(keep(buf, index, len));
                rcvNxt += len;
            }
            drainReassembly();
            ackNeeded = true;
            if (fin || (oooFin && rcvNxt == oooFinSeq)) {
                guestFinished();
            }
        } else {
            if (reassembly == null) {
                reassembly = new ReassemblyQueue(limits.maxOutOfOrder());
            }
            if (reassembly.offer(seq, buf, index, len, limits.receiveBuffer())) {
                recentOutOfOrderSeq = seq;
                if (fin) {
                    oooFin = true;
                    oooFinSeq = seq + len;
                }
            }
            sendAck(); // immediate duplicate ACK drives the guest's fast retransmit
        }
    }

    private void drainReassembly() {
        if (reassembly == null) {
            return;
        }
        while (reassembly.segments() > 0 && SeqNum.le(reassembly.firstSeq(), rcvNxt)) {
            int first = reassembly.firstSeq();
            ByteBuf data = reassembly.pollFirst();
            int end = first + data.readableBytes();
            if (SeqNum.le(end, rcvNxt)) {
                data.release(); // entirely received already
                continue;
            }
            data.skipBytes(rcvNxt - first);
            rcvNxt = end;
            deliver(data);
        }
    }

    /**
     * The payload to keep: a retained slice of the guest's frame (zero copy), unless the
     * payload is small against the frame's buffer; then a copy, so that tiny segments towards
     * a slow host cannot pin whole frame buffers (memory the window does not count).
     */
    private ByteBuf keep(ByteBuf frame, int index, int length) {
        if ((long) length * PIN_RATIO >= frame.capacity()) {
            return frame.retainedSlice(index, length);
        }
        ByteBuf copy = stack.alloc().directBuffer(length);
        copy.writeBytes(frame, index, length);
        return copy;
    }

    private void deliver(ByteBuf data) {
        host.write(data);
        hostFlushNeeded = true;
        stack.markDirty(this);
    }

    /** The guest's FIN arrived in order: half close towards the host. */
    private void guestFinished() {
        rcvNxt++;
        guestFin = true;
        oooFin = false;
        if (reassembly != null) {
            reassembly.clear();
        }
        host.shutdownOutput();
        hostFlushNeeded = true;
        switch (state) {
            case ESTABLISHED:
                state = TcpState.CLOSE_WAIT;
                break;
            case FIN_WAIT_1:
                state = TcpState.CLOSING;
                break;
            case FIN_WAIT_2:
                sendAck();
                enterTimeWait();
                break;
            default:
                break;
        }
    }

    // ---------------------------------------------------------------- sending to the guest

    /** Sends what the windows allow; the FIN once the host's EOF is reached. */
    private void pushData() {
        if (sendBuffer == null || state.embryonic() || state == TcpState.CLOSED || state == TcpState.TIME_WAIT) {
            return;
        }
        while (true) {
            int queued = sendBuffer.readable();
            int offset = sndNxt - sndUna;
            int unsent = queued - offset;
            if (unsent > 0) {
                long usable = Math.min(sndWnd, cwnd) - offset;
                if (usable <= 0) {
                    break;
                }
                int len = (int) Math.min(Math.min(unsent, mss), usable);
                if (len < mss && len < unsent && sndNxt != sndUna) {
                    break; // sender-side SWS avoidance: wait for room for a full segment
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
        if (sndUna != sndMax && !persist && deadline == NO_DEADLINE) {
            arm(scheduler.nanoTime() + rto.rto());
        }
    }

    /** Zero window with data waiting and nothing in flight: probe instead of waiting forever. */
    private void updatePersist() {
        boolean need = sndWnd == 0 && sendBuffer.readable() > sndNxt - sndUna && sndNxt == sndUna;
        if (need) {
            if (!persist || deadline == NO_DEADLINE) {
                persist = true;
                arm(scheduler.nanoTime() + persistInterval());
            }
        } else if (!need && persist && sndWnd > 0) {
            persist = false;
            persistBackoff = 0;
            if (sndUna == sndMax) {
                disarm();
            } else {
                arm(scheduler.nanoTime() + rto.rto());
            }
        }
    }

    private long persistInterval() {
        long base = rto.rto();
        return Math.min(limits.maxRtoNanos(), base << Math.min(persistBackoff, 16));
    }

    /** Builds and sends one segment at {@code seq} with {@code len} bytes from {@code offset}. */
    private void transmit(int seq, int offset, int len, boolean fin) {
        int flags = TcpSegment.ACK;
        if (fin) {
            flags |= TcpSegment.FIN;
            if (!finSent) {
                finSent = true;
                state = state == TcpState.CLOSE_WAIT ? TcpState.LAST_ACK : TcpState.FIN_WAIT_1;
                stopReading();
            }
        }
        if (len > 0 && offset + len == sendBuffer.readable()) {
            flags |= TcpSegment.PSH;
        }
        if (len > 0 && seq == sndMax && !rttTiming) {
            rttTiming = true;
            rttSeq = seq + len;
            rttStart = scheduler.nanoTime();
        }
        stack.emit(this, seq, rcvNxt, flags, windowField(), null, sendBuffer, offset, len);
        ackNeeded = false;
    }

    private void sendSynAck() {
        int window = (int) Math.min(65535, limits.receiveBuffer()); // never scaled in a SYN (RFC 7323)
        rcvAdvEdge = rcvNxt + window;
        stack.emitSynAck(this, iss, rcvNxt, window, windowScaling ? rcvScale : -1, sackPermitted);
        if (!rttTiming) {
            rttTiming = true;
            rttSeq = iss + 1;
            rttStart = scheduler.nanoTime();
        }
    }

    /** A pure ACK with the current window. */
    void sendAck() {
        TcpOptions sack = null;
        if (sackPermitted && reassembly != null && reassembly.segments() > 0) {
            sack = stack.scratchOptions();
            reassembly.fillSack(sack, recentOutOfOrderSeq, TcpOptions.MAX_SACK_BLOCKS);
        }
        stack.emit(this, sndNxt, rcvNxt, TcpSegment.ACK, windowField(), sack, null, 0, 0);
        ackNeeded = false;
    }

    /**
     * The window field to advertise: free receive buffer after the bytes still queued for the
     * host, never moving the right edge left (RFC 9293 3.8.6), rounded to the scale.
     */
    private int windowField() {
        long pending = host == null || hostReleased ? 0 : host.pendingWriteBytes();
        long free = Math.max(0, limits.receiveBuffer() - pending);
        long wnd = Math.min(free, 65535L << rcvScale);
        int promised = rcvAdvEdge - rcvNxt;
        if (promised > wnd) {
            wnd = promised;
        }
        int field = (int) (wnd >>> rcvScale);
        if (((long) field << rcvScale) < promised) {
            field++;
        }
        field = Math.min(field, 65535);
        rcvAdvEdge = rcvNxt + (field << rcvScale);
        return field;
    }

    private long currentFreeWindow() {
        long pending = host == null || hostReleased ? 0 : host.pendingWriteBytes();
        return Math.min(Math.max(0, limits.receiveBuffer() - pending), 65535L << rcvScale);
    }

    /** End-of-batch work the stack runs once per event-loop batch: host flush and our ACK. */
    void flush() {
        if (state == TcpState.CLOSED) {
            return;
        }
        if (hostFlushNeeded && !hostReleased) {
            hostFlushNeeded = false;
            host.flush();
        }
        if (ackNeeded) {
            sendAck();
        }
    }

    private void afterEvent() {
        if (state == TcpState.CLOSED) {
            return;
        }
        pushData();
        updateReading();
        if (ackNeeded) {
            stack.markDirty(this);
        }
    }

    private void updateReading() {
        if (host == null || hostReleased || sendBuffer == null) {
            return;
        }
        boolean want = !hostEof && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)
                && sendBuffer.readable() < sendLimit();
        if (want != reading) {
            reading = want;
            host.setReading(want);
        }
    }

    private void stopReading() {
        if (reading && !hostReleased) {
            reading = false;
            host.setReading(false);
        }
    }

    /** Host bytes held at most: the guest's window, at least one segment, at most our buffer. */
    private int sendLimit() {
        return Math.min(limits.sendBuffer(), Math.max(sndWnd, mss));
    }

    // ---------------------------------------------------------------- host events

    @Override
    public void connected() {
        if (state != TcpState.CONNECTING) {
            return;
        }
        state = TcpState.SYN_RECEIVED;
        // exists from now: a host that speaks first (or closes at once) is queued until the
        // guest completes the handshake
        sendBuffer = new SendBuffer(stack.alloc());
        sendSynAck();
        arm(scheduler.nanoTime() + rto.rto());
    }

    @Override
    public void connectFailed(TcpHostConnector.Failure failure) {
        if (state != TcpState.CONNECTING) {
            return;
        }
        hostReleased = true;
        if (failure == TcpHostConnector.Failure.UNREACHABLE) {
            stack.sendHostUnreachable(this, irs);
        } else {
            stack.sendReset(this, 0, rcvNxt, TcpSegment.RST | TcpSegment.ACK);
        }
        destroy(false);
    }

    @Override
    public void received(ByteBuf data) {
        if (hostEof || sendBuffer == null || !hostMaySend()) {
            data.release();
            return;
        }
        sendBuffer.append(data);
        afterEvent();
    }

    @Override
    public void inputShutdown() {
        if (hostEof || sendBuffer == null || !hostMaySend()) {
            return;
        }
        hostEof = true;
        int dataStart = state == TcpState.SYN_RECEIVED ? iss + 1 : sndUna; // the SYN takes iss
        finSeq = dataStart + sendBuffer.readable();
        afterEvent();
    }

    private boolean hostMaySend() {
        return state == TcpState.SYN_RECEIVED || state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT;
    }

    @Override
    public void writeCompleted() {
        if (state == TcpState.CLOSED || state.embryonic() || guestFin) {
            return;
        }
        // window update once the host drained enough to matter (receiver-side SWS avoidance)
        long advertised = Math.max(0, rcvAdvEdge - rcvNxt);
        long threshold = Math.min(limits.receiveBuffer() / 4, 2L * mss);
        if (currentFreeWindow() - advertised >= Math.max(1, threshold)) {
            ackNeeded = true;
            stack.markDirty(this);
        }
    }

    @Override
    public void reset() {
        if (state == TcpState.CLOSED || hostReleased) {
            return;
        }
        hostReleased = true;
        if (state == TcpState.CONNECTING) {
            stack.sendReset(this, 0, rcvNxt, TcpSegment.RST | TcpSegment.ACK);
        } else {
            stack.sendReset(this, sndNxt, rcvNxt, TcpSegment.RST | TcpSegment.ACK);
        }
        destroy(false);
    }

    @Override
    public void closed() {
        hostOpen = false;
        hostReleased = true;
        stack.hostClosed(this);
    }

    // ---------------------------------------------------------------- timers

    private void arm(long at) {
        deadline = at;
        if (timer == null || timerDue > at) {
            if (timer != null) {
                timer.cancel();
            }
            timerDue = at;
            timer = scheduler.schedule(onTimer, at - scheduler.nanoTime());
        }
    }

    private void disarm() {
        deadline = NO_DEADLINE; // the scheduled task finds nothing due and lapses
    }

    private void timerFired() {
        timer = null;
        if (state == TcpState.CLOSED || deadline == NO_DEADLINE) {
            return;
        }
        long now = scheduler.nanoTime();
        if (now < deadline) {
            timerDue = deadline;
            timer = scheduler.schedule(onTimer, deadline - now);
            return;
        }
        deadline = NO_DEADLINE;
        switch (state) {
            case TIME_WAIT:
                destroy(true);
                return;
            case SYN_RECEIVED:
                if (++retries > limits.synAckRetries()) {
                    destroy(false); // the guest went away mid-handshake
                    return;
                }
                rto.backOff();
                rttTiming = false;
                sendSynAck();
                arm(now + rto.rto());
                return;
            default:
                break;
        }
        if (persist) {
            persistProbe(now);
        } else {
            retransmitTimeout(now);
        }
        if (state != TcpState.CLOSED) {
            updateReading();
        }
    }

    private void persistProbe(long now) {
        if (++retries > limits.maxRetransmits()) {
            abortBoth();
            return;
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
        arm(now + persistInterval());
    }

    private void retransmitTimeout(long now) {
        if (sndUna == sndMax) {
            return;
        }
        if (++retries > limits.maxRetransmits()) {
            abortBoth();
            return;
        }
        rto.backOff();
        long flight = sndMax - sndUna;
        ssthresh = Math.max(flight / 2, 2L * mss);
        cwnd = mss;
        inRecovery = false;
        dupAcks = 0;
        rttTiming = false;
        peerSackCount = 0; // the scoreboard may be stale after a timeout
        rexmitNext = sndUna;
        sndNxt = sndUna; // go back: resend from the first unacknowledged byte
        pushData(); // one segment (cwnd); with a zero window this turns into persist probing
        if (!persist) {
            arm(now + rto.rto());
        }
    }

    // ---------------------------------------------------------------- teardown

    /** Both directions give up (the guest stopped answering): RST to the guest, reset the host. */
    private void abortBoth() {
        stack.sendReset(this, sndNxt, rcvNxt, TcpSegment.RST | TcpSegment.ACK);
        destroy(false);
    }

    private void enterTimeWait() {
        state = TcpState.TIME_WAIT;
        releaseHost(true);
        releaseBuffers();
        stack.timeWaitEntered(this);
        arm(scheduler.nanoTime() + limits.timeWaitNanos());
    }

    /**
     * Frees the entry. {@code graceful}: both directions are done, the host socket closes
     * after its last queued writes; otherwise it is reset.
     */
    void destroy(boolean graceful) {
        if (state == TcpState.CLOSED) {
            return;
        }
        state = TcpState.CLOSED;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        deadline = NO_DEADLINE;
        releaseHost(graceful);
        releaseBuffers();
        stack.removed(this);
    }

    private void releaseHost(boolean graceful) {
        if (hostReleased || host == null) {
            hostReleased = true;
            return;
        }
        hostReleased = true;
        if (graceful) {
            host.flush();
            host.close();
        } else {
            host.abort();
        }
    }

    /** Aborts the host socket even if its close is under way (stack close). */
    void abortHost() {
        if (host != null && hostOpen) {
            host.abort();
        }
    }

    private void releaseBuffers() {
        if (sendBuffer != null) {
            sendBuffer.release();
            sendBuffer = null;
        }
        if (reassembly != null) {
            reassembly.clear();
        }
    }

    @Override
    public String toString() {
        return "TcpConnection[" + dev.jnet.usernet.wire.Ipv4Packet.addressToString(guestAddr) + ":" + guestPort
                + " > " + dev.jnet.usernet.wire.Ipv4Packet.addressToString(remoteAddr) + ":" + remotePort + " "
                + state + "]";
    }
}
