package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * View over an ICMPv4 message (RFC 792): type, code, checksum, 4 bytes of rest-of-header (echo
 * identifier and sequence number), data. The checksum covers the whole wrapped region, so wrap
 * exactly the IPv4 payload.
 */
public final class IcmpV4Packet extends PacketView {
    /** Header length (type, code, checksum, rest of header). */
    public static final int HEADER_LENGTH = 8;
    /** Echo reply. */
    public static final int TYPE_ECHO_REPLY = 0;
    /** Destination unreachable. */
    public static final int TYPE_DEST_UNREACHABLE = 3;
    /** Echo request. */
    public static final int TYPE_ECHO_REQUEST = 8;
    /** Time exceeded. */
    public static final int TYPE_TIME_EXCEEDED = 11;

    /** Points this view at {@code buf[offset, offset + length)}. */
    public IcmpV4Packet wrap(ByteBuf buf, int offset, int length) {
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

    /** @return echo identifier (meaningful for echo request/reply) */
    public int echoIdentifier() {
        return u16(4);
    }

    /** @return echo sequence number (meaningful for echo request/reply) */
    public int echoSequence() {
        return u16(6);
    }

    /** @return the 4 rest-of-header bytes as an int */
    public int restOfHeader() {
        return i32(4);
    }

    /** @return absolute index of the data */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** @return data length */
    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** @return whether the checksum over the whole message is correct */
    public boolean verifyChecksum() {
        return InternetChecksum.verifies(InternetChecksum.sum(buf, offset, length));
    }

    /** Computes and stores the checksum over the whole message (call last). */
    public IcmpV4Packet fillChecksum() {
        setU16(2, 0);
        setU16(2, InternetChecksum.compute(buf, offset, length));
        return this;
    }

    /** Sets the type. */
    public IcmpV4Packet setType(int type) {
        setU8(0, type);
        return this;
    }

    /** Sets the code. */
    public IcmpV4Packet setCode(int code) {
        setU8(1, code);
        return this;
    }

    /** Sets the checksum field verbatim. */
    public IcmpV4Packet setChecksum(int checksum) {
        setU16(2, checksum);
        return this;
    }

    /** Sets the echo identifier. */
    public IcmpV4Packet setEchoIdentifier(int id) {
        setU16(4, id);
        return this;
    }

    /** Sets the echo sequence number. */
    public IcmpV4Packet setEchoSequence(int seq) {
        setU16(6, seq);
        return this;
    }

    /** Sets the 4 rest-of-header bytes. */
    public IcmpV4Packet setRestOfHeader(int value) {
        setI32(4, value);
        return this;
    }

    @Override
    public String toString() {
        if (!check()) {
            return "IcmpV4Packet[invalid, length=" + length + "]";
        }
        return "IcmpV4Packet[type=" + type() + " code=" + code() + " id=" + echoIdentifier()
                + " seq=" + echoSequence() + " len=" + length + "]";
    }
}
