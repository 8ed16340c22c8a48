/**
 * TCP termination: guest connections end in the stack ({@link dev.jnet.usernet.tcp.TcpStack},
 * one {@link dev.jnet.usernet.tcp.TcpConnection} each) and are spliced to host sockets through
 * a {@link dev.jnet.usernet.tcp.TcpHostConnector}. The SYN is answered only once the host
 * connect succeeded, as libslirp does; windows on both sides follow what the other side can
 * take, so neither a slow guest nor a slow host grows memory.
 */
package dev.jnet.usernet.tcp;
