package dev.jnet.usernet.nat;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.wire.Ipv4Packet;
import java.net.InetAddress;

/**
 * Where a guest's packet to a given destination goes on the host side, as slirp4netns does
 * it: the gateway (.2) is the host's 127.0.0.1 (unless host loopback is disabled), the DNS
 * address (.3) is the DNS forwarder (UDP/TCP port 53 only), any other address of the guest's
 * subnet is unreachable, and everything outside it is itself.
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

    public AddressMap(UsernetConfig config) {
        this.config = config;
    }

    /** What a packet from the guest to {@code dst:port} maps to. */
    public Kind classify(int dst, int port) {
        if (dst == config.gateway()) {
            return config.hostLoopback() ? Kind.HOST : Kind.UNREACHABLE;
        }
        if (dst == config.dnsAddress()) {
            return config.dns() && port == 53 ? Kind.DNS : Kind.UNREACHABLE;
        }
        if (config.inSubnet(dst) || (dst >>> 24) == 127 || dst == 0 || (dst >>> 28) >= 0xE) {
            // the guest's own subnet, loopback, "this host", multicast and reserved
            return Kind.UNREACHABLE;
        }
        return Kind.HOST;
    }

    /** The host-side IPv4 address for a {@link Kind#HOST} destination. */
    public int hostAddress(int dst) {
        return dst == config.gateway() ? LOOPBACK : dst;
    }

    /** {@link #hostAddress} as an {@link InetAddress}. */
    public InetAddress hostInetAddress(int dst) {
        return Ipv4Packet.toInetAddress(hostAddress(dst));
    }
}
