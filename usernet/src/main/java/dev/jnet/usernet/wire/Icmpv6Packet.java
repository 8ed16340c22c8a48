package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * View over an ICMPv6 message (RFC 4443): type, code, checksum (with the IPv6 pseudo-header),
 * 4 message-specific bytes (echo identifier/sequence, MTU, pointer, NDP flags), body. All
 * defined messages are at least 8 bytes, which {@link #check()} requires. The checksum covers the
 * whole wrapped region, so wrap exactly the upper-layer payload.
 */
public final class Icmpv6Packet extends IcmpMessage<Icmpv6Packet> {
    /** Destination unreachable. */
    public static final int TYPE_DEST_UNREACHABLE = 1;
    /** Packet too big. */
    public static final int TYPE_PACKET_TOO_BIG = 2;
    /** Time exceeded. */
    public static final int TYPE_TIME_EXCEEDED = 3;
    /** Echo request. */
    public static final int TYPE_ECHO_REQUEST = 128;
    /** Echo reply. */
    public static final int TYPE_ECHO_REPLY = 129;
    /** NDP router solicitation. */
    public static final int TYPE_ROUTER_SOLICITATION = 133;
    /** NDP router advertisement. */
    public static final int TYPE_ROUTER_ADVERTISEMENT = 134;
    /** NDP neighbor solicitation. */
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    /** NDP neighbor advertisement. */
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;

    /** Points this view at {@code buf[offset, offset + length)}. */
    public Icmpv6Packet wrap(ByteBuf buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /** @return whether the checksum (pseudo-header sum plus whole message) is correct */
    public boolean verifyChecksum(long pseudoHeaderSum) {
        return InternetChecksum.verifies(
                pseudoHeaderSum + InternetChecksum.sum(buf, offset, length));
    }

    /** @return whether the checksum is correct for the addresses of {@code ip} */
    public boolean verifyChecksum(Ipv6Packet ip) {
        return verifyChecksum(ip.pseudoHeaderSum(Ipv6Packet.NH_ICMPV6, length));
    }

    /** Computes and stores the checksum (call last). */
    public Icmpv6Packet fillChecksum(long pseudoHeaderSum) {
        setU16(2, 0);
        setU16(2, InternetChecksum.finish(
                pseudoHeaderSum + InternetChecksum.sum(buf, offset, length)));
        return this;
    }

    /** Fills the checksum for the addresses of {@code ip}. */
    public Icmpv6Packet fillChecksum(Ipv6Packet ip) {
        return fillChecksum(ip.pseudoHeaderSum(Ipv6Packet.NH_ICMPV6, length));
    }

    @Override
    public String toString() {
        if (!check()) {
            return "Icmpv6Packet[invalid, length=" + length + "]";
        }
        return "Icmpv6Packet[type=" + type() + " code=" + code() + " len=" + length + "]";
    }
}
