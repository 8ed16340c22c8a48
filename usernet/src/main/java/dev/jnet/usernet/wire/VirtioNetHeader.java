package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * The {@code struct virtio_net_hdr} (virtio 1.x, 5.1.6) a tap opened with {@code IFF_VNET_HDR}
 * puts in front of every frame, both ways: flags, gso_type, hdr_len, gso_size, csum_start,
 * csum_offset; 10 bytes, or 12 with {@code num_buffers} ({@code TUNSETVNETHDRSZ}). The 16-bit
 * fields are little-endian (the tap's default on little-endian hosts; x86 and arm64 here).
 * Reads into this mutable holder (one per link, no allocation); writes are static.
 */
public final class VirtioNetHeader {
    /** The header without num_buffers: what a tap uses unless told otherwise. */
    public static final int LENGTH = 10;
    /** The header with num_buffers ({@code virtio_net_hdr_mrg_rxbuf}). */
    public static final int LENGTH_MRG_RXBUF = 12;

    /** csum_start/csum_offset are valid: the checksum field holds only the pseudo-header sum. */
    public static final int F_NEEDS_CSUM = 1;
    /** The sender checked (or vouches for) the checksum. */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** Or'ed into gso_type: the segments carry ECN CWR as the first one does. */
    public static final int GSO_ECN = 0x80;

    /** Offset of the TCP checksum field in its header (csum_offset for TCP). */
    public static final int TCP_CSUM_OFFSET = 16;
    /** Offset of the UDP checksum field in its header (csum_offset for UDP). */
    public static final int UDP_CSUM_OFFSET = 6;

    private int flags;
    private int gsoType;
    private int hdrLen;
    private int gsoSize;
    private int csumStart;
    private int csumOffset;

    /**
     * Reads the header at {@code buf[index]}; the caller knows {@code buf} holds at least
     * {@link #LENGTH} bytes there.
     */
    public VirtioNetHeader read(ByteBuf buf, int index) {
        flags = buf.getUnsignedByte(index);
        gsoType = buf.getUnsignedByte(index + 1);
        hdrLen = buf.getUnsignedShortLE(index + 2);
        gsoSize = buf.getUnsignedShortLE(index + 4);
        csumStart = buf.getUnsignedShortLE(index + 6);
        csumOffset = buf.getUnsignedShortLE(index + 8);
        return this;
    }

    /**
     * Writes a header of {@code length} bytes ({@link #LENGTH} or {@link #LENGTH_MRG_RXBUF}, then
     * num_buffers = 0) at {@code buf[index]}.
     */
    public static void write(ByteBuf buf, int index, int length, int flags, int gsoType, int hdrLen, int gsoSize,
            int csumStart, int csumOffset) {
        buf.setByte(index, flags);
        buf.setByte(index + 1, gsoType);
        buf.setShortLE(index + 2, hdrLen);
        buf.setShortLE(index + 4, gsoSize);
        buf.setShortLE(index + 6, csumStart);
        buf.setShortLE(index + 8, csumOffset);
        if (length == LENGTH_MRG_RXBUF) {
            buf.setShortLE(index + 10, 0);
        }
    }

    public int flags() {
        return flags;
    }

    public int gsoType() {
        return gsoType;
    }

    /** gso_type without the ECN bit. */
    public int gsoProtocol() {
        return gsoType & ~GSO_ECN;
    }

    public int hdrLen() {
        return hdrLen;
    }

    public int gsoSize() {
        return gsoSize;
    }

    public int csumStart() {
        return csumStart;
    }

    public int csumOffset() {
        return csumOffset;
    }

    /** Whether the checksum field holds only the pseudo-header sum. */
    public boolean needsChecksum() {
        return (flags & F_NEEDS_CSUM) != 0;
    }

    /** Whether the sender vouches for the checksum. */
    public boolean dataValid() {
        return (flags & F_DATA_VALID) != 0;
    }

    /** Whether the frame is a super-packet the receiver (or a forwarder) cuts into segments. */
    public boolean segmented() {
        return gsoProtocol() != GSO_NONE;
    }

    /**
     * Whether the partial checksum is one of a transport the stack checks itself (TCP, UDP), so
     * it may skip the sum instead of completing it ({@code csum_offset} 16 or 6).
     */
    public boolean partialTcpOrUdp() {
        return needsChecksum() && (csumOffset == TCP_CSUM_OFFSET || csumOffset == UDP_CSUM_OFFSET);
    }

    /**
     * Completes a partial checksum in place, as a NIC would: the one's-complement sum of
     * {@code frame[frameStart + csum_start, frameEnd)} (the field holds the pseudo-header sum)
     * stored at {@code csum_start + csum_offset}. Returns false (nothing written) when the offsets
     * fall outside the frame.
     */
    public boolean completeChecksum(ByteBuf frame, int frameStart, int frameEnd) {
        int start = frameStart + csumStart;
        int field = start + csumOffset;
        if (start >= frameEnd || field + 2 > frameEnd) {
            return false;
        }
        int sum = InternetChecksum.finish(InternetChecksum.sum(frame, start, frameEnd - start));
        if (csumOffset == UDP_CSUM_OFFSET && sum == 0) {
            sum = 0xFFFF; // UDP: a computed zero is sent as all ones (RFC 768)
        }
        frame.setShort(field, sum);
        return true;
    }

    @Override
    public String toString() {
        return "virtio_net_hdr{flags=" + flags + ", gso_type=" + gsoType + ", hdr_len=" + hdrLen + ", gso_size="
                + gsoSize + ", csum_start=" + csumStart + ", csum_offset=" + csumOffset + "}";
    }
}
