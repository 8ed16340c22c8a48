package dev.jnet.usernet.icmp;

import io.netty.buffer.ByteBuf;

/**
 * Opens host sockets that send ICMP echo requests and hear the replies: production
 * {@link PingSocket}s (unprivileged ICMP datagram sockets), tests an in-memory fake. Called on,
 * and calling back on, the stack's thread.
 */
public interface EchoSockets {
    /**
     * Opens a socket for echo requests to {@code hostAddr}.
     *
     * @throws dev.jnet.linux.SyscallException if the kernel refuses ({@code EACCES} when
     *     {@code net.ipv4.ping_group_range} excludes us)
     */
    Socket open(int hostAddr, Receiver receiver);

    /** One echo flow's host socket. */
    interface Socket {
        /** Sends the ICMP echo request {@code buf[index, index + length)}; the buffer stays the caller's. */
        void send(ByteBuf buf, int index, int length);

        /** Closes the socket; idempotent. Nothing reaches the receiver afterwards. */
        void close();
    }

    /** Where a socket delivers replies. */
    interface Receiver {
        /**
         * A buffer to read a reply into: from {@link dev.jnet.usernet.ip.Ipv4Output#allocate},
         * so the reply is sent on without a copy.
         */
        ByteBuf allocate();

        /** A reply: the readable bytes of {@code message} are the ICMP message; takes ownership. */
        void reply(ByteBuf message);
    }
}
