package dev.jnet.usernet.tcp;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Opens host-side TCP sockets for guest connections. Every method and callback runs on the
 * stack's thread; nothing blocks. Production: {@link RawTcpHostConnector}; tests use an
 * in-memory fake.
 */
public interface TcpHostConnector {
    /**
     * Starts connecting to {@code remote}. Exactly one of {@link Listener#connected} and
     * {@link Listener#connectFailed} follows (unless the connection is aborted first), never
     * from inside this call.
     */
    HostConnection connect(InetSocketAddress remote, Listener listener);

    /** Why a connect failed; decides what the guest is told (libslirp's choices). */
    enum Failure {
        /** ECONNREFUSED: the guest gets a RST */
        REFUSED,
        /** ENETUNREACH: ICMP net unreachable (ICMPv6 no route): the guest reads ENETUNREACH */
        NET_UNREACHABLE,
        /** EHOSTUNREACH: ICMP host unreachable (ICMPv6 address unreachable): EHOSTUNREACH */
        HOST_UNREACHABLE,
        /** the connect timed out (ETIMEDOUT, or ours): ICMP host unreachable, as a router's failed ARP */
        TIMEOUT,
        /** anything else (EACCES, EADDRNOTAVAIL, ...): the guest gets a RST */
        OTHER;

        /** Whether the guest is told with an ICMP error rather than a RST. */
        public boolean unreachable() {
            return this == NET_UNREACHABLE || this == HOST_UNREACHABLE || this == TIMEOUT;
        }
    }

    /** Events of one host connection. */
    interface Listener {
        void connected();

        void connectFailed(Failure failure);

        /** Bytes from the host; takes ownership of {@code data}. Only while reading is on. */
        void received(ByteBuf data);

        /** The host sent FIN: no more {@link #received} calls. */
        void inputShutdown();

        /**
         * Some queued writes reached the socket after the {@link HostConnection#flush} that
         * pushed them returned with bytes still queued: {@link HostConnection#pendingWriteBytes}
         * fell. (What a flush writes at once the caller reads from pendingWriteBytes when it
         * returns; a connector may still report it here.)
         */
        void writeCompleted();

        /** The connection failed after being established (ECONNRESET, EPIPE, ...). */
        void reset();

        /** The socket is closed and its fd released (after close, abort or reset). */
        void closed();
    }

    /** One host socket. */
    interface HostConnection {
        /**
         * Flow control towards the guest: reads from the host until about {@code bytes} more
         * have been {@linkplain Listener#received received} (no read asks for more than what is
         * left of it), or stops reading ({@code 0}). Each call replaces the previous allowance;
         * each {@link Listener#received} lowers it by the bytes it hands over (floor 0), on
         * both sides, so the caller knows the allowance without asking.
         */
        void setReading(int bytes);

        /** Queues {@code data} for the host, in order; takes ownership. */
        void write(ByteBuf data);

        /** Pushes queued writes to the socket. */
        void flush();

        /** Bytes queued by {@link #write} and not yet accepted by the socket. */
        long pendingWriteBytes();

        /** Sends FIN to the host once every queued write has gone out (half close). */
        void shutdownOutput();

        /** Closes once every queued write has gone out; {@link Listener#closed} follows. */
        void close();

        /** Closes at once, dropping queued writes and resetting the host peer; then closed. */
        void abort();
    }
}
