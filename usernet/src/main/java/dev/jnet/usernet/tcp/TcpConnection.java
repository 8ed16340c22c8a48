package dev.jnet.usernet.tcp;

import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * One guest connection terminated in the stack and spliced to a host socket: the RFC 9293
 * state machine. The guest side is a full endpoint: the passive opener for the guest's own
 * connections, the active one (SYN_SENT) for port forwards, where the host side is an
 * accepted socket; sequence and window checks, RFC 5961 RST/SYN handling, both half-closes.
 * No timestamps: the guest then simply runs without them. The work is done by its parts:
 * <ul>
 *   <li>{@link TcpReceiver}: guest to host, window, reassembly, our SACK blocks;</li>
 *   <li>{@link TcpSender}: host to guest, send buffer, persist, RFC 6298 timer, with
 *       {@link LossRecovery} (NewReno, SACK-guided);</li>
 *   <li>{@link ConnectionTimer}: the one timer they share.</li>
 * </ul>
 * Segments go down through a {@link SegmentOutput}; lifecycle (handshake done, TIME_WAIT,
 * gone, host closed, flush wanted) is reported to the {@link ConnectionRegistry}. The host
 * side is a {@link TcpHostConnector.HostConnection}; this class is its listener. All state is
 * owned by the stack's thread.
 */
final class TcpConnection extends FourTuple implements TcpHostConnector.Listener {
    /** we sent the SYN (a port forward): the guest is the passive side */
    private final boolean activeOpen;

    private final ConnectionContext ctx;
    private final SegmentOutput out;
    private final ConnectionRegistry registry;
    private final TcpLimits limits;
    private final ConnectionTimer timer;
    private final TcpReceiver rcv;
    private final TcpSender snd;

    private TcpState state = TcpState.CONNECTING;
    /** queued in the registry's end-of-batch flush */
    private boolean flushQueued;
    private final HostSide host = new HostSide();

    /** A guest-initiated IPv4 connection (passive open on the guest's SYN). */
    TcpConnection(ConnectionContext ctx, int guestAddr, int guestPort, int remoteAddr, int remotePort, int guestIsn,
            TcpOptions synOptions, int ourIsn) {
        this(ctx, false, 0, guestAddr & 0xFFFF_FFFFL, guestPort, 0, remoteAddr & 0xFFFF_FFFFL, remotePort, ourIsn,
                false);
        guestSyn(guestIsn, synOptions);
    }

    /**
     * A connection of either family; {@code activeOpen}: we send the SYN (see {@link #startActive}),
     * else the guest's SYN is taken with {@link #guestSyn}.
     */
    TcpConnection(ConnectionContext ctx, boolean v6, long guestHigh, long guestLow, int guestPort, long remoteHigh,
            long remoteLow, int remotePort, int ourIsn, boolean activeOpen) {
        super(v6, guestHigh, guestLow, guestPort, remoteHigh, remoteLow, remotePort);
        this.ctx = ctx;
        this.out = ctx.output;
        this.registry = ctx.registry;
        this.limits = ctx.limits;
        this.activeOpen = activeOpen;
        this.timer = new ConnectionTimer(ctx.scheduler, this::timerFired);
        this.rcv = new TcpReceiver(ctx);
        this.snd = new TcpSender(this, ctx, timer, ourIsn);
    }

    /** Takes the guest's SYN (passive open) or SYN-ACK (active open): its ISN and options. */
    void guestSyn(int guestIsn, TcpOptions synOptions) {
        rcv.syn(guestIsn, synOptions);
        snd.syn(synOptions, rcv.windowScaling(), ctx.ourMss(v6));
    }

    TcpState state() {
        return state;
    }

    /**
     * Active open (a port forward): the host side is connected already; we send the SYN and
     * the host is read only once the guest has answered with its SYN-ACK.
     */
    void startActive(TcpHostConnector.HostConnection host) {
        this.host.attach(host);
        state = TcpState.SYN_SENT;
        snd.open(out.alloc());
        sendSyn();
        timer.arm(timer.now() + snd.rto());
    }

