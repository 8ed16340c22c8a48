package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * View over an Ethernet/IPv4 ARP packet (RFC 826): 28 bytes. Hardware addresses are the low 48
 * bits of a {@code long}, protocol addresses an {@code int}.
 */
public final class ArpPacket extends PacketView {
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;
    /** Hardware type Ethernet. */
    public static final int HTYPE_ETHERNET = 1;
    /** Operation: request. */
    public static final int OP_REQUEST = 1;
    /** Operation: reply. */
    public static final int OP_REPLY = 2;

    /** Points this view at {@code buf[offset, offset + length)}. */
    public ArpPacket wrap(ByteBuf buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /** Points this view at the readable bytes of {@code buf}. */
    public ArpPacket wrap(ByteBuf buf) {
        return wrap(buf, buf.readerIndex(), buf.readableBytes());
    }

    /** Also requires hardware type Ethernet, protocol IPv4 and address lengths 6/4. */
    @Override
    public boolean check() {
        return buf != null && length >= LENGTH
                && hardwareType() == HTYPE_ETHERNET
                && protocolType() == EthernetFrame.ETHERTYPE_IPV4
                && hardwareLength() == 6 && protocolLength() == 4;
    }

    /** @return hardware type */
    public int hardwareType() {
        return u16(0);
    }

    /** @return protocol type */
    public int protocolType() {
        return u16(2);
    }

    /** @return hardware address length */
    public int hardwareLength() {
        return u8(4);
    }

    /** @return protocol address length */
    public int protocolLength() {
        return u8(5);
    }

    /** @return operation */
    public int operation() {
        return u16(6);
    }

    /** @return sender hardware address */
    public long senderHardwareAddress() {
        return EthernetFrame.getMac(buf, offset + 8);
    }

    /** @return sender protocol address */
    public int senderProtocolAddress() {
        return i32(14);
    }

    /** @return target hardware address */
    public long targetHardwareAddress() {
        return EthernetFrame.getMac(buf, offset + 18);
    }

    /** @return target protocol address */
    public int targetProtocolAddress() {
        return i32(24);
    }

    /** Sets the operation. */
    public ArpPacket setOperation(int op) {
        setU16(6, op);
        return this;
    }

    /** Sets the sender hardware address. */
    public ArpPacket setSenderHardwareAddress(long mac) {
        EthernetFrame.setMac(buf, offset + 8, mac);
        return this;
    }

    /** Sets the sender protocol address. */
    public ArpPacket setSenderProtocolAddress(int ip) {
        setI32(14, ip);
        return this;
    }

    /** Sets the target hardware address. */
    public ArpPacket setTargetHardwareAddress(long mac) {
        EthernetFrame.setMac(buf, offset + 18, mac);
        return this;
    }

    /** Sets the target protocol address. */
    public ArpPacket setTargetProtocolAddress(int ip) {
        setI32(24, ip);
        return this;
    }

    /**
     * Writes a complete Ethernet/IPv4 ARP packet at {@code index}; returns {@link #LENGTH}.
     */
    public static int emit(ByteBuf buf, int index, int operation, long senderMac, int senderIp,
            long targetMac, int targetIp) {
        buf.setShort(index, HTYPE_ETHERNET);
        buf.setShort(index + 2, EthernetFrame.ETHERTYPE_IPV4);
        buf.setByte(index + 4, 6);
        buf.setByte(index + 5, 4);
        buf.setShort(index + 6, operation);
        EthernetFrame.setMac(buf, index + 8, senderMac);
        buf.setInt(index + 14, senderIp);
        EthernetFrame.setMac(buf, index + 18, targetMac);
        buf.setInt(index + 24, targetIp);
        return LENGTH;
    }

    /**
     * Writes at {@code index} of {@code out} the reply to this (checked) request: "the target
     * protocol address of the request is at {@code ourMac}", addressed to the requester.
     *
     * @return {@link #LENGTH}
     */
    public int emitReply(ByteBuf out, int index, long ourMac) {
        // read everything first: out may be the same region as this request
        long requesterMac = senderHardwareAddress();
        int requesterIp = senderProtocolAddress();
        int ourIp = targetProtocolAddress();
        return emit(out, index, OP_REPLY, ourMac, ourIp, requesterMac, requesterIp);
    }

    @Override
    public String toString() {
        if (!check()) {
            return "ArpPacket[invalid, length=" + length + "]";
        }
        return "ArpPacket[op=" + operation()
                + " sha=" + EthernetFrame.macToString(senderHardwareAddress())
                + " spa=" + Ipv4Packet.addressToString(senderProtocolAddress())
                + " tha=" + EthernetFrame.macToString(targetHardwareAddress())
                + " tpa=" + Ipv4Packet.addressToString(targetProtocolAddress()) + "]";
    }
}
