package dev.jnet.usernet.udp;

import dev.jnet.usernet.wire.PacketView;
import dev.jnet.usernet.wire.UdpDatagram;

/**
 * A service the gateway itself answers over UDP (DHCP, DHCPv6): it sees the guest's checked
 * datagrams before the NAT routes them.
 *
 * @param <P> the IP packet view (IPv4 or IPv6)
 */
@FunctionalInterface
public interface GatewayService<P extends PacketView> {
    /**
     * @param udp the checked datagram of {@code ip}; both valid during the call only
     * @return whether the datagram was the service's (consumed, answered or not)
     */
    boolean serve(P ip, UdpDatagram udp);
}
