package dev.jnet.usernet.nat;

import java.net.InetSocketAddress;

/**
 * Where guest traffic to destinations outside the stack's own addresses goes instead of to
 * those destinations themselves: a closed world of chosen hosts, for tests (a fake internet
 * whose hosts are servers on the host's loopback), where nothing else may leave the machine.
 * With a redirect, a destination it does not {@linkplain #reaches reach} is unreachable (TCP
 * RST, ICMP unreachable), and ICMP echo to one it reaches is answered by the host's loopback.
 * The gateway and DNS addresses keep their meaning.
 *
 * <p>{@link #reaches} is asked for every packet of a flow not yet known (no allocation there);
 * {@link #target} once per new flow. Both are called on the stack's thread.
 */
public interface HostRedirect {
    /** Whether the guest's IPv4 destination {@code dst} (host order), port {@code port} (0: ICMP echo) leads anywhere. */
    boolean reaches(int dst, int port);

    /** The host-side address for a destination {@link #reaches} accepted. */
    InetSocketAddress target(int dst, int port);

    /** Whether an IPv6 destination leads anywhere; by default none does. */
    default boolean reaches6(long dstHigh, long dstLow, int port) {
        return false;
    }

    /** The host-side address for an IPv6 destination {@link #reaches6} accepted. */
    default InetSocketAddress target6(long dstHigh, long dstLow, int port) {
        throw new IllegalStateException("no IPv6 destination is redirected");
    }
}
