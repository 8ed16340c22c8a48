package dev.jnet.usernet.icmp6;

import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * ICMPv6 destination unreachable to the guest (RFC 4443 3.1), quoting as much of the offending
 * packet as fits in the IPv6 minimum MTU, sent from the address the guest tried to reach so
 * its socket reports e.g. "Connection refused" or "No route to host". Never about a packet to
 * or from a multicast or unspecified address, nor about an ICMPv6 error (RFC 4443 2.4 e).
 */
public final class Icmpv6Errors {
    public static final int CODE_NO_ROUTE = 0;
    public static final int CODE_ADMIN_PROHIBITED = 1;
    public static final int CODE_ADDRESS_UNREACHABLE = 3;
    public static final int CODE_PORT_UNREACHABLE = 4;
    /** An error message must not make a packet larger than the IPv6 minimum MTU. */
    static final int MIN_MTU = 1280;

    private final Icmpv6Packet icmp = new Icmpv6Packet();

    /** The ICMPv6 code for an ICMPv4 unreachable code (the host sockets report those). */
    public static int fromIcmpv4Code(int code) {
        return switch (code) {
            case 3 -> CODE_PORT_UNREACHABLE;
            case 1 -> CODE_ADDRESS_UNREACHABLE;
            case 13 -> CODE_ADMIN_PROHIBITED;
            default -> CODE_NO_ROUTE;
        };
    }

    /**
     * Sends destination unreachable with {@code code} about the guest's packet {@code original},
     * whose upper-layer protocol {@code nextHeader} starts at {@code transportOffset}.
     *
     * @return whether a message was sent
     */
    public boolean sendUnreachable(Ipv6Output out, Ipv6Packet original, int nextHeader, int transportOffset,
            int code) {
        long dstHigh = original.dstHigh();
        long dstLow = original.dstLow();
        if (!isUnicast(dstHigh, dstLow) || !isUnicast(original.srcHigh(), original.srcLow())) {
            return false;
        }
        if (nextHeader == Ipv6Packet.NH_ICMPV6
                && original.buffer().getUnsignedByte(transportOffset) < Icmpv6Packet.TYPE_ECHO_REQUEST) {
            return false; // an error about an error
        }
        int packetLength = Ipv6Packet.HEADER_LENGTH + original.payloadLength();
        int room = Math.min(MIN_MTU, out.config().mtu()) - Ipv6Packet.HEADER_LENGTH - Icmpv6Packet.HEADER_LENGTH;
        int quoted = Math.min(packetLength, room);
        ByteBuf buf = out.allocate(Icmpv6Packet.HEADER_LENGTH + quoted);
        int start = buf.writerIndex();
        buf.writeByte(Icmpv6Packet.TYPE_DEST_UNREACHABLE).writeByte(code).writeShort(0).writeInt(0);
        buf.writeBytes(original.buffer(), original.offset(), quoted);
        int length = buf.writerIndex() - start;
        icmp.wrap(buf, start, length).fillChecksum(NeighborDiscovery.pseudoHeader(dstHigh, dstLow,
                original.srcHigh(), original.srcLow(), length));
        icmp.clear();
        out.send(buf, dstHigh, dstLow, original.srcHigh(), original.srcLow(), Ipv6Packet.NH_ICMPV6);
        return true;
    }

    /** Not multicast (ff00::/8), not unspecified. */
    static boolean isUnicast(long high, long low) {
        return (high >>> 56) != 0xff && !(high == 0 && low == 0);
    }
}
