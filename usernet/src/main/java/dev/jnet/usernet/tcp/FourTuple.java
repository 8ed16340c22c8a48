package dev.jnet.usernet.tcp;

import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;

/**
 * A connection's addresses, either family, as the {@link ConnectionTable} keys them: two longs
 * per side plus the family, IPv4 in the low 32 bits, so a lookup allocates nothing.
 */
abstract class FourTuple extends ConnectionList.Node {
    /** IPv6 connection; else IPv4, whose addresses are the low 32 bits ({@link #guestAddr}) */
    final boolean v6;
    final long guestHigh;
    final long guestLow;
    final long remoteHigh;
    final long remoteLow;
    /** IPv4 addresses (the low 32 bits of the longs), for the IPv4 segment path */
    final int guestAddr;
    final int remoteAddr;
    final int guestPort;
    final int remotePort;
    final int hash;

    FourTuple(boolean v6, long guestHigh, long guestLow, int guestPort, long remoteHigh, long remoteLow,
            int remotePort) {
        this.v6 = v6;
        this.guestHigh = guestHigh;
        this.guestLow = guestLow;
        this.remoteHigh = remoteHigh;
        this.remoteLow = remoteLow;
        this.guestAddr = (int) guestLow;
        this.remoteAddr = (int) remoteLow;
        this.guestPort = guestPort;
        this.remotePort = remotePort;
        this.hash = ConnectionTable.hash(v6, guestHigh, guestLow, guestPort, remoteHigh, remoteLow, remotePort);
    }

    /** {@code guest:port > remote:port}, for diagnostics. */
    String endpoints() {
        return address(guestHigh, guestLow) + ":" + guestPort + " > " + address(remoteHigh, remoteLow) + ":"
                + remotePort;
    }

    private String address(long high, long low) {
        return v6 ? "[" + Ipv6Packet.toInetAddress(high, low).getHostAddress() + "]"
                : Ipv4Packet.addressToString((int) low);
    }
}
