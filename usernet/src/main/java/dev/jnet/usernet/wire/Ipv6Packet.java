package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;
import java.net.Inet6Address;
import java.net.UnknownHostException;

/**
 * View over the IPv6 fixed header (RFC 8200). Extension headers are not chased: {@link
 * #nextHeader()} is reported as is and the payload starts right after the 40-byte header.
 * Addresses are read as two {@code long}s (high and low 64 bits) or copied into a caller's
 * {@code byte[16]}.
 */
public final class Ipv6Packet extends PacketView {
    /** Fixed header length. */
    public static final int HEADER_LENGTH = 40;
    /** Next header: hop-by-hop options. */
    public static final int NH_HOP_BY_HOP = 0;
    /** Next header: TCP. */
    public static final int NH_TCP = 6;
    /** Next header: UDP. */
    public static final int NH_UDP = 17;
    /** Next header: fragment. */
    public static final int NH_FRAGMENT = 44;
    /** Next header: ICMPv6. */
    public static final int NH_ICMPV6 = 58;
    /** Next header: no next header. */
    public static final int NH_NONE = 59;

    /** Points this view at {@code buf[offset, offset + length)}. */
    public Ipv6Packet wrap(ByteBuf buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /** Points this view at the readable bytes of {@code buf}. */
    public Ipv6Packet wrap(ByteBuf buf) {
        return wrap(buf, buf.readerIndex(), buf.readableBytes());
    }

    /** Requires version 6 and 40 + payload length &le; region length (no jumbograms). */
    @Override
    public boolean check() {
        return buf != null && length >= HEADER_LENGTH && version() == 6
                && HEADER_LENGTH + payloadLength() <= length;
    }

    /** @return version (6) */
    public int version() {
        return u8(0) >>> 4;
    }

    /** @return traffic class (8 bits) */
    public int trafficClass() {
        return (u16(0) >>> 4) & 0xff;
    }

    /** @return flow label (20 bits) */
    public int flowLabel() {
        return i32(0) & 0xfffff;
    }

    /** @return payload length */
    public int payloadLength() {
        return u16(4);
    }

    /** @return next header */
    public int nextHeader() {
        return u8(6);
    }

    /** @return hop limit */
    public int hopLimit() {
        return u8(7);
    }

    /** @return high 64 bits of the source address */
    public long srcHigh() {
        return buf.getLong(offset + 8);
    }

    /** @return low 64 bits of the source address */
    public long srcLow() {
        return buf.getLong(offset + 16);
    }

    /** @return high 64 bits of the destination address */
    public long dstHigh() {
        return buf.getLong(offset + 24);
    }

    /** @return low 64 bits of the destination address */
    public long dstLow() {
        return buf.getLong(offset + 32);
    }

    /** Copies the source address into {@code out[outOffset, outOffset + 16)}. */
    public void src(byte[] out, int outOffset) {
        buf.getBytes(offset + 8, out, outOffset, 16);
    }

    /** Copies the destination address into {@code out[outOffset, outOffset + 16)}. */
    public void dst(byte[] out, int outOffset) {
        buf.getBytes(offset + 24, out, outOffset, 16);
    }

    /** @return absolute index of the source address */
    public int srcIndex() {
        return offset + 8;
    }

    /** @return absolute index of the destination address */
    public int dstIndex() {
        return offset + 24;
    }

    /** @return absolute index of the payload (first extension header or upper layer) */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /**
     * @return the pseudo-header sum for an upper-layer protocol {@code nextHeader} of {@code
     *     upperLength} bytes, with this packet's addresses
     */
    public long pseudoHeaderSum(int nextHeader, int upperLength) {
        return InternetChecksum.pseudoHeaderV6(buf, srcIndex(), dstIndex(), nextHeader,
                upperLength);
    }

    /** Sets version 6, traffic class and flow label. */
    public Ipv6Packet setVersionTrafficClassFlowLabel(int trafficClass, int flowLabel) {
        setI32(0, (6 << 28) | ((trafficClass & 0xff) << 20) | (flowLabel & 0xfffff));
        return this;
    }

    /** Sets the payload length. */
    public Ipv6Packet setPayloadLength(int len) {
        setU16(4, len);
        return this;
    }

    /** Sets the next header. */
    public Ipv6Packet setNextHeader(int nh) {
        setU8(6, nh);
        return this;
    }

    /** Sets the hop limit. */
    public Ipv6Packet setHopLimit(int hl) {
        setU8(7, hl);
        return this;
    }

    /** Sets the source address. */
    public Ipv6Packet setSrc(long high, long low) {
        buf.setLong(offset + 8, high);
        buf.setLong(offset + 16, low);
        return this;
    }

    /** Sets the destination address. */
    public Ipv6Packet setDst(long high, long low) {
        buf.setLong(offset + 24, high);
        buf.setLong(offset + 32, low);
        return this;
    }

    /** Sets the source address from {@code addr[addrOffset, addrOffset + 16)}. */
    public Ipv6Packet setSrc(byte[] addr, int addrOffset) {
        buf.setBytes(offset + 8, addr, addrOffset, 16);
        return this;
    }

    /** Sets the destination address from {@code addr[addrOffset, addrOffset + 16)}. */
    public Ipv6Packet setDst(byte[] addr, int addrOffset) {
        buf.setBytes(offset + 24, addr, addrOffset, 16);
        return this;
    }

    /** @return the address as an {@link Inet6Address} (allocates; not for the hot path) */
    public static Inet6Address toInetAddress(long high, long low) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        try {
            // Inet6Address.getByAddress keeps IPv4-mapped addresses as Inet6Address
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        if (!check()) {
            return "Ipv6Packet[invalid, length=" + length + "]";
        }
        return "Ipv6Packet[" + toInetAddress(srcHigh(), srcLow()).getHostAddress() + " > "
                + toInetAddress(dstHigh(), dstLow()).getHostAddress() + " nh=" + nextHeader()
                + " hlim=" + hopLimit() + " plen=" + payloadLength() + "]";
    }
}
