package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * View over a UDP datagram (RFC 768). The datagram is bounded by its length field; wrap the IP
 * payload. Checksums include the IPv4 or IPv6 pseudo-header; over IPv4 a zero checksum means
 * "none", over IPv6 it is invalid (RFC 8200 section 8.1).
 */
public final class UdpDatagram extends PacketView {
    /** Header length. */
    public static final int HEADER_LENGTH = 8;

    /** Points this view at {@code buf[offset, offset + length)}. */
    public UdpDatagram wrap(ByteBuf buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /** Requires 8 &le; length field &le; region length. */
    @Override
    public boolean check() {
        return buf != null && length >= HEADER_LENGTH && lengthFieldValid();
    }

    private boolean lengthFieldValid() {
        int l = udpLength();
        return l >= HEADER_LENGTH && l <= length;
    }

    /** @return source port */
    public int srcPort() {
        return u16(0);
    }

    /** @return destination port */
    public int dstPort() {
        return u16(2);
    }

    /** @return the length field (header plus data) */
    public int udpLength() {
        return u16(4);
    }

    /** @return checksum field */
    public int checksum() {
        return u16(6);
    }

    /** @return absolute index of the data */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** @return data length (from the length field) */
    public int payloadLength() {
        return udpLength() - HEADER_LENGTH;
    }

    /**
     * Strict verification against a pseudo-header sum (a zero checksum field fails unless the
     * datagram really sums to it, which it cannot: a computed zero is sent as 0xffff).
     */
    public boolean verifyChecksum(long pseudoHeaderSum) {
        if (checksum() == 0 || !lengthFieldValid()) {
            return false;
        }
        return InternetChecksum.verifies(
                pseudoHeaderSum + InternetChecksum.sum(buf, offset, udpLength()));
    }

    /** Verification over IPv4: a zero checksum field means "no checksum" and is accepted. */
    public boolean verifyChecksumIpv4(int src, int dst) {
        if (!lengthFieldValid()) {
            return false;
        }
        if (checksum() == 0) {
            return true;
        }
        return verifyChecksum(
                InternetChecksum.pseudoHeaderV4(src, dst, Ipv4Packet.PROTO_UDP, udpLength()));
    }

    /** Verification over IPv6 (zero checksum rejected). */
    public boolean verifyChecksumIpv6(Ipv6Packet ip) {
        return verifyChecksum(ip.pseudoHeaderSum(Ipv4Packet.PROTO_UDP, udpLength()));
    }

    /** Computes and stores the checksum (a computed 0 is stored as 0xffff). Call last. */
    public UdpDatagram fillChecksum(long pseudoHeaderSum) {
        if (!lengthFieldValid()) {
            throw new IllegalStateException("UDP length field " + udpLength()
                    + " does not fit the region of " + length + " bytes");
        }
        setU16(6, 0);
        int c = InternetChecksum.finish(
                pseudoHeaderSum + InternetChecksum.sum(buf, offset, udpLength()));
        setU16(6, c == 0 ? 0xffff : c);
        return this;
    }

    /** Fills the checksum for IPv4. */
    public UdpDatagram fillChecksumIpv4(int src, int dst) {
        return fillChecksum(
                InternetChecksum.pseudoHeaderV4(src, dst, Ipv4Packet.PROTO_UDP, udpLength()));
    }

    /** Fills the checksum for IPv6. */
    public UdpDatagram fillChecksumIpv6(Ipv6Packet ip) {
        return fillChecksum(ip.pseudoHeaderSum(Ipv4Packet.PROTO_UDP, udpLength()));
    }

    /** Sets the source port. */
    public UdpDatagram setSrcPort(int port) {
        setU16(0, port);
        return this;
    }

    /** Sets the destination port. */
    public UdpDatagram setDstPort(int port) {
        setU16(2, port);
        return this;
    }

    /** Sets the length field. */
    public UdpDatagram setUdpLength(int len) {
        setU16(4, len);
        return this;
    }

    /** Sets the checksum field verbatim. */
    public UdpDatagram setChecksum(int checksum) {
        setU16(6, checksum);
        return this;
    }

    /** Writes a header (checksum 0) at {@code index}; returns {@link #HEADER_LENGTH}. */
    public static int emitHeader(ByteBuf buf, int index, int srcPort, int dstPort,
            int payloadLength) {
        buf.setShort(index, srcPort);
        buf.setShort(index + 2, dstPort);
        buf.setShort(index + 4, HEADER_LENGTH + payloadLength);
        buf.setShort(index + 6, 0);
        return HEADER_LENGTH;
    }

    @Override
    public String toString() {
        if (!check()) {
            return "UdpDatagram[invalid, length=" + length + "]";
        }
        return "UdpDatagram[" + srcPort() + " > " + dstPort() + " len=" + udpLength() + "]";
    }
}
