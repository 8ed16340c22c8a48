package dev.jnet.usernet.tcp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import java.io.ByteArrayOutputStream;

/**
 * A deliberately simple guest TCP endpoint (the active opener): in-order receiver that ACKs
 * every segment (so out-of-order arrivals produce duplicate ACKs), go-back-N sender with a
 * fixed retransmission timeout, a receive buffer the test application reads from (or not, to
 * close the window). Enough to move data correctly over a lossy, reordering, duplicating link.
 */
final class GuestTcp {
    private final TcpHarness h;
    final int port;
    final int remote;
    final int remotePort;

    int iss = 0x7000_0000;
    int sndUna;
    int sndNxt;
    int rcvNxt;
    int peerWindow;
    int peerScale;
    int peerMss = -1;
    int synAckWindowScale = -1;
    boolean established;
    boolean finReceived;
    boolean resetReceived;
    int segmentsReceived;

    /** our advertised window scale, or -1 to offer no window scaling */
    int windowScale = 7;
    int mss = 1460;
    boolean sackPermitted;
    int receiveBuffer = 1 << 20;
    /** the guest's congestion window, fixed: keeps go-back-N retransmissions small */
    int maxInFlight = 64 * 1024;
    /** TSO: segments of up to this many bytes whatever the MSS (0: the MSS), as over a tap with offloads */
    int superPacket;
    /** bytes received but not yet read by the application */
    int unread;
    boolean appReading = true;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    /** whether out-of-order segments are kept (like a real stack) or dropped */
    boolean keepOutOfOrder = true;
    /** out-of-order data by stream offset: {payload, fin} */
    private final java.util.TreeMap<Long, Object[]> outOfOrder = new java.util.TreeMap<>();

    byte[] toSend = new byte[0];
    boolean finQueued;
    boolean finSent;
    boolean finAcked;
    long retransmitNanos = 300 * TcpHarness.MS;
    private Scheduler.Timer timer;
    private int timerUna;
    boolean impaired = true;
    /** when false, the test drives every segment itself */
    boolean auto = true;

    GuestTcp(TcpHarness h, int port, int remote, int remotePort) {
        this.h = h;
        this.port = port;
        this.remote = remote;
        this.remotePort = remotePort;
    }

    void connect() {
        sndUna = iss;
        sndNxt = iss + 1;
        sendSyn();
        armTimer();
    }

    void sendSyn() {
        TcpOptions o = new TcpOptions().mss(mss).sackPermitted(sackPermitted);
        if (windowScale >= 0) {
            o.windowScale(windowScale);
        }
        h.guestSend(TcpHarness.GUEST, port, remote, remotePort, iss, 0, TcpSegment.SYN, 65535, o, new byte[0], 0, 0,
                false);
    }

    /** Raw segment from this guest's four-tuple. */
    void raw(int seq, int ack, int flags, int window, byte[] payload) {
        h.guestSend(TcpHarness.GUEST, port, remote, remotePort, seq, ack, flags, window, null, payload, 0,
                payload.length, false);
    }

    /** Raw segment with options (fuzzing). */
    void rawWith(int seq, int ack, int flags, int window, TcpOptions opts, byte[] payload) {
        h.guestSend(TcpHarness.GUEST, port, remote, remotePort, seq, ack, flags, window, opts, payload, 0,
                payload.length, false);
    }

    int windowField() {
        int free = appReading ? receiveBuffer : Math.max(0, receiveBuffer - unread);
        int scale = windowScale >= 0 && synAckWindowScale >= 0 ? windowScale : 0;
        return Math.min(65535, free >>> scale);
    }

    /** right edge of the window we advertised last, and segments of the stack beyond it */
    int advertisedEdge;
    int windowViolations;

    private int scaleInUse() {
        return windowScale >= 0 && synAckWindowScale >= 0 ? windowScale : 0;
    }

