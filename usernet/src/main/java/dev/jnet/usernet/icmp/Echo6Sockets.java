package dev.jnet.usernet.icmp;

import java.net.Inet6Address;

/**
 * Opens host sockets for ICMPv6 echo: production {@link PingSocket#open6}, tests a fake. The
 * IPv6 twin of {@link EchoSockets}, sharing its socket and receiver contracts (the receiver
 * allocates from {@link dev.jnet.usernet.ip.Ipv6Output#allocate}).
 */
public interface Echo6Sockets {
    /**
     * Opens a socket for echo requests to {@code host}.
     *
     * @throws dev.jnet.linux.SyscallException if the kernel refuses ({@code EACCES} when
     *     {@code net.ipv4.ping_group_range}, which also governs ICMPv6, excludes us)
     */
    EchoSockets.Socket open(Inet6Address host, EchoSockets.Receiver receiver);
}
