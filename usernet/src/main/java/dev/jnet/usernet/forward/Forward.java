package dev.jnet.usernet.forward;

import dev.jnet.usernet.wire.Inany;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.channel.Channel;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/** One forward of {@link PortForwarding}: its spec, its host socket, and (UDP) its clients' flows. */
final class Forward {
    final HostForward spec;
    final boolean guestV6;
    /** The guest's address as the TCP stack keys it: IPv6 halves, or 0 and the IPv4 address. */
    final long guestHigh;
    final long guestLow;
    /** The IPv4 guest address (an IPv4 forward's), else 0 */
    final int guestAddr;
    /** UDP: the flow of each client */
    final Map<InetSocketAddress, UdpForwards.Flow> clients = new HashMap<>();
    int id;
    Channel channel;
    boolean closed;

    Forward(HostForward spec) {
        this.spec = spec;
        if (spec.guestAddr() instanceof Inet6Address g6) {
            long[] hl = ForwardSources.halves(g6);
            guestV6 = true;
            guestHigh = hl[0];
            guestLow = hl[1];
            guestAddr = 0;
        } else {
            guestV6 = false;
            guestAddr = Ipv4Packet.fromInetAddress((Inet4Address) spec.guestAddr());
            guestHigh = 0;
            guestLow = guestAddr & 0xFFFF_FFFFL;
        }
    }

    /** The guest's address as {@link Inany}: IPv4-mapped for an IPv4 guest. */
    long guestInanyHigh() {
        return guestV6 ? guestHigh : Inany.V4_HIGH;
    }

    long guestInanyLow() {
        return guestV6 ? guestLow : Inany.v4Low(guestAddr);
    }
}
