package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * View over an ICMPv6 message (RFC 4443): type, code, checksum (with the IPv6 pseudo-header),
 * 4 message-specific bytes (echo identifier/sequence, MTU, pointer, NDP flags), body. All
 * defined messages are at least 8 bytes, which {@link #check()} requires. The checksum covers the
 * whole wrapped region, so wrap exactly the upper-layer payload.
 */
public final class Icmpv6Packet extends PacketView {
    /** Minimum length (type, code, checksum, 4 message bytes). */
    public static final int HEADER_LENGTH = 8;
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

    @Override
    public boolean check() {
        return buf != null && length >= HEADER_LENGTH;
    }

    /** @return type */
    public int type() {
        return u8(0);
    }

    /** @return code */
    public int code() {
        return u8(1);
    }

    /** @return checksum field */
    public int checksum() {
        return u16(2);
    }

    /** @return echo identifier */
    public int echoIdentifier() {
        return u16(4);
    }

    /** @return echo sequence number */
    public int echoSequence() {
        return u16(6);
    }

    /** @return the 4 message-specific bytes as an int */
    public int messageWord() {
        return i32(4);
    }

    /** @return absolute index of the body after the 8 bytes */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** @return body length */
    public int payloadLength() {
        return length - HEADER_LENGTH;
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

    /** Sets the type. */
    public Icmpv6Packet setType(int type) {
        setU8(0, type);
        return this;
    }

    /** Sets the code. */
    public Icmpv6Packet setCode(int code) {
        setU8(1, code);
        return this;
    }

    /** Sets the checksum field verbatim. */
    public Icmpv6Packet setChecksum(int checksum) {
        setU16(2, checksum);
        return this;
    }

    /** Sets the echo identifier. */
    public Icmpv6Packet setEchoIdentifier(int id) {
        setU16(4, id);
        return this;
    }

    /** Sets the echo sequence number. */
    public Icmpv6Packet setEchoSequence(int seq) {
        setU16(6, seq);
        return this;
    }

    /** Sets the 4 message-specific bytes. */
    public Icmpv6Packet setMessageWord(int value) {
        setI32(4, value);
        return this;
    }

    @Override
    public String toString() {
        if (!check()) {
            return "Icmpv6Packet[invalid, length=" + length + "]";
        }
        return "Icmpv6Packet[type=" + type() + " code=" + code() + " len=" + length + "]";
    }
}
