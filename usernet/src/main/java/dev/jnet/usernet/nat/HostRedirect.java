package dev.jnet.usernet.nat;

import java.net.InetSocketAddress;

/**
 * Where guest traffic to destinations outside the stack's own addresses goes instead of to
 * those destinations themselves: a closed world of chosen hosts, for tests (a fake internet
 * whose hosts are servers on the host's loopback), where nothing else may leave the machine.
 * With a redirect, a destination it does not {@linkplain #reaches reach} is unreachable (TCP
 * RST, ICMP unreachable), and ICMP echo to one it reaches is answered by the host's loopback.
 * The gateway and DNS addresses keep their meaning. Ports are per protocol: a redirected TCP
 * port says nothing about the same UDP port.
 *
 * <p>{@link #reaches} is asked for every packet of a flow not yet known (no allocation there);
 * {@link #target} once per new flow. Both are called on the stack's thread.
 */
public interface HostRedirect {
    /** {@code proto} of an ICMP or ICMPv6 echo request (port 0). */
    int ECHO = 1;
    /** {@code proto} of TCP (its IP protocol number). */
    int TCP = 6;
    /** {@code proto} of UDP (its IP protocol number). */
    int UDP = 17;

    /**
     * Whether the guest's IPv4 destination {@code dst} (host order), port {@code port} of
     * protocol {@code proto} ({@link #TCP}, {@link #UDP}; {@link #ECHO} with port 0) leads anywhere.
     */
    boolean reaches(int proto, int dst, int port);

    /** The host-side address for a destination {@link #reaches} accepted. */
    InetSocketAddress target(int proto, int dst, int port);

    /** Whether an IPv6 destination leads anywhere; by default none does. */
    default boolean reaches6(int proto, long dstHigh, long dstLow, int port) {
        return false;
    }

    /** The host-side address for an IPv6 destination {@link #reaches6} accepted. */
    default InetSocketAddress target6(int proto, long dstHigh, long dstLow, int port) {
        throw new IllegalStateException("no IPv6 destination is redirected");
    }
}