    /** whether the stack permitted SACK in its SYN-ACK */
    boolean peerSackPermitted;

    /** SACK blocks for the out-of-order data held, or null. */
    private TcpOptions sackOption() {
        if (!sackPermitted || !peerSackPermitted || outOfOrder.isEmpty() || !appReading) {
            return null;
        }
        TcpOptions o = new TcpOptions();
        long have = received.size();
        long left = -1;
        long right = -1;
        for (var e : outOfOrder.entrySet()) {
            long at = e.getKey();
            long end = at + ((byte[]) e.getValue()[0]).length;
            if (left >= 0 && at <= right) {
                right = Math.max(right, end);
                continue;
            }
            if (left >= 0 && o.sackBlockCount < 3) {
                o.addSackBlock(rcvNxt + (int) (left - have), rcvNxt + (int) (right - have));
            }
            left = at;
            right = end;
        }
        if (left >= 0 && o.sackBlockCount < 3) {
            o.addSackBlock(rcvNxt + (int) (left - have), rcvNxt + (int) (right - have));
        }
        return o;
    }

    void ack() {
        int edge = rcvNxt + (windowField() << scaleInUse());
        // rounding to the scale may pull the edge back a little; the largest one offered counts
        advertisedEdge = advertisedEdge == 0 || SeqNum.gt(edge, advertisedEdge) ? edge : advertisedEdge;
        h.guestSend(TcpHarness.GUEST, port, remote, remotePort, sndNxt, rcvNxt, TcpSegment.ACK, windowField(),
                sackOption(), new byte[0], 0, 0, impaired);
    }

    /** The application reads everything buffered: the window reopens. */
    void readAll() {
        unread = 0;
        ack();
    }

    void send(byte[] data, boolean fin) {
        byte[] joined = new byte[toSend.length + data.length];
        System.arraycopy(toSend, 0, joined, 0, toSend.length);
        System.arraycopy(data, 0, joined, toSend.length, data.length);
        toSend = joined;
        finQueued |= fin;
        pump();
    }

    private int dataSeq0() {
        return iss + 1;
    }

    void pump() {
        if (!established || resetReceived || !auto) {
            return;
        }
        int window = Math.min(Math.max(peerWindow, 0), maxInFlight);
        while (true) {
            int off = sndNxt - dataSeq0();
            int inFlight = sndNxt - sndUna;
            int unsent = toSend.length - off;
            if (unsent > 0) {
                int len = Math.min(Math.min(unsent, superPacket > 0 ? superPacket : Math.min(mss, peerMss)), window - inFlight);
                if (len <= 0) {
                    break;
                }
                boolean fin = finQueued && len == unsent;
                int flags = TcpSegment.ACK | (fin ? TcpSegment.FIN : 0) | TcpSegment.PSH;
                h.guestSend(TcpHarness.GUEST, port, remote, remotePort, sndNxt, rcvNxt, flags, windowField(), null,
                        toSend, off, len, impaired);
                sndNxt += len + (fin ? 1 : 0);
                finSent |= fin;
            } else if (unsent == 0 && finQueued && !finSent) {
                h.guestSend(TcpHarness.GUEST, port, remote, remotePort, sndNxt, rcvNxt, TcpSegment.ACK | TcpSegment.FIN,
                        windowField(), null, new byte[0], 0, 0, impaired);
                sndNxt++;
                finSent = true;
            } else {
                break;
            }
        }
        if (sndNxt != sndUna) {
            armTimer();
        }
    }

    private void armTimer() {
        if (timer == null) {
            timerUna = sndUna;
            timer = h.clock.schedule(this::timeout, retransmitNanos);
        }
    }

    private void timeout() {
        timer = null;
        if (resetReceived || sndNxt == sndUna || (finAcked && sndUna == sndNxt)) {
            return;
        }
        if (!established) {
            sendSyn();
        } else if (sndUna == timerUna && auto) {
            // no progress: go back N
            sndNxt = sndUna;
            finSent = false;
            if (sndUna - dataSeq0() > toSend.length) { // only the FIN was outstanding... already acked
                return;
            }
            pump();
        }
        armTimer();
    }

