package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * View over an ICMPv4 message (RFC 792): type, code, checksum, 4 bytes of rest-of-header (echo
 * identifier and sequence number), data. The checksum covers the whole wrapped region, so wrap
 * exactly the IPv4 payload.
 */
public final class IcmpV4Packet extends IcmpMessage<IcmpV4Packet> {
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

    @Override
    public String toString() {
        if (!check()) {
            return "IcmpV4Packet[invalid, length=" + length + "]";
        }
        return "IcmpV4Packet[type=" + type() + " code=" + code() + " id=" + echoIdentifier()
                + " seq=" + echoSequence() + " len=" + length + "]";
    }
}
