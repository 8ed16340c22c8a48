package dev.jnet.usernet.udp;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Opens the host-side socket of a UDP flow: production {@link NettyUdpHostConnector}, tests an
 * in-memory fake. Everything is called on, and calls back on, the stack's thread.
 */
public interface UdpHostConnector {
    /** Opens a socket that sends to (and only hears from) {@code remote}. */
    HostSocket open(InetSocketAddress remote, Receiver receiver);

    /** The host side of one flow. */
    interface HostSocket {
        /** Sends the readable bytes of {@code payload} as one datagram; takes ownership. */
        void send(ByteBuf payload);

        /** Closes the socket; idempotent. Nothing reaches the receiver afterwards. */
        void close();
    }

    /** Where a host socket delivers what it hears. */
    interface Receiver {
        /** A datagram from the remote: the readable bytes of {@code payload}, valid during the call. */
        void datagram(ByteBuf payload);

        /** The host reported the remote unreachable, with the ICMP code to tell the guest. */
        void unreachable(int icmpCode);
    }
}
