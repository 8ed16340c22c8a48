/**
 * TCP termination: guest connections end in the stack ({@link dev.jnet.usernet.tcp.TcpStack},
 * one {@link dev.jnet.usernet.tcp.TcpConnection} each, itself a thin state machine over a
 * receiver, a sender with its loss recovery, the handshake and the host side) and are spliced
 * to host sockets through a {@link dev.jnet.usernet.tcp.TcpHostConnector}. Segments flow one
 * way: connection, {@code SegmentOutput}, link. The SYN is answered only once the host
 * connect succeeded, as libslirp does; windows on both sides follow what the other side can
 * take, so neither a slow guest nor a slow host grows memory.
 */
package dev.jnet.usernet.tcp;
