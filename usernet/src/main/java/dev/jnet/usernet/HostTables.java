package dev.jnet.usernet;

import dev.jnet.usernet.icmp.IcmpEchoForwarder;
import dev.jnet.usernet.tcp.TcpLimits;
import dev.jnet.usernet.udp.UdpNat;

/**
 * How many host sockets each table of a stack may hold, from the process's fd limit: every TCP
 * connection, UDP and DNS flow and ICMP echo flow holds one fd. Each table keeps its default
 * size ({@link TcpLimits#defaults}, {@link UdpNat.Limits#DEFAULT}, {@link
 * IcmpEchoForwarder#MAX_FLOWS}) unless the limit, less {@value #HEADROOM} fds for everything
 * else (the JVM's jars and libraries, the tap, epoll, the API socket, forwards), is smaller: then
 * it holds that many (at least {@value #MIN}). A full TCP table refuses a new connection with a
 * RST; flows that find no fd all the same (several tables filling at once, another stack in the
 * process) get an ICMP error; in both cases service resumes as fds free.
 *
 * @param tcp       the TCP stack's limits
 * @param udp       the UDP NAT's limits (IPv4, and IPv6 alike)
 * @param icmpFlows echo flows through ping sockets (IPv4, and IPv6 alike)
 */
record HostTables(TcpLimits tcp, UdpNat.Limits udp, int icmpFlows) {
    /** fds kept free of the tables. */
    static final int HEADROOM = 256;
    /** The smallest table, whatever the limit says. */
    static final int MIN = 64;

    /** The tables for a process whose soft RLIMIT_NOFILE is {@code fdLimit}. */
    static HostTables forFdLimit(long fdLimit) {
        int cap = (int) Math.max(MIN, Math.min(Integer.MAX_VALUE, fdLimit - HEADROOM));
        TcpLimits d = TcpLimits.defaults();
        UdpNat.Limits u = UdpNat.Limits.DEFAULT;
        int connections = Math.min(d.maxConnections(), cap);
        TcpLimits tcp = d.withTable(connections, Math.min(d.maxEmbryonic(), connections),
                Math.min(d.maxTimeWait(), connections));
        UdpNat.Limits udp = new UdpNat.Limits(Math.min(u.flows(), cap), u.idleNanos(), Math.min(u.dnsFlows(), cap),
                u.dnsIdleNanos());
        return new HostTables(tcp, udp, Math.min(IcmpEchoForwarder.MAX_FLOWS, cap));
    }
}
