package dev.jnet.usernet.tcp;

import dev.jnet.usernet.wire.TcpOptions;
import io.netty.buffer.ByteBuf;

/**
 * The receive half of a connection (guest to host): RCV.NXT, the window we advertise, the
 * acceptability test, reassembly of out-of-order data and the SACK blocks describing it
 * (RFC 2018). In-order data goes straight to the host socket. It emits nothing: it says what
 * happened ({@link #receive}'s bits, {@link #ackNeeded}) and the connection answers.
 *
 * <p>The window ties the two sides together: we advertise what is left of {@code
 * receiveBuffer} after the bytes still queued for the host socket, so a slow host closes the
 * guest's window.
 */
final class TcpReceiver {
    /** {@link #receive} result bits */
    static final int DELIVERED = 1;
    static final int FIN = 2;
    static final int OUT_OF_ORDER = 4;
    /** a payload may pin a frame buffer at most this many times its own size */
    private static final int PIN_RATIO = 4;

    private final ConnectionContext ctx;
    private final TcpLimits limits;

    // fixed by the guest's SYN, or its SYN-ACK in an active open
    int irs;
    /** in-order payload bytes from the guest, handed to the host (list_connections) */
    long bytesIn;
    private int rcvNxt;
    /** right edge of the window last advertised (never moves left) */
    private int rcvAdvEdge;
    private int rcvScale;
    private boolean windowScaling;
    /** the guest offered SACK: our ACKs describe the out-of-order data we hold (RFC 2018) */
    private boolean sackPermitted;
    private int recentOutOfOrderSeq;
    /** the guest's FIN was received in order */
    boolean guestFin;
    /** sequence number of a FIN seen on an out-of-order segment, valid if oooFin */
    private int oooFinSeq;
    private boolean oooFin;
    private ReassemblyQueue reassembly;
    /** an ACK is owed (sent at the end of the batch unless a segment carries it first) */
    boolean ackNeeded;
    /** the owed ACK may wait for our answer to carry it ({@link DelayedAcks}; see {@link #receive}) */
    boolean ackMayWait;
    /** we sent the guest data since its last data: the exchange is interactive (ping-pong) */
    private boolean answered;
    /** the largest segment the guest sends us (our MSS): a longer one is a super-packet of several */
    private int mss;

    TcpReceiver(ConnectionContext ctx) {
        this.ctx = ctx;
        this.limits = ctx.limits;
    }

    /** We sent the guest data: its next data segment's ACK may wait for our answer. */
    void dataSent() {
        answered = true;
    }

    /** An ACK is owed now, not after a delay (a window update, say). */
    void ackNow() {
        ackNeeded = true;
        ackMayWait = false;
    }

    /** Takes the guest's SYN (passive open) or SYN-ACK (active open): its ISN and options. */
    void syn(int guestIsn, TcpOptions synOptions, int ourMss) {
        this.irs = guestIsn;
        this.mss = ourMss;
        this.rcvNxt = guestIsn + 1;
        // window scaling only if both sides offer it (RFC 7323 2.2)
        this.windowScaling = synOptions.windowScale >= 0;
        this.sackPermitted = synOptions.sackPermitted;
        this.rcvScale = windowScaling ? limits.windowScale() : 0;
    }

    int nxt() {
        return rcvNxt;
    }

    boolean windowScaling() {
        return windowScaling;
    }

    boolean sackPermitted() {
        return sackPermitted;
    }

    /** The receive window as last advertised (RCV.WND). */
    int window() {
        return Math.max(0, rcvAdvEdge - rcvNxt);
    }

    /** RFC 9293 3.10.7.4: whether any of the segment lies in the window {@code rcvWnd}. */
    boolean acceptable(int seq, int segLen, int rcvWnd) {
        if (segLen == 0) {
            return SeqNum.ge(seq, rcvNxt) && SeqNum.le(seq, rcvNxt + rcvWnd);
        }
        return rcvWnd > 0 && SeqNum.lt(seq, rcvNxt + rcvWnd) && SeqNum.gt(seq + segLen, rcvNxt);
    }

    /** The window of our SYN or SYN-ACK: never scaled there (RFC 7323). */
    int synWindow() {
        return Math.min(65535, limits.receiveBuffer());
    }

    /** Advertises the SYN window (our SYN-ACK, or our ACK of the guest's SYN-ACK). */
    int advertiseSynWindow() {
        int window = synWindow();
        rcvAdvEdge = rcvNxt + window;
        return window;
    }

