package dev.jnet.usernet.tcp;

import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * One guest connection terminated in the stack and spliced to a host socket: the RFC 9293
 * state machine. The guest side is a full endpoint: the passive opener for the guest's own
 * connections, the active one (SYN_SENT) for port forwards, where the host side is an
 * accepted socket; sequence and window checks, RFC 5961 RST/SYN handling, both half-closes.
 * No timestamps: the guest then simply runs without them. Its parts do the work: {@link
 * TcpHandshake}, {@link TcpReceiver} (guest to host), {@link TcpSender} with {@link
 * LossRecovery} (host to guest), {@link HostSide} (the host socket), one {@link
 * ConnectionTimer}. Segments go down through a {@link SegmentOutput}; lifecycle (handshake
 * done, TIME_WAIT, gone, flush wanted) is reported to the {@link ConnectionRegistry}. All
 * state is owned by the stack's thread.
 */
final class TcpConnection extends FourTuple {
    /** we sent the SYN (a port forward): the guest is the passive side */
    private final boolean activeOpen;

    private final ConnectionContext ctx;
    private final SegmentOutput out;
    private final ConnectionRegistry registry;
    private final ConnectionTimer timer;
    private final TcpReceiver rcv;
    private final TcpSender snd;
    private final TcpHandshake handshake;

