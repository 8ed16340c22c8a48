package dev.jnet.usernet.nat;

import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.PastaAddresses;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Where a guest's packet to a given destination goes on the host side, as slirp4netns does
 * it: the gateway (.2) is the host's 127.0.0.1 (unless host loopback is disabled), the DNS
 * address (.3) is the DNS forwarder (UDP/TCP port 53 only), any other address of the guest's
 * subnet is unreachable, and everything outside it is itself. With IPv6 on, the same for
 * prefix::2 (the host's ::1) and prefix::3 (DNS, forwarded to the IPv4 or IPv6 resolvers).
 * With pasta's address plan ({@link UsernetConfig#pasta()}) as pasta does it: the gateway is
 * itself when it does not reach the host's loopback (--no-map-gw), the --map-guest-addr address
 * is the host's own address, and the subnet's other addresses are themselves on the host side
 * (the guest shares the host's subnet).
 */
public final class AddressMap {
    /** What a destination maps to. */
    public enum Kind {
        /** a real host-side address: connect or send there */
        HOST,
        /** the stack's DNS forwarder */
        DNS,
        /** nothing: refuse (TCP RST) or report unreachable (ICMP) */
        UNREACHABLE
    }

    private static final int LOOPBACK = 0x7F00_0001;

    private final UsernetConfig config;
    /** null: destinations are themselves */
    private final HostRedirect redirect;

    public AddressMap(UsernetConfig config) {
        this(config, null);
    }

    /** With {@code redirect} (may be null) deciding where destinations outside the stack's own addresses go. */
    public AddressMap(UsernetConfig config, HostRedirect redirect) {
        this.config = config;
        this.redirect = redirect;
    }

    /**
     * What a packet from the guest to {@code dst:port} of protocol {@code proto} maps to
     * ({@link HostRedirect#TCP}, {@link HostRedirect#UDP}, {@link HostRedirect#ECHO} with port 0).
     */
    public Kind classify(int proto, int dst, int port) {
        PastaAddresses pasta = config.pasta();
        if (dst == config.gateway()) {
            if (pasta != null && pasta.dnsForward() == dst && port == 53 && config.dns()) {
                return Kind.DNS; // pasta's loopback resolver at the gateway (PastaAddresses)
            }
            return config.hostLoopback() || pasta != null ? Kind.HOST : Kind.UNREACHABLE;
        }
        if (dst == config.dnsAddress() && dst != 0) {
            return config.dns() && port == 53 ? Kind.DNS : Kind.UNREACHABLE;
        }
        if (pasta != null && (pasta.isMappedGuestAddr(dst) || (config.inSubnet(dst) && dst != pasta.guest()
                && dst != config.network() && dst != config.broadcast()))) {
            return Kind.HOST;
        }
        if (config.inSubnet(dst) || (dst >>> 24) == 127 || dst == 0 || (dst >>> 28) >= 0xE) {
            // the guest's own subnet, loopback, "this host", multicast and reserved
            return Kind.UNREACHABLE;
        }
        if (redirect != null && !redirect.reaches(proto, dst, port)) {
            return Kind.UNREACHABLE;
        }
        return Kind.HOST;
    }

    /** Whether the destination is the gateway (.2, or prefix::2 with IPv6 on). */
    public boolean isGateway(boolean v6, long dstHigh, long dstLow) {
        if (v6) {
            return config.ipv6() != null && config.ipv6().isGateway(dstHigh, dstLow);
        }
        return (int) dstLow == config.gateway();
    }

    /** The host-side IPv4 address for a {@link Kind#HOST} destination. */
    public int hostAddress(int dst) {
        if (dst == config.gateway() && config.hostLoopback()) {
            return LOOPBACK;
        }
        if (redirect != null && dst != config.gateway()) {
            return LOOPBACK; // ICMP echo to a redirected host: the loopback answers
        }
        PastaAddresses pasta = config.pasta();
        return pasta != null && pasta.isMappedGuestAddr(dst) ? pasta.hostAddress() : dst;
    }

    /** {@link #hostAddress} as an {@link InetAddress}. */
    public InetAddress hostInetAddress(int dst) {
        return Ipv4Packet.toInetAddress(hostAddress(dst));
    }

    /** What an IPv6 packet from the guest to {@code dstHigh:dstLow} port {@code port} maps to. */
    public Kind classify6(int proto, long dstHigh, long dstLow, int port) {
        Ipv6Config v6 = config.ipv6();
        if (v6 == null) {
            return Kind.UNREACHABLE;
        }
        if (v6.isGateway(dstHigh, dstLow)) {
            // pasta's --no-map-gw: the gateway is the real one, reached as itself
            return config.hostLoopback() || v6.isPasta() ? Kind.HOST : Kind.UNREACHABLE;
        }
        if (v6.isDns(dstHigh, dstLow)) {
            return config.dns() && port == 53 ? Kind.DNS : Kind.UNREACHABLE;
        }
        if (v6.isNeighbour(dstHigh, dstLow)) {
            return redirect == null || redirect.reaches6(proto, dstHigh, dstLow, port) ? Kind.HOST : Kind.UNREACHABLE;
        }
        if (v6.inPrefix(dstHigh, dstLow)
                || (dstHigh == 0 && (dstLow == 0 || dstLow == 1))          // :: and ::1
                || (dstHigh >>> 56) == 0xff                                 // multicast
                || (dstHigh >>> 54) == (0xfe80L >>> 6)                      // link-local fe80::/10
                || (dstHigh == 0 && (dstLow >>> 32) == 0xffffL)) {          // IPv4-mapped
            return Kind.UNREACHABLE;
        }
        if (redirect != null && !redirect.reaches6(proto, dstHigh, dstLow, port)) {
            return Kind.UNREACHABLE;
        }
        return Kind.HOST;
    }

    /** The host-side address for a {@link Kind#HOST} IPv6 destination: ::1 for the gateway (host loopback on). */
    public InetAddress hostInetAddress6(long dstHigh, long dstLow) {
        Ipv6Config v6 = config.ipv6();
        if (v6 != null && v6.isGateway(dstHigh, dstLow) && config.hostLoopback() || redirect != null) {
            return Ipv6Packet.toInetAddress(0, 1);
        }
        return Ipv6Packet.toInetAddress(dstHigh, dstLow);
    }

    /** Where a new TCP or UDP flow to the {@link Kind#HOST} destination {@code dst:port} connects on the host side. */
    public InetSocketAddress hostSocketAddress(int proto, int dst, int port) {
        if (redirect != null && dst != config.gateway()) {
            return redirect.target(proto, dst, port);
        }
        return new InetSocketAddress(hostInetAddress(dst), port);
    }

    /** {@link #hostSocketAddress} for an IPv6 destination. */
    public InetSocketAddress hostSocketAddress6(int proto, long dstHigh, long dstLow, int port) {
        Ipv6Config v6 = config.ipv6();
        if (redirect != null && !(v6 != null && v6.isGateway(dstHigh, dstLow))) {
            return redirect.target6(proto, dstHigh, dstLow, port);
        }
        return new InetSocketAddress(hostInetAddress6(dstHigh, dstLow), port);
    }
}