    /** Our SYN-ACK's options: MSS, our window scale only if the guest offered one, SACK if it did. */
    TcpOptions synAckOptions(int ourMss) {
        TcpOptions opts = ctx.scratchOptions().mss(ourMss).sackPermitted(sackPermitted);
        return windowScaling ? opts.windowScale(rcvScale) : opts;
    }

    /** SACK blocks for a pure ACK, or {@code null} when there is nothing to describe. */
    TcpOptions sackOptions() {
        if (!sackPermitted || reassembly == null || reassembly.segments() == 0) {
            return null;
        }
        TcpOptions sack = ctx.scratchOptions();
        reassembly.fillSack(sack, recentOutOfOrderSeq, TcpOptions.MAX_SACK_BLOCKS);
        return sack;
    }

    /**
     * The window field to advertise: free receive buffer after the {@code pending} bytes still
     * queued for the host, never moving the right edge left (RFC 9293 3.8.6), rounded to the
     * scale.
     */
    int windowField(long pending) {
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

    /**
     * The host drained its queue: whether the window grew enough since we last advertised it
     * to be worth an update (receiver-side SWS avoidance).
     */
    boolean windowUpdateDue(long pending, int mss) {
        long free = Math.min(Math.max(0, limits.receiveBuffer() - pending), 65535L << rcvScale);
        long advertised = Math.max(0, rcvAdvEdge - rcvNxt);
        long threshold = Math.min(limits.receiveBuffer() / 4, 2L * mss);
        return free - advertised >= Math.max(1, threshold);
    }

    /**
     * Takes the acceptable segment {@code seq} ({@code len} payload bytes at {@code buf[index]},
     * valid during the call only) in the window {@code rcvWnd}; in-order data is written to
     * {@code host}.
     *
     * @return {@link #DELIVERED} if the host got data, {@link #FIN} if the guest's FIN is now
     *     in order (not yet counted in RCV.NXT: see {@link #finReceived}), {@link
     *     #OUT_OF_ORDER} if the segment left a gap (it wants an immediate ACK)
     */
    int receive(ByteBuf buf, int index, int seq, int len, boolean fin, int rcvWnd,
            TcpHostConnector.HostConnection host) {
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
        if (seq != rcvNxt) {
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
            return OUT_OF_ORDER; // an immediate duplicate ACK drives the guest's fast retransmit
        }
        int result = 0;
        if (len > 0) {
            host.write(keep(buf, index, len));
            rcvNxt += len;
            bytesIn += len;
            result = DELIVERED;
        }
        boolean filledGap = drainReassembly(host);
        if (filledGap) {
            result = DELIVERED;
        }
        // RFC 1122 4.2.3.2 and RFC 5681 4.2: an ACK may be delayed (well under 500 ms), but at
        // least every second full-sized segment is acknowledged at once (an ACK already owed, or
        // a super-packet of several), and anything out of order or filling a gap at once. As in
        // Linux's ping-pong mode only an exchange where we answered the guest's last data waits:
        // there our next segment is likely to carry the ACK. A bulk sender's ACKs go at the end of
        // each batch, as does the ACK of a FIN (in order or seen early), and of a first request.
        ackMayWait = answered && !ackNeeded && len > 0 && len <= mss && !fin && !oooFin && !filledGap
                && (reassembly == null || reassembly.segments() == 0);
        answered = false;
        ackNeeded = true;
        if (fin || (oooFin && rcvNxt == oooFinSeq)) {
            result |= FIN;
        }
        return result;
    }

    /** @return whether anything was written to the host */
    private boolean drainReassembly(TcpHostConnector.HostConnection host) {
        if (reassembly == null) {
            return false;
        }
        boolean delivered = false;
        while (reassembly.segments() > 0 && SeqNum.le(reassembly.firstSeq(), rcvNxt)) {
            int first = reassembly.firstSeq();
            ByteBuf data = reassembly.pollFirst();
            int end = first + data.readableBytes();
            if (SeqNum.le(end, rcvNxt)) {
                data.release(); // entirely received already
                continue;
            }
            data.skipBytes(rcvNxt - first);
            bytesIn += end - rcvNxt;
            rcvNxt = end;
            host.write(data);
            delivered = true;
        }
        return delivered;
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
        ByteBuf copy = ctx.output.alloc().directBuffer(length);
        copy.writeBytes(frame, index, length);
        return copy;
    }

    /** The guest's FIN, now in order, takes its sequence number; nothing after it is data. */
    void finReceived() {
        rcvNxt++;
        guestFin = true;
        oooFin = false;
        clear();
    }

    void clear() {
        if (reassembly != null) {
            reassembly.clear();
        }
    }
}
