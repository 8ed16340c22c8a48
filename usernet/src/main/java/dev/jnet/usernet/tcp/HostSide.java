package dev.jnet.usernet.tcp;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * The host half of a connection's splice: its {@link TcpHostConnector.HostConnection}, the
 * listener of that socket's events, and the host-side flow control. Guest data is written to
 * it as it arrives in order and flushed once per batch; the socket is read only while the
 * sender wants host data (our send buffer and the guest's window have room), so a slow guest
 * stops the host instead of growing memory; a window update goes to the guest once the host
 * drained enough. Host bytes go into the {@link TcpSender}; what changes the connection's
 * state (connect outcome, reset) is handed to the {@link TcpConnection}.
 */
final class HostSide implements TcpHostConnector.Listener {
    private final TcpConnection conn;
    private final TcpReceiver rcv;
    private final TcpSender snd;
    private final ConnectionRegistry registry;
    private TcpHostConnector.HostConnection host;
    /** we are done with the socket (closing, reset, failed, or never had one) */
    private boolean released;
    /** the socket is not closed yet (a closing socket may outlive its entry while it drains) */
    private boolean open;
    private boolean flushNeeded;
    /** what the socket was last told it may read (0: not reading) */
    private int room;

    HostSide(TcpConnection conn, TcpReceiver rcv, TcpSender snd, ConnectionRegistry registry) {
        this.conn = conn;
        this.rcv = rcv;
        this.snd = snd;
        this.registry = registry;
    }

    /** Starts the host connect for a guest's SYN; the outcome comes to {@link #connected} or {@link #connectFailed}. */
    void connect(TcpHostConnector connector, InetSocketAddress target) {
        open = true;
        host = connector.connect(target, this);
    }

    /** An already connected socket (the accepted client of a port forward). */
    void attach(TcpHostConnector.HostConnection connection) {
        host = connection;
        open = true;
    }

    /** The socket in-order guest data is written to; null once it has closed. */
    TcpHostConnector.HostConnection connection() {
        return host;
    }

    boolean released() {
        return released;
    }

    /** Guest bytes queued for the host socket and not yet written: they shrink our window. */
    long pendingWriteBytes() {
        return host == null || released ? 0 : host.pendingWriteBytes();
    }

    /** Data was written: flush at the end of the batch. */
    void written() {
        flushNeeded = true;
    }

    /** The guest's FIN: half close towards the host after the queued writes. */
    void shutdownOutput() {
        if (!released) {
            host.shutdownOutput();
            flushNeeded = true;
        }
    }

    /** Pushes the batch's writes; the caller's ACK follows, with any window they freed. */
    void flush() {
        if (flushNeeded && !released) {
            flushNeeded = false;
            host.flush();
            if (windowGrew()) {
                rcv.ackNow(); // the end-of-batch ACK right after this carries the update
            }
        }
    }

    /** Whether a live socket is there to be read from. */
    boolean readable() {
        return host != null && !released;
    }

    /**
     * Reads the host socket, at most {@code bytes} more, or stops (0), as the sender wants (only
     * a change reaches the socket).
     */
    void reading(int bytes) {
        if (bytes != room) {
            room = bytes;
            host.setReading(bytes);
        }
    }

    void stopReading() {
        if (room != 0 && !released) {
            room = 0;
            host.setReading(0);
        }
    }

    // ---------------------------------------------------------------- the socket's events

    @Override
    public void connected() {
        conn.hostConnected();
    }

    @Override
    public void connectFailed(TcpHostConnector.Failure failure) {
        if (conn.state() == TcpState.CONNECTING) {
            released = true;
            conn.hostConnectFailed(failure);
        }
    }

    @Override
    public void received(ByteBuf data) {
        room = Math.max(0, room - data.readableBytes()); // as the socket lowered its own allowance
        if (snd.hostEof() || !snd.isOpen() || !conn.state().takesHostData()) {
            data.release();
            return;
        }
        try {
            snd.append(data);
            conn.afterEvent();
        } catch (OutOfMemoryError e) {
            registry.abort(conn); // direct memory ran out serving this connection: it alone goes
        }
    }

    @Override
    public void inputShutdown() {
        if (snd.hostEof() || !snd.isOpen() || !conn.state().takesHostData()) {
            return;
        }
        snd.hostEof(conn.state().embryonic()); // SND.UNA still at the SYN
        conn.afterEvent();
    }

    @Override
    public void writeCompleted() {
        if (windowGrew()) {
            rcv.ackNow();
            conn.flushLater();
        }
    }

    /**
     * Whether the host drained enough of what we hold for it that the guest should hear of the
     * larger window (receiver-side SWS avoidance).
     */
    private boolean windowGrew() {
        TcpState state = conn.state();
        if (state == TcpState.CLOSED || state.embryonic() || rcv.guestFin) {
            return false;
        }
        return rcv.windowUpdateDue(pendingWriteBytes(), snd.mss);
    }

    @Override
    public void reset() {
        if (conn.state() == TcpState.CLOSED || released) {
            return;
        }
        released = true;
        conn.abort();
    }

    /**
     * The socket is closed: it is forgotten, so that an entry that outlives it (TIME_WAIT, 2 s)
     * does not keep the socket's objects (its connection, fd, epoll registration, addresses:
     * about a quarter of a TIME_WAIT entry's heap) alive.
     */
    @Override
    public void closed() {
        open = false;
        released = true;
        host = null;
        registry.hostClosed(conn);
    }

    /**
     * Lets the socket go: {@code graceful}, it closes after its last queued writes; otherwise
     * it is reset.
     */
    void release(boolean graceful) {
        if (released || host == null) {
            released = true;
            return;
        }
        released = true;
        if (graceful) {
            host.flush();
            host.close();
        } else {
            host.abort();
        }
    }

    /** Aborts the socket even if its close is under way (stack close). */
    void abort() {
        if (host != null && open) {
            host.abort();
        }
    }
}
