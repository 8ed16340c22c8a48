package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * View over an Ethernet II frame (no 802.1Q tag handling, no FCS): destination MAC, source MAC,
 * EtherType, payload. MAC addresses are handled as the low 48 bits of a {@code long}.
 */
public final class EthernetFrame extends PacketView {
    /** Header length: 6 + 6 + 2. */
    public static final int HEADER_LENGTH = 14;
    /** EtherType IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** EtherType ARP. */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** EtherType IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** The broadcast MAC ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    /** Points this view at {@code buf[offset, offset + length)}. */
    public EthernetFrame wrap(ByteBuf buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /** Points this view at the readable bytes of {@code buf}. */
    public EthernetFrame wrap(ByteBuf buf) {
        return wrap(buf, buf.readerIndex(), buf.readableBytes());
    }

    @Override
    public boolean check() {
        return buf != null && length >= HEADER_LENGTH;
    }

    /** @return destination MAC in the low 48 bits */
    public long dst() {
        return getMac(buf, offset);
    }

    /** @return source MAC in the low 48 bits */
    public long src() {
        return getMac(buf, offset + 6);
    }

    /** Copies the destination MAC into {@code out[outOffset, outOffset + 6)}. */
    public void dst(byte[] out, int outOffset) {
        buf.getBytes(offset, out, outOffset, 6);
    }

    /** Copies the source MAC into {@code out[outOffset, outOffset + 6)}. */
    public void src(byte[] out, int outOffset) {
        buf.getBytes(offset + 6, out, outOffset, 6);
    }

    /** @return the EtherType */
    public int etherType() {
        return u16(12);
    }

    /** @return whether the destination is the broadcast address */
    public boolean isBroadcast() {
        return dst() == BROADCAST;
    }

    /** @return whether the destination is a group (multicast or broadcast) address */
    public boolean isMulticast() {
        return (u8(0) & 1) != 0;
    }

    /** @return absolute index of the payload */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** @return payload length (may include padding to the 60-byte minimum) */
    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Sets the destination MAC. */
    public EthernetFrame setDst(long mac) {
        setMac(buf, offset, mac);
        return this;
    }

    /** Sets the source MAC. */
    public EthernetFrame setSrc(long mac) {
        setMac(buf, offset + 6, mac);
        return this;
    }

    /** Sets the EtherType. */
    public EthernetFrame setEtherType(int type) {
        setU16(12, type);
        return this;
    }

    /** Writes a complete header at {@code index} of {@code buf}; returns {@link #HEADER_LENGTH}. */
    public static int emitHeader(ByteBuf buf, int index, long dst, long src, int etherType) {
        setMac(buf, index, dst);
        setMac(buf, index + 6, src);
        buf.setShort(index + 12, etherType);
        return HEADER_LENGTH;
    }

    /** Reads a 6-byte MAC at absolute {@code index}. */
    public static long getMac(ByteBuf buf, int index) {
        return ((long) buf.getUnsignedShort(index) << 32) | buf.getUnsignedInt(index + 2);
    }

    /** Writes a 6-byte MAC at absolute {@code index}. */
    public static void setMac(ByteBuf buf, int index, long mac) {
        buf.setShort(index, (int) (mac >>> 32));
        buf.setInt(index + 2, (int) mac);
    }

    /** @return the MAC as {@code aa:bb:cc:dd:ee:ff} (for logging and tests) */
    public static String macToString(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (mac >>> shift) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        if (!check()) {
            return "EthernetFrame[invalid, length=" + length + "]";
        }
        return "EthernetFrame[" + macToString(src()) + " > " + macToString(dst())
                + String.format(" type=0x%04x", etherType()) + " len=" + length + "]";
    }
}