    /** Starts the host connect; the SYN-ACK waits for its outcome. */
    void startConnect(TcpHostConnector connector, InetSocketAddress target) {
        host.connect(connector, target, this);
    }

    // ---------------------------------------------------------------- guest segments

    /** A segment of this connection from the guest; {@code buf} is valid during the call only. */
    void segment(TcpSegment seg, ByteBuf buf) {
        int flags = seg.flags();
        int seq = seg.seq();
        switch (state) {
            case CONNECTING:
                // the guest's SYN retransmissions are absorbed until the host connect resolves
                if ((flags & TcpSegment.RST) != 0 && seq == rcv.nxt()) {
                    destroy(false);
                }
                return;
            case SYN_RECEIVED:
                if (!handshakeSegment(seg, flags, seq)) {
                    return;
                }
                break;
            case SYN_SENT:
                synSentSegment(seg, flags, seq);
                return;
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
            if (seq == rcv.nxt()) {
                destroy(false);
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
            sendReset(ack, 0, TcpSegment.RST);
            return false;
        }
        established(seq, ack, snd.scaledWindow(seg));
        return true;
    }

    /** RFC 9293 3.10.7.3: the guest's answer to our SYN. */
    private void synSentSegment(TcpSegment seg, int flags, int seq) {
        boolean hasAck = (flags & TcpSegment.ACK) != 0;
        if (hasAck && seg.ackNumber() != snd.iss + 1) {
            if ((flags & TcpSegment.RST) == 0) {
                sendReset(seg.ackNumber(), 0, TcpSegment.RST);
            }
            return;
        }
        if ((flags & TcpSegment.RST) != 0) {
            if (hasAck) {
                destroy(false); // the guest refused: the host client is reset
            }
            return;
        }
        if ((flags & TcpSegment.SYN) == 0 || !hasAck) {
            return; // a simultaneous open is nothing a guest server does
        }
        TcpOptions opts = ctx.scratchOptions();
        seg.parseOptions(opts);
        guestSyn(seq, opts);
        rcv.advertiseSynWindow();
        established(seq, seg.ackNumber(), seg.window()); // never scaled in a SYN-ACK (RFC 7323 2.2)
        sendAck();
        afterEvent();
    }

    private void established(int seq, int ack, int window) {
        snd.established(seq, ack, window);
        state = TcpState.ESTABLISHED;
        timer.disarm();
        registry.handshakeDone(this);
    }

    private void timeWaitSegment(int flags, int seq) {
        if ((flags & TcpSegment.RST) != 0) {
            if (seq == rcv.nxt()) {
                destroy(false);
            }
            return;
        }
        if ((flags & TcpSegment.FIN) != 0) {
            // our last ACK was lost: acknowledge again and restart the wait (RFC 9293 3.10.7.4)
            sendAck();
            timer.arm(timer.now() + limits.timeWaitNanos());
        }
    }

    private void synchronizedSegment(TcpSegment seg, ByteBuf buf, int flags, int seq) {
        int len = seg.payloadLength();
        boolean fin = (flags & TcpSegment.FIN) != 0;
        int segLen = len + (fin ? 1 : 0);
        int rcvWnd = rcv.window();
        boolean acceptable = rcv.acceptable(seq, segLen, rcvWnd);
        if (!acceptable && seq != rcv.nxt()) {
            // RFC 9293: unacceptable segment: ACK it (unless RST) so the guest resynchronises
            if ((flags & TcpSegment.RST) == 0) {
                sendAck();
            }
            return;
        }
        if ((flags & TcpSegment.RST) != 0) {
            if (seq == rcv.nxt()) {
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
        if ((flags & TcpSegment.ACK) == 0 || !processAck(seg, seq, len, fin)) {
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
        int result = rcv.receive(buf, seg.payloadOffset(), seq, len, fin, rcvWnd, host.connection());
        if ((result & TcpReceiver.DELIVERED) != 0) {
            host.written();
            flushLater();
        }
        if ((result & TcpReceiver.OUT_OF_ORDER) != 0) {
            sendAck(); // immediate duplicate ACK drives the guest's fast retransmit
        } else if ((result & TcpReceiver.FIN) != 0) {
            guestFinished();
        }
    }

    /** @return whether processing of the segment continues */
    private boolean processAck(TcpSegment seg, int seq, int len, boolean fin) {
        int verdict = snd.ack(seg, seq, len, fin, rcv.sackPermitted());
        if (verdict == TcpSender.ACK_UNSENT) {
            sendAck(); // acknowledges something we never sent
            return false;
        }
        if (verdict == TcpSender.ACK_OK && snd.finAcked()) {
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

    /** The guest's FIN arrived in order: half close towards the host. */
    private void guestFinished() {
        rcv.finReceived();
        host.shutdownOutput();
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

    // ---------------------------------------------------------------- segments to the guest

    private void sendSyn() {
        TcpOptions opts = ctx.scratchOptions().mss(ctx.ourMss(v6)).sackPermitted(true)
                .windowScale(limits.windowScale()); // all offered; the guest's SYN-ACK decides
        out.emit(this, snd.iss, 0, TcpSegment.SYN, rcv.synWindow(), opts, null, 0, 0);
        snd.synSent();
    }

    private void sendSynAck() {
        int window = rcv.advertiseSynWindow();
        out.emit(this, snd.iss, rcv.nxt(), TcpSegment.SYN | TcpSegment.ACK, window,
                rcv.synAckOptions(ctx.ourMss(v6)), null, 0, 0);
        snd.synSent();
    }

    /** A pure ACK with the current window (and SACK blocks when we hold out-of-order data). */
    void sendAck() {
        TcpOptions sack = rcv.sackOptions();
        out.emit(this, snd.sndNxt, rcv.nxt(), TcpSegment.ACK, rcv.windowField(host.pendingWriteBytes()), sack, null, 0, 0);
        rcv.ackNeeded = false;
    }

    /** The sender's segment {@code seq}: it carries our ACK and window too. */
    void transmit(int seq, int flags, SendBuffer data, int offset, int len) {
        out.emit(this, seq, rcv.nxt(), flags, rcv.windowField(host.pendingWriteBytes()), null, data, offset, len);
        rcv.ackNeeded = false;
    }

    /** The sender is sending our FIN for the first time. */
    void finSent() {
        state = state == TcpState.CLOSE_WAIT ? TcpState.LAST_ACK : TcpState.FIN_WAIT_1;
        host.stopReading();
    }

    private void sendReset(int seq, int ack, int flags) {
        out.emit(this, seq, ack, flags, 0, null, null, 0, 0);
    }

    /** End-of-batch work, run once per event-loop batch: host flush and our ACK. */
    void flush() {
        flushQueued = false;
        if (state == TcpState.CLOSED) {
            return;
        }
        host.flush();
        if (rcv.ackNeeded) {
            sendAck();
        }
    }

    private void flushLater() {
        if (!flushQueued) {
            flushQueued = true;
            registry.flushLater(this);
        }
    }

    private void afterEvent() {
        if (state == TcpState.CLOSED) {
            return;
        }
        if (!state.embryonic() && state != TcpState.TIME_WAIT) {
            snd.push();
        }
        updateReading();
        if (rcv.ackNeeded) {
            flushLater();
        }
    }

    private void updateReading() {
        if (host.readable() && snd.isOpen()) {
            host.reading((state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) && snd.wantsHostData());
        }
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
        snd.open(out.alloc());
        sendSynAck();
        timer.arm(timer.now() + snd.rto());
    }

    @Override
    public void connectFailed(TcpHostConnector.Failure failure) {
        if (state != TcpState.CONNECTING) {
            return;
        }
        host.lost();
        if (failure == TcpHostConnector.Failure.UNREACHABLE && !v6) { // ICMPv6 errors: the IPv6 layer's
            out.hostUnreachable(this, rcv.irs);
        } else {
            sendReset(0, rcv.nxt(), TcpSegment.RST | TcpSegment.ACK);
        }
        destroy(false);
    }

    @Override
    public void received(ByteBuf data) {
        if (snd.hostEof() || !snd.isOpen() || !hostMaySend()) {
            data.release();
            return;
        }
        snd.append(data);
        afterEvent();
    }

    @Override
    public void inputShutdown() {
        if (snd.hostEof() || !snd.isOpen() || !hostMaySend()) {
            return;
        }
        snd.hostEof(state == TcpState.SYN_RECEIVED || state == TcpState.SYN_SENT); // SND.UNA still at the SYN
        afterEvent();
    }

    private boolean hostMaySend() {
        return state == TcpState.SYN_RECEIVED || state == TcpState.SYN_SENT || state == TcpState.ESTABLISHED
                || state == TcpState.CLOSE_WAIT;
    }

    @Override
    public void writeCompleted() {
        if (state == TcpState.CLOSED || state.embryonic() || rcv.guestFin) {
            return;
        }
        // window update once the host drained enough to matter (receiver-side SWS avoidance)
        if (rcv.windowUpdateDue(host.pendingWriteBytes(), snd.mss)) {
            rcv.ackNeeded = true;
            flushLater();
        }
    }

    @Override
    public void reset() {
        if (state == TcpState.CLOSED || host.released()) {
            return;
        }
        host.lost();
        if (state == TcpState.CONNECTING) {
            sendReset(0, rcv.nxt(), TcpSegment.RST | TcpSegment.ACK);
        } else if (state == TcpState.SYN_SENT) {
            sendReset(snd.iss + 1, 0, TcpSegment.RST); // the guest's SYN-RECEIVED expects iss + 1
        } else {
            sendReset(snd.sndNxt, rcv.nxt(), TcpSegment.RST | TcpSegment.ACK);
        }
        destroy(false);
    }

    @Override
    public void closed() {
        host.closed();
        registry.hostClosed(this);
    }

    // ---------------------------------------------------------------- timer

    private void timerFired(long now) {
        switch (state) {
            case CLOSED:
                return;
            case TIME_WAIT:
                destroy(true);
                return;
            case SYN_SENT:
            case SYN_RECEIVED:
                if (!snd.synRetry()) {
                    destroy(false); // the guest went away mid-handshake (active open: the host client is reset)
                    return;
                }
                if (state == TcpState.SYN_SENT) {
                    sendSyn();
                } else {
                    sendSynAck();
                }
                timer.arm(now + snd.rto());
                return;
            default:
                break;
        }
        if (!snd.timerExpired(now)) {
            abortBoth();
        } else if (state != TcpState.CLOSED) {
            updateReading();
        }
    }

    // ---------------------------------------------------------------- teardown

    /** Both directions give up (the guest stopped answering): RST to the guest, reset the host. */
    private void abortBoth() {
        sendReset(snd.sndNxt, rcv.nxt(), TcpSegment.RST | TcpSegment.ACK);
        destroy(false);
    }

    private void enterTimeWait() {
        state = TcpState.TIME_WAIT;
        host.release(true);
        releaseBuffers();
        registry.timeWaitEntered(this);
        timer.arm(timer.now() + limits.timeWaitNanos());
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
        timer.cancel();
        host.release(graceful);
        releaseBuffers();
        registry.removed(this);
    }

    /** Aborts the host socket even if its close is under way (stack close). */
    void abortHost() {
        host.abort();
    }

    private void releaseBuffers() {
        snd.release();
        rcv.clear();
    }

    @Override
    public String toString() {
        return "TcpConnection[" + endpoints() + " " + state + (activeOpen ? " active]" : "]");
    }
}
