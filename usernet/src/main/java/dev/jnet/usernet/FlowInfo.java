package dev.jnet.usernet;

import dev.jnet.net.IpAddress;
import dev.jnet.usernet.wire.Inany;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;

/**
 * One flow the stack holds for its guest, as the API's {@code list_connections} shows it: the
 * guest's end, the remote end as the guest addressed it, and what went each way.
 *
 * @param proto            "tcp", "udp" or "icmp"
 * @param guestAddr        the guest's address
 * @param guestPort        the guest's port (ICMP: the echo identifier)
 * @param remoteAddr       the address the guest talks to (10.0.2.2 for the host's loopback)
 * @param remotePort       its port (ICMP: 0)
 * @param state            TCP's state (ESTABLISHED, ...); "open" for UDP and ICMP flows
 * @param bytesFromGuest   payload bytes from the guest (TCP: in order, handed to the host)
 * @param bytesToGuest     payload bytes to the guest (TCP: acknowledged by the guest)
 * @param packetsFromGuest packets from the guest
 * @param packetsToGuest   packets to the guest
 * @param ageMillis        time since the flow was made
 */
public record FlowInfo(String proto, String guestAddr, int guestPort, String remoteAddr, int remotePort,
        String state, long bytesFromGuest, long bytesToGuest, long packetsFromGuest, long packetsToGuest,
        long ageMillis) {

    /** An address of a connection's four-tuple as text: IPv4 in the low 32 bits, or IPv6 as two longs. */
    public static String address(boolean v6, long high, long low) {
        return v6 ? IpAddress.of(Ipv6Packet.toInetAddress(high, low)).toString() : Ipv4Packet.addressToString((int) low);
    }

    /** An {@link Inany} address as text (IPv4-mapped ones as IPv4). */
    public static String inany(long high, long low) {
        return Inany.isV4(high, low) ? Ipv4Packet.addressToString(Inany.v4(low)) : address(true, high, low);
    }
}