    private TcpState state = TcpState.CONNECTING;
    final FlowCounters flow;
    /** queued in the registry's end-of-batch flush */
    private boolean flushQueued;
    /** in the stack's {@link DelayedAcks}, due at {@link #ackDue} (nanoTime), linked by ackPrev/ackNext: kept by it */
    boolean ackDelayQueued;
    long ackDue;
    TcpConnection ackPrev;
    TcpConnection ackNext;
    private final HostSide host;

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
        this.activeOpen = activeOpen;
        this.timer = new ConnectionTimer(ctx.scheduler, this::timerFired);
        this.rcv = new TcpReceiver(ctx);
        this.snd = new TcpSender(this, ctx, timer, ourIsn);
        this.handshake = new TcpHandshake(this, ctx, rcv, snd);
        this.host = new HostSide(this, rcv, snd, registry);
        this.flow = new FlowCounters(timer.now());
    }

    /** What {@code list_connections} shows of it. */
    dev.jnet.usernet.FlowInfo info() {
        return flow.info(this, state, rcv.bytesIn, snd.bytesAcked, timer.now());
    }

    /** Takes the guest's SYN (passive open) or SYN-ACK (active open): its ISN and options. */
    void guestSyn(int guestIsn, TcpOptions synOptions) {
        rcv.syn(guestIsn, synOptions, ctx.ourMss(v6));
        snd.syn(synOptions, rcv.windowScaling(), ctx.ourMss(v6));
    }

    TcpState state() {
        return state;
    }

    /**
     * Active open (a port forward): the host side is connected already; we send the SYN and
     * the host is read only once the guest has answered with its SYN-ACK.
     */
    void startActive(Function<TcpHostConnector.Listener, TcpHostConnector.HostConnection> attach) {
        host.attach(attach.apply(host));
        state = TcpState.SYN_SENT;
        snd.open(out.alloc());
        handshake.sendSyn();
        timer.arm(timer.now() + snd.rto());
    }

    /** Starts the host connect; the SYN-ACK waits for its outcome. */
    void startConnect(TcpHostConnector connector, InetSocketAddress target) {
        host.connect(connector, target);
    }

    // ---------------------------------------------------------------- guest segments

    /** A segment of this connection from the guest; {@code buf} is valid during the call only. */
    void segment(TcpSegment seg, ByteBuf buf) {
        flow.packetsFromGuest++;
        int flags = seg.flags();
        int seq = seg.seq();
        if (state.embryonic()) {
            if (!handshake.segment(state, seg, flags, seq)) {
                return;
            }
        } else if (state == TcpState.TIME_WAIT) {
            timeWaitSegment(flags, seq);
            return;
        } else if (state == TcpState.CLOSED) {
            return;
        }
        synchronizedSegment(seg, buf, flags, seq);
        afterEvent();
    }

    /** The handshake completed with the guest's ACK {@code ack} in segment {@code seq}. */
    void established(int seq, int ack, int window) {
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
            timer.arm(timer.now() + ctx.limits.timeWaitNanos());
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

    /**
     * The guest's FIN arrived in order: half close towards the host. In FIN_WAIT_2 (the host
     * closed first and the guest has our FIN) the socket is closed right away, and its close
     * sends the FIN: no shutdown(2) of its own (one syscall per host-closed connection).
     */
    private void guestFinished() {
        rcv.finReceived();
        if (state != TcpState.FIN_WAIT_2) {
            host.shutdownOutput();
        }
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
        }
    }

    // ---------------------------------------------------------------- segments to the guest

    /** A pure ACK with the current window (and SACK blocks when we hold out-of-order data). */
    void sendAck() {
        TcpOptions sack = rcv.sackOptions();
        out.emit(this, snd.sndNxt, rcv.nxt(), TcpSegment.ACK, windowField(), sack, null, 0, 0);
        ackSent();
    }

    /** Our segment carried the ACK owed: none waits any more. */
    private void ackSent() {
        rcv.ackNeeded = false;
        if (ackDelayQueued) {
            registry.ackSent(this);
        }
    }

    /** The payload size of the segments the guest takes (our send MSS): a super-packet's gso_size. */
    int sendMss() {
        return snd.mss;
    }

    /** The sender's segment {@code seq}: it carries our ACK and window too. */
    void transmit(int seq, int flags, SendBuffer data, int offset, int len) {
        out.emit(this, seq, rcv.nxt(), flags, windowField(), null, data, offset, len);
        ackSent();
        if (len > 0) {
            rcv.dataSent();
        }
    }

    private int windowField() {
        return rcv.windowField(host.pendingWriteBytes());
    }

    /** The sender is sending our FIN for the first time. */
    void finSent() {
        state = state == TcpState.CLOSE_WAIT ? TcpState.LAST_ACK : TcpState.FIN_WAIT_1;
        host.stopReading();
    }

    void sendReset(int seq, int ack, int flags) {
        out.emit(this, seq, ack, flags, 0, null, null, 0, 0);
    }

    /** End-of-batch work, run once per event-loop batch: host flush and our ACK. */
    void flush() {
        flushQueued = false;
        if (state != TcpState.CLOSED) {
            host.flush();
            if (rcv.ackNeeded) {
                if (rcv.ackMayWait) {
                    registry.delayAck(this); // our answer, if it comes soon, carries it
                } else {
                    sendAck();
                }
            }
        }
    }

    /** Our ACK waited {@link DelayedAcks#DELAY_NANOS} for an answer that did not come: it goes alone. */
    void delayedAckDue() {
        if (state != TcpState.CLOSED && rcv.ackNeeded) {
            try {
                sendAck();
            } catch (OutOfMemoryError e) {
                registry.abort(this); // direct memory ran out building the ACK: this connection goes
            }
        }
    }

    void flushLater() {
        if (!flushQueued) {
            flushQueued = true;
            registry.flushLater(this);
        }
    }

    /** After each event: send what the windows allow, read the host or not, ACK at the end of the batch. */
    void afterEvent() {
        if (state != TcpState.CLOSED) {
            if (!state.embryonic() && state != TcpState.TIME_WAIT) {
                snd.push();
            }
            updateReading();
            if (rcv.ackNeeded) {
                flushLater();
            }
        }
    }

    private void updateReading() {
        if (host.readable() && snd.isOpen()) {
            host.reading(state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT ? snd.hostRoom() : 0);
        }
    }

    // ---------------------------------------------------------------- host events (from HostSide)

    /** The host connect succeeded: answer the guest's SYN. */
    void hostConnected() {
        if (state != TcpState.CONNECTING) {
            return;
        }
        state = TcpState.SYN_RECEIVED;
        // exists from now: a host that speaks first (or closes at once) is queued until the
        // guest completes the handshake
        snd.open(out.alloc());
        handshake.sendSynAck();
        timer.arm(timer.now() + snd.rto());
    }

    /** The host connect failed: refuse the guest's SYN, with ICMP or a RST as {@code failure} says. */
    void hostConnectFailed(TcpHostConnector.Failure failure) {
        if (failure.unreachable()) {
            out.unreachable(this, rcv.irs, failure == TcpHostConnector.Failure.NET_UNREACHABLE);
        } else {
            sendReset(0, rcv.nxt(), TcpSegment.RST | TcpSegment.ACK);
        }
        destroy(false);
    }

    /** Abort: RST to the guest, host socket reset (the host reset it, retries used up, memory reclaimed). */
    void abort() {
        if (state == TcpState.CONNECTING) {
            sendReset(0, rcv.nxt(), TcpSegment.RST | TcpSegment.ACK);
        } else if (state == TcpState.SYN_SENT) {
            sendReset(snd.iss + 1, 0, TcpSegment.RST); // the guest's SYN-RECEIVED expects iss + 1
        } else {
            sendReset(snd.sndNxt, rcv.nxt(), TcpSegment.RST | TcpSegment.ACK);
        }
        destroy(false);
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
                if (!handshake.retry(state)) {
                    destroy(false); // an active open's host client is reset
                    return;
                }
                timer.arm(now + snd.rto());
                return;
            default:
                break;
        }
        if (!snd.timerExpired(now)) {
            abort(); // both directions give up: the guest stopped answering
        } else if (state != TcpState.CLOSED) {
            updateReading();
        }
    }

    // ---------------------------------------------------------------- teardown

    private void enterTimeWait() {
        state = TcpState.TIME_WAIT;
        host.release(true);
        snd.release();
        rcv.clear();
        registry.timeWaitEntered(this);
        timer.arm(timer.now() + ctx.limits.timeWaitNanos());
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
        snd.release();
        rcv.clear();
        registry.removed(this);
    }

    /** Whether the entry still refers to its host socket (tests: a closed socket is let go). */
    boolean holdsHostConnection() {
        return host.connection() != null;
    }

    /** Aborts the host socket even if its close is under way (stack close). */
    void abortHost() {
        host.abort();
    }

    /** When SND.UNA last moved if host bytes wait for the guest's ACK, else -1 (memory reclaim). */
    long stalledSince() {
        return snd.stalledSince(); // -1 once the buffers are released (TIME_WAIT, CLOSED)
    }

    @Override
    public String toString() {
        return "TcpConnection[" + endpoints() + " " + state + (activeOpen ? " active]" : "]");
    }
}