    private void drainOutOfOrder() {
        while (!outOfOrder.isEmpty() && !finReceived) {
            long at = outOfOrder.firstKey();
            long have = received.size();
            if (at > have) {
                return;
            }
            Object[] e = outOfOrder.pollFirstEntry().getValue();
            byte[] p = (byte[]) e[0];
            boolean fin = (Boolean) e[1];
            if (at + p.length < have || (at + p.length == have && !fin)) {
                continue;
            }
            int skip = (int) (have - at);
            received.write(p, skip, p.length - skip);
            rcvNxt += p.length - skip;
            if (fin) {
                rcvNxt++;
                finReceived = true;
            }
        }
    }

    void onSegment(TcpHarness.Seg s, byte[] payload) {
        segmentsReceived++;
        if (s.has(TcpSegment.RST)) {
            resetReceived = true;
            return;
        }
        if (!established) {
            if (s.has(TcpSegment.SYN | TcpSegment.ACK) && s.ack() == iss + 1) {
                established = true;
                rcvNxt = s.seq() + 1;
                peerMss = s.mss() > 0 ? s.mss() : 536;
                synAckWindowScale = s.windowScale();
                peerSackPermitted = s.sackPermitted();
                peerScale = windowScale >= 0 && s.windowScale() >= 0 ? s.windowScale() : 0;
                peerWindow = s.window(); // unscaled in a SYN
                sndUna = iss + 1;
                sndNxt = iss + 1;
                if (auto) {
                    ack();
                }
                pump();
            }
            return;
        }
        if (s.has(TcpSegment.SYN)) {
            if (auto) {
                ack(); // our ACK of the SYN-ACK was lost
            }
            return;
        }
        // ACK processing
        if (SeqNum.gt(s.ack(), sndUna) && SeqNum.le(s.ack(), sndNxt)) {
            sndUna = s.ack();
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            if (finSent && sndUna == sndNxt) {
                finAcked = true;
            }
        }
        peerWindow = s.window() << peerScale;
        int len = payload.length;
        boolean fin = s.has(TcpSegment.FIN);
        if (len > 1 && SeqNum.gt(s.seq() + len, advertisedEdge)) {
            windowViolations++; // only a one-byte probe may exceed the window
        }
        if ((len > 0 || fin) && keepOutOfOrder && SeqNum.gt(s.seq(), rcvNxt) && appReading) {
            outOfOrder.putIfAbsent(s.seq() - rcvNxt + (long) received.size(), new Object[] {payload, fin});
        }
        if (len > 0 || fin) {
            if (SeqNum.lt(s.seq(), rcvNxt) && SeqNum.gt(s.seq() + len, rcvNxt)) {
                // overlaps what we have: keep the new tail
                int skip = rcvNxt - s.seq();
                payload = java.util.Arrays.copyOfRange(payload, skip, len);
                len = payload.length;
                s = new TcpHarness.Seg(s.time(), s.src(), s.dst(), s.srcPort(), s.dstPort(), rcvNxt, s.ack(),
                        s.flags(), s.window(), len, s.mss(), s.windowScale(), s.sackPermitted(), s.sack());
            }
            if (s.seq() == rcvNxt && (!fin || !finReceived)) {
                int room = appReading ? Integer.MAX_VALUE : receiveBuffer - unread;
                int take = Math.min(len, room);
                received.write(payload, 0, take);
                rcvNxt += take;
                if (!appReading) {
                    unread += take;
                }
                if (fin && take == len) {
                    rcvNxt++;
                    finReceived = true;
                }
                drainOutOfOrder();
            }
            if (auto) {
                ack();
            }
        }
        pump();
    }
}
