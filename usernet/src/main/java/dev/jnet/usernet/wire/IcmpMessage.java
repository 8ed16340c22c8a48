package dev.jnet.usernet.wire;

/**
 * What ICMPv4 and ICMPv6 share: type, code, checksum, a 4-byte message word (echo identifier and
 * sequence, MTU, pointer, NDP flags) and a body. Subclasses add their checksum rule (ICMPv6
 * includes the IPv6 pseudo-header) and type numbers.
 *
 * @param <S> the concrete view, returned by the setters for chaining
 */
public abstract class IcmpMessage<S extends IcmpMessage<S>> extends PacketView {
    /** Header length (type, code, checksum, message word). */
    public static final int HEADER_LENGTH = 8;

    /** Every defined message has at least the 8 header bytes. */
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

    /** @return the 4 message-specific bytes (ICMPv4's "rest of header") as an int */
    public int messageWord() {
        return i32(4);
    }

    /** @return absolute index of the body after the 8 header bytes */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** @return body length */
    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** Sets the type. */
    public S setType(int type) {
        setU8(0, type);
        return self();
    }

    /** Sets the code. */
    public S setCode(int code) {
        setU8(1, code);
        return self();
    }

    /** Sets the checksum field verbatim. */
    public S setChecksum(int checksum) {
        setU16(2, checksum);
        return self();
    }

    /** Sets the echo identifier. */
    public S setEchoIdentifier(int id) {
        setU16(4, id);
        return self();
    }

    /** Sets the echo sequence number. */
    public S setEchoSequence(int seq) {
        setU16(6, seq);
        return self();
    }

    /** Sets the 4 message-specific bytes. */
    public S setMessageWord(int value) {
        setI32(4, value);
        return self();
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }
}
