package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * View over a TCP segment (RFC 9293) with an allocation-free options parser and a header
 * builder. Wrap exactly the IP payload: the checksum and {@link #payloadLength()} cover the whole
 * region.
 */
public final class TcpSegment extends PacketView {
    /** Minimum header length (data offset 5). */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Maximum header length (data offset 15). */
    public static final int MAX_HEADER_LENGTH = 60;
    /** FIN flag. */
    public static final int FIN = 0x01;
    /** SYN flag. */
    public static final int SYN = 0x02;
    /** RST flag. */
    public static final int RST = 0x04;
    /** PSH flag. */
    public static final int PSH = 0x08;
    /** ACK flag. */
    public static final int ACK = 0x10;
    /** URG flag. */
    public static final int URG = 0x20;
    /** ECE flag. */
    public static final int ECE = 0x40;
    /** CWR flag. */
    public static final int CWR = 0x80;

    /** Option kind: end of option list. */
    public static final int OPT_EOL = 0;
    /** Option kind: no-operation. */
    public static final int OPT_NOP = 1;
    /** Option kind: maximum segment size. */
    public static final int OPT_MSS = 2;
    /** Option kind: window scale. */
    public static final int OPT_WS = 3;
    /** Option kind: SACK permitted. */
    public static final int OPT_SACK_PERMITTED = 4;
    /** Option kind: SACK. */
    public static final int OPT_SACK = 5;
    /** Option kind: timestamps. */
    public static final int OPT_TIMESTAMPS = 8;

    /** Points this view at {@code buf[offset, offset + length)}. */
    public TcpSegment wrap(ByteBuf buf, int offset, int length) {
        bind(buf, offset, length);
        return this;
    }

    /** Requires 20 &le; data offset * 4 &le; region length. */
    @Override
    public boolean check() {
        if (buf == null || length < MIN_HEADER_LENGTH) {
            return false;
        }
        int hl = headerLength();
        return hl >= MIN_HEADER_LENGTH && hl <= length;
    }

    /** @return source port */
    public int srcPort() {
        return u16(0);
    }

    /** @return destination port */
    public int dstPort() {
        return u16(2);
    }

    /** @return sequence number (unsigned 32 bits in an int) */
    public int seq() {
        return i32(4);
    }

    /** @return acknowledgment number (unsigned 32 bits in an int) */
    public int ackNumber() {
        return i32(8);
    }

    /** @return data offset in 32-bit words */
    public int dataOffset() {
        return u8(12) >>> 4;
    }

    /** @return header length in bytes including options */
    public int headerLength() {
        return dataOffset() * 4;
    }

    /** @return the 8 flag bits (CWR..FIN); the NS/AE bit is not included */
    public int flags() {
        return u8(13);
    }

    /** @return whether all bits of {@code mask} are set */
    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    /** @return SYN */
    public boolean syn() {
        return (flags() & SYN) != 0;
    }

    /** @return ACK */
    public boolean ack() {
        return (flags() & ACK) != 0;
    }

    /** @return FIN */
    public boolean fin() {
        return (flags() & FIN) != 0;
    }

    /** @return RST */
    public boolean rst() {
        return (flags() & RST) != 0;
    }

    /** @return PSH */
    public boolean psh() {
        return (flags() & PSH) != 0;
    }

    /** @return URG */
    public boolean urg() {
        return (flags() & URG) != 0;
    }

    /** @return ECE */
    public boolean ece() {
        return (flags() & ECE) != 0;
    }

    /** @return CWR */
    public boolean cwr() {
        return (flags() & CWR) != 0;
    }

    /** @return window (unscaled) */
    public int window() {
        return u16(14);
    }

    /** @return checksum field */
    public int checksum() {
        return u16(16);
    }

    /** @return urgent pointer */
    public int urgentPointer() {
        return u16(18);
    }

    /** @return absolute index of the options */
    public int optionsOffset() {
        return offset + MIN_HEADER_LENGTH;
    }

    /** @return options length in bytes */
    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    /** @return absolute index of the payload */
    public int payloadOffset() {
        return offset + headerLength();
    }

    /** @return payload length */
    public int payloadLength() {
        return length - headerLength();
    }

    /** @return sequence space consumed: payload length plus one each for SYN and FIN */
    public int segmentLength() {
        int f = flags();
        return payloadLength() + ((f & SYN) != 0 ? 1 : 0) + ((f & FIN) != 0 ? 1 : 0);
    }

    /**
     * Parses the options into {@code out} (cleared first). Stays within the options area of a
     * checked segment; stops at EOL, at a truncated option, or at an option length below 2;
     * skips NOP and unknown kinds; a known kind with the wrong length is skipped. Any such
     * irregularity sets {@link TcpOptions#malformed}.
     *
     * @return {@code !out.malformed}
     */
    public boolean parseOptions(TcpOptions out) {
        return parseOptions(buf, optionsOffset(), optionsLength(), out);
    }

    /**
     * Parses raw TCP option bytes {@code buf[index, index + length)} into {@code out}; see
     * {@link #parseOptions(TcpOptions)}. Never reads outside that range.
     */
    public static boolean parseOptions(ByteBuf buf, int index, int length, TcpOptions out) {
        out.clear();
        int i = index;
        int end = index + length;
        while (i < end) {
            int kind = buf.getUnsignedByte(i);
            if (kind == OPT_EOL) {
                break;
            }
            if (kind == OPT_NOP) {
                i++;
                continue;
            }
            if (end - i < 2) {
                out.malformed = true;
                break;
            }
            int len = buf.getUnsignedByte(i + 1);
            if (len < 2 || len > end - i) {
                out.malformed = true;
                break;
            }
            switch (kind) {
                case OPT_MSS:
                    if (len == 4) {
                        out.mss = buf.getUnsignedShort(i + 2);
                    } else {
                        out.malformed = true;
                    }
                    break;
                case OPT_WS:
                    if (len == 3) {
                        // RFC 7323: values above 14 are treated as 14
                        out.windowScale = Math.min(buf.getUnsignedByte(i + 2), 14);
                    } else {
                        out.malformed = true;
                    }
                    break;
                case OPT_SACK_PERMITTED:
                    if (len == 2) {
                        out.sackPermitted = true;
                    } else {
                        out.malformed = true;
                    }
                    break;
                case OPT_SACK:
                    if (len >= 10 && (len - 2) % 8 == 0) {
                        int n = Math.min((len - 2) / 8, TcpOptions.MAX_SACK_BLOCKS);
                        for (int b = 0; b < n; b++) {
                            out.sackBlocks[2 * b] = buf.getInt(i + 2 + 8 * b);
                            out.sackBlocks[2 * b + 1] = buf.getInt(i + 6 + 8 * b);
                        }
                        out.sackBlockCount = n;
                    } else {
                        out.malformed = true;
                    }
                    break;
                case OPT_TIMESTAMPS:
                    if (len == 10) {
                        out.hasTimestamps = true;
                        out.tsVal = buf.getInt(i + 2);
                        out.tsEcr = buf.getInt(i + 6);
                    } else {
                        out.malformed = true;
                    }
                    break;
                default:
                    break; // unknown: skip
            }
            i += len;
        }
        return !out.malformed;
    }

    /**
     * @return the number of bytes {@link #writeOptions} writes for {@code opts} (a multiple of 4)
     */
    public static int optionsLength(TcpOptions opts) {
        int n = 0;
        if (opts.mss >= 0) {
            n += 4;
        }
        if (opts.hasTimestamps) {
            n += 12; // SACK_PERM+TS or NOP NOP TS
        } else if (opts.sackPermitted) {
            n += 4;
        }
        if (opts.windowScale >= 0) {
            n += 4;
        }
        if (opts.sackBlockCount > 0) {
            n += 4 + 8 * opts.sackBlockCount;
        }
        return n;
    }

    /**
     * Writes {@code opts} at {@code index} in the Linux layout (MSS, SACK-permitted+timestamps,
     * NOP+window scale, NOP NOP SACK), each item aligned to 4 bytes.
     *
     * @return bytes written (a multiple of 4)
     * @throws IllegalArgumentException if they exceed the 40 bytes available
     */
    public static int writeOptions(ByteBuf buf, int index, TcpOptions opts) {
        int total = optionsLength(opts);
        if (total > MAX_HEADER_LENGTH - MIN_HEADER_LENGTH) {
            throw new IllegalArgumentException("TCP options need " + total + " > 40 bytes");
        }
        int i = index;
        if (opts.mss >= 0) {
            buf.setByte(i, OPT_MSS);
            buf.setByte(i + 1, 4);
            buf.setShort(i + 2, opts.mss);
            i += 4;
        }
        if (opts.hasTimestamps) {
            if (opts.sackPermitted) {
                buf.setByte(i, OPT_SACK_PERMITTED);
                buf.setByte(i + 1, 2);
            } else {
                buf.setByte(i, OPT_NOP);
                buf.setByte(i + 1, OPT_NOP);
            }
            buf.setByte(i + 2, OPT_TIMESTAMPS);
            buf.setByte(i + 3, 10);
            buf.setInt(i + 4, opts.tsVal);
            buf.setInt(i + 8, opts.tsEcr);
            i += 12;
        } else if (opts.sackPermitted) {
            buf.setByte(i, OPT_NOP);
            buf.setByte(i + 1, OPT_NOP);
            buf.setByte(i + 2, OPT_SACK_PERMITTED);
            buf.setByte(i + 3, 2);
            i += 4;
        }
        if (opts.windowScale >= 0) {
            buf.setByte(i, OPT_NOP);
            buf.setByte(i + 1, OPT_WS);
            buf.setByte(i + 2, 3);
            buf.setByte(i + 3, opts.windowScale);
            i += 4;
        }
        if (opts.sackBlockCount > 0) {
            buf.setByte(i, OPT_NOP);
            buf.setByte(i + 1, OPT_NOP);
            buf.setByte(i + 2, OPT_SACK);
            buf.setByte(i + 3, 2 + 8 * opts.sackBlockCount);
            i += 4;
            for (int b = 0; b < opts.sackBlockCount; b++) {
                buf.setInt(i, opts.sackBlocks[2 * b]);
                buf.setInt(i + 4, opts.sackBlocks[2 * b + 1]);
                i += 8;
            }
        }
        return i - index;
    }

    /**
     * Writes a TCP header with {@code opts} (may be {@code null}) at {@code index}, checksum 0.
     * The buffer must have capacity for the header; write the payload after it, then wrap the
     * segment and call {@link #fillChecksum(long)}.
     *
     * @return header length in bytes
     */
    public static int emitHeader(ByteBuf buf, int index, int srcPort, int dstPort, int seq,
            int ack, int flags, int window, int urgentPointer, TcpOptions opts) {
        int optLen = opts == null ? 0 : writeOptions(buf, index + MIN_HEADER_LENGTH, opts);
        int hl = MIN_HEADER_LENGTH + optLen;
        buf.setShort(index, srcPort);
        buf.setShort(index + 2, dstPort);
        buf.setInt(index + 4, seq);
        buf.setInt(index + 8, ack);
        buf.setByte(index + 12, (hl / 4) << 4);
        buf.setByte(index + 13, flags);
        buf.setShort(index + 14, window);
        buf.setShort(index + 16, 0);
        buf.setShort(index + 18, urgentPointer);
        return hl;
    }

    /** @return whether the checksum over pseudo-header plus the whole segment is correct */
    public boolean verifyChecksum(long pseudoHeaderSum) {
        return InternetChecksum.verifies(
                pseudoHeaderSum + InternetChecksum.sum(buf, offset, length));
    }

    /** Verification over IPv4. */
    public boolean verifyChecksumIpv4(int src, int dst) {
        return verifyChecksum(
                InternetChecksum.pseudoHeaderV4(src, dst, Ipv4Packet.PROTO_TCP, length));
    }

    /** Verification over IPv6. */
    public boolean verifyChecksumIpv6(Ipv6Packet ip) {
        return verifyChecksum(ip.pseudoHeaderSum(Ipv4Packet.PROTO_TCP, length));
    }

    /** Computes and stores the checksum (call last). */
    public TcpSegment fillChecksum(long pseudoHeaderSum) {
        setU16(16, 0);
        setU16(16, InternetChecksum.finish(
                pseudoHeaderSum + InternetChecksum.sum(buf, offset, length)));
        return this;
    }

    /**
     * Stores only the pseudo-header sum (folded, not complemented): the partial checksum a NIC
     * completes over the segment (virtio-net {@code NEEDS_CSUM}, Linux's CHECKSUM_PARTIAL).
     */
    public TcpSegment fillPartialChecksum(long pseudoHeaderSum) {
        setU16(16, InternetChecksum.fold(pseudoHeaderSum));
        return this;
    }

    /** Fills the checksum for IPv4. */
    public TcpSegment fillChecksumIpv4(int src, int dst) {
        return fillChecksum(
                InternetChecksum.pseudoHeaderV4(src, dst, Ipv4Packet.PROTO_TCP, length));
    }

    /** Fills the checksum for IPv6. */
    public TcpSegment fillChecksumIpv6(Ipv6Packet ip) {
        return fillChecksum(ip.pseudoHeaderSum(Ipv4Packet.PROTO_TCP, length));
    }

    /** Sets the source port. */
    public TcpSegment setSrcPort(int port) {
        setU16(0, port);
        return this;
    }

    /** Sets the destination port. */
    public TcpSegment setDstPort(int port) {
        setU16(2, port);
        return this;
    }

    /** Sets the sequence number. */
    public TcpSegment setSeq(int seq) {
        setI32(4, seq);
        return this;
    }

    /** Sets the acknowledgment number. */
    public TcpSegment setAckNumber(int ack) {
        setI32(8, ack);
        return this;
    }

    /** Sets the flags byte. */
    public TcpSegment setFlags(int flags) {
        setU8(13, flags);
        return this;
    }

    /** Sets the window. */
    public TcpSegment setWindow(int window) {
        setU16(14, window);
        return this;
    }

    /** Sets the checksum field verbatim. */
    public TcpSegment setChecksum(int checksum) {
        setU16(16, checksum);
        return this;
    }

    /** Sets the urgent pointer. */
    public TcpSegment setUrgentPointer(int urg) {
        setU16(18, urg);
        return this;
    }

    /** @return flags as tcpdump letters, e.g. {@code "S."} for SYN+ACK (logging only) */
    public static String flagsToString(int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & SYN) != 0) {
            sb.append('S');
        }
        if ((flags & FIN) != 0) {
            sb.append('F');
        }
        if ((flags & RST) != 0) {
            sb.append('R');
        }
        if ((flags & PSH) != 0) {
            sb.append('P');
        }
        if ((flags & URG) != 0) {
            sb.append('U');
        }
        if ((flags & ECE) != 0) {
            sb.append('E');
        }
        if ((flags & CWR) != 0) {
            sb.append('W');
        }
        if ((flags & ACK) != 0) {
            sb.append('.');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        if (!check()) {
            return "TcpSegment[invalid, length=" + length + "]";
        }
        return "TcpSegment[" + srcPort() + " > " + dstPort() + " [" + flagsToString(flags())
                + "] seq=" + Integer.toUnsignedString(seq())
                + " ack=" + Integer.toUnsignedString(ackNumber())
                + " win=" + window() + " len=" + payloadLength() + "]";
    }
}
