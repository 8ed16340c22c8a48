package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * View over an IPv4 packet (RFC 791). Options are not parsed; they are skipped by IHL. The
 * payload is bounded by the total-length field, not by the region (which may carry link-layer
 * padding).
 */
public final class Ipv4Packet extends PacketView {
    /** Minimum header length (IHL 5). */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Protocol ICMP. */
    public static final int PROTO_ICMP = 1;
    /** Protocol TCP. */
    public static final int PROTO_TCP = 6;
    /** Protocol UDP. */
    public static final int PROTO_UDP = 17;
    /** Protocol ICMPv6 (IPv6 next header). */
    public static final int PROTO_ICMPV6 = 58;
    /** Flag bit "don't fragment" (in {@link #flags()}). */
    public static final int FLAG_DF = 0b010;
    /** Flag bit "more fragments" (in {@link #flags()}). */
    public static final int FLAG_MF = 0b001;

    /** Points this view at {@code buf[offset, offset + length)}. */
    public Ipv4Packet wrap(ByteBuf buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /** Points this view at the readable bytes of {@code buf}. */
    public Ipv4Packet wrap(ByteBuf buf) {
        return wrap(buf, buf.readerIndex(), buf.readableBytes());
    }

    /**
     * Requires version 4, IHL &ge; 5, header length &le; total length &le; region length. The
     * header checksum is checked separately by {@link #verifyChecksum()}.
     */
    @Override
    public boolean check() {
        if (buf == null || length < MIN_HEADER_LENGTH || version() != 4) {
            return false;
        }
        int hl = headerLength();
        int tl = totalLength();
        return hl >= MIN_HEADER_LENGTH && hl <= tl && tl <= length;
    }

    /** @return version (4) */
    public int version() {
        return u8(0) >>> 4;
    }

    /** @return IHL in 32-bit words */
    public int ihl() {
        return u8(0) & 0xf;
    }

    /** @return header length in bytes (IHL * 4) */
    public int headerLength() {
        return ihl() * 4;
    }

    /** @return DSCP (6 bits) */
    public int dscp() {
        return u8(1) >>> 2;
    }

    /** @return ECN (2 bits) */
    public int ecn() {
        return u8(1) & 0b11;
    }

    /** @return total length of header plus payload */
    public int totalLength() {
        return u16(2);
    }

    /** @return identification */
    public int identification() {
        return u16(4);
    }

    /** @return the 3 flag bits (reserved, DF, MF) */
    public int flags() {
        return u8(6) >>> 5;
    }

    /** @return whether DF is set */
    public boolean dontFragment() {
        return (flags() & FLAG_DF) != 0;
    }

    /** @return whether MF is set */
    public boolean moreFragments() {
        return (flags() & FLAG_MF) != 0;
    }

    /** @return fragment offset in 8-byte units */
    public int fragmentOffset() {
        return u16(6) & 0x1fff;
    }

    /** @return whether this packet is a fragment (MF set or non-zero offset) */
    public boolean isFragment() {
        return (u16(6) & 0x3fff) != 0;
    }

    /** @return time to live */
    public int ttl() {
        return u8(8);
    }

    /** @return protocol */
    public int protocol() {
        return u8(9);
    }

    /** @return header checksum field */
    public int checksum() {
        return u16(10);
    }

    /** @return source address */
    public int src() {
        return i32(12);
    }

    /** @return destination address */
    public int dst() {
        return i32(16);
    }

    /** @return absolute index of the payload (after options) */
    public int payloadOffset() {
        return offset + headerLength();
    }

    /** @return payload length (total length minus header length) */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** @return whether the header checksum (over IHL * 4 bytes) is correct */
    public boolean verifyChecksum() {
        int hl = headerLength();
        if (hl < MIN_HEADER_LENGTH || hl > length) {
            return false; // IHL changed since check(): never read outside the region
        }
        return InternetChecksum.verifies(InternetChecksum.sum(buf, offset, headerLength()));
    }

    /** Computes and stores the header checksum (call after all other header fields are set). */
    public Ipv4Packet fillChecksum() {
        int hl = headerLength();
        if (hl < MIN_HEADER_LENGTH || hl > length) {
            throw new IllegalStateException("IHL " + ihl() + " does not fit the region of "
                    + length + " bytes");
        }
        setU16(10, 0);
        setU16(10, InternetChecksum.compute(buf, offset, headerLength()));
        return this;
    }

    /** @return the pseudo-header sum for the upper layer (this packet's protocol and payload) */
    public long pseudoHeaderSum() {
        return InternetChecksum.pseudoHeaderV4(src(), dst(), protocol(), payloadLength());
    }

    /** Sets version 4 and the IHL (in 32-bit words). */
    public Ipv4Packet setVersionAndIhl(int ihl) {
        setU8(0, 0x40 | (ihl & 0xf));
        return this;
    }

    /** Sets DSCP and ECN. */
    public Ipv4Packet setDscpEcn(int dscp, int ecn) {
        setU8(1, ((dscp & 0x3f) << 2) | (ecn & 0b11));
        return this;
    }

    /** Sets the total length. */
    public Ipv4Packet setTotalLength(int totalLength) {
        setU16(2, totalLength);
        return this;
    }

    /** Sets the identification. */
    public Ipv4Packet setIdentification(int id) {
        setU16(4, id);
        return this;
    }

    /** Sets the flags (3 bits) and fragment offset (8-byte units). */
    public Ipv4Packet setFlagsAndFragmentOffset(int flags, int fragmentOffset) {
        setU16(6, ((flags & 0b111) << 13) | (fragmentOffset & 0x1fff));
        return this;
    }

    /** Sets the TTL. */
    public Ipv4Packet setTtl(int ttl) {
        setU8(8, ttl);
        return this;
    }

    /** Sets the protocol. */
    public Ipv4Packet setProtocol(int protocol) {
        setU8(9, protocol);
        return this;
    }

    /** Sets the checksum field verbatim. */
    public Ipv4Packet setChecksum(int checksum) {
        setU16(10, checksum);
        return this;
    }

    /** Sets the source address. */
    public Ipv4Packet setSrc(int src) {
        setI32(12, src);
        return this;
    }

    /** Sets the destination address. */
    public Ipv4Packet setDst(int dst) {
        setI32(16, dst);
        return this;
    }

    /**
     * Writes a 20-byte header without options (DF set, DSCP/ECN 0) including its checksum at
     * {@code index}; returns {@link #MIN_HEADER_LENGTH}.
     */
    public static int emitHeader(ByteBuf buf, int index, int src, int dst, int protocol, int ttl,
            int identification, int payloadLength) {
        buf.setByte(index, 0x45);
        buf.setByte(index + 1, 0);
        buf.setShort(index + 2, MIN_HEADER_LENGTH + payloadLength);
        buf.setShort(index + 4, identification);
        buf.setShort(index + 6, FLAG_DF << 13);
        buf.setByte(index + 8, ttl);
        buf.setByte(index + 9, protocol);
        buf.setShort(index + 10, 0);
        buf.setInt(index + 12, src);
        buf.setInt(index + 16, dst);
        buf.setShort(index + 10, InternetChecksum.compute(buf, index, MIN_HEADER_LENGTH));
        return MIN_HEADER_LENGTH;
    }

    /** @return dotted-quad form of an address (for logging and tests) */
    public static String addressToString(int addr) {
        return (addr >>> 24) + "." + ((addr >>> 16) & 0xff) + "." + ((addr >>> 8) & 0xff) + "."
                + (addr & 0xff);
    }

    /** @return the address as an {@link Inet4Address} (allocates; not for the hot path) */
    public static Inet4Address toInetAddress(int addr) {
        byte[] b = {(byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the address as an int */
    public static int fromInetAddress(Inet4Address addr) {
        byte[] b = addr.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    @Override
    public String toString() {
        if (!check()) {
            return "Ipv4Packet[invalid, length=" + length + "]";
        }
        return "Ipv4Packet[" + addressToString(src()) + " > " + addressToString(dst())
                + " proto=" + protocol() + " ttl=" + ttl() + " id=" + identification()
                + " len=" + totalLength() + (isFragment() ? " frag" : "") + "]";
    }
}
