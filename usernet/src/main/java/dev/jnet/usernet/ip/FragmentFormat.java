package dev.jnet.usernet.ip;

import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * What differs between IPv4 and IPv6 fragmentation, and only that: the reassembly timeout, the
 * header of a reassembled packet, and the header of a fragment sent to the guest. The
 * algorithms ({@link Reassembler}, {@link #send}) are the same for both families.
 */
public enum FragmentFormat {
    /** RFC 791 fragments: offset, MF and identification in the IPv4 header. */
    IPV4(30) {
        @Override
        int writeReassembledHeader(ByteBuf out, ByteBuf first, int headerIndex, int headerLength, int protocol,
                int payloadLength) {
            int at = out.writerIndex();
            out.writeBytes(first, headerIndex, headerLength); // with the first fragment's options (RFC 791 3.2)
            out.setShort(at + 2, headerLength + payloadLength);
            out.setShort(at + 6, 0); // no flags, offset 0: a whole datagram now
            return headerLength;
        }

        @Override
        void finishReassembled(ByteBuf out, int index, int headerLength) {
            out.setShort(index + 10, 0);
            out.setShort(index + 10, InternetChecksum.compute(out, index, headerLength));
        }

        @Override
        int fragmentHeaderLength(int ipHeaderLength) {
            return ipHeaderLength;
        }

        @Override
        void writeFragmentHeader(ByteBuf frag, int ipIndex, int ipHeaderLength, int nextHeader, int offset, int chunk,
                boolean more, int identification) {
            // the original header (with its identification) is already copied in; DF is cleared:
            // the stack, not the guest's peer, is the one fragmenting here (RFC 791 3.2)
            frag.setShort(ipIndex + 2, ipHeaderLength + chunk);
            frag.setShort(ipIndex + 6, ((more ? Ipv4Packet.FLAG_MF : 0) << 13) | (offset >>> 3));
            frag.setShort(ipIndex + 10, 0);
            frag.setShort(ipIndex + 10, InternetChecksum.compute(frag, ipIndex, ipHeaderLength));
        }
    },
    /** RFC 8200 section 4.5: a Fragment header after the fixed header. */
    IPV6(60) {
        @Override
        int writeReassembledHeader(ByteBuf out, ByteBuf first, int headerIndex, int headerLength, int protocol,
                int payloadLength) {
            // the unfragmentable part's extension headers were processed on the first fragment;
            // the reassembled packet is the fixed header followed by the fragmentable part
            int at = out.writerIndex();
            out.writeBytes(first, headerIndex, Ipv6Packet.HEADER_LENGTH);
            out.setShort(at + 4, payloadLength);
            out.setByte(at + 6, protocol);
            return Ipv6Packet.HEADER_LENGTH;
        }

        @Override
        void finishReassembled(ByteBuf out, int index, int headerLength) {
            // no header checksum in IPv6
        }

        @Override
        int fragmentHeaderLength(int ipHeaderLength) {
            return ipHeaderLength + FRAGMENT_HEADER_LENGTH;
        }

        @Override
        void writeFragmentHeader(ByteBuf frag, int ipIndex, int ipHeaderLength, int nextHeader, int offset, int chunk,
                boolean more, int identification) {
            frag.setShort(ipIndex + 4, FRAGMENT_HEADER_LENGTH + chunk);
            frag.setByte(ipIndex + 6, Ipv6Packet.NH_FRAGMENT);
            int f = ipIndex + ipHeaderLength;
            frag.setByte(f, nextHeader);
            frag.setByte(f + 1, 0);
            frag.setShort(f + 2, offset | (more ? 1 : 0));
            frag.setInt(f + 4, identification);
        }
    };

    /** Length of the IPv6 Fragment header. */
    public static final int FRAGMENT_HEADER_LENGTH = 8;
    /** Largest IP datagram (RFC 791 total length, RFC 8200 offset + fragment length). */
    public static final int MAX_DATAGRAM = 65_535;

    private final long timeoutNanos;

    FragmentFormat(int timeoutSeconds) {
        this.timeoutNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds);
    }

    /**
     * How long an incomplete datagram waits for its missing fragments: 30 s for IPv4 (Linux's
     * ipfrag_time; RFC 791 suggests 15 s as the lower bound), 60 s for IPv6 (RFC 8200 section 4.5).
     */
    public long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * Appends the reassembled packet's IP header (from the first fragment's header at {@code
     * first[headerIndex, headerIndex + headerLength)}) to {@code out}; returns its length.
     */
    abstract int writeReassembledHeader(ByteBuf out, ByteBuf first, int headerIndex, int headerLength, int protocol,
            int payloadLength);

    /** Completes the header at {@code out[index]} once the payload is in (the IPv4 checksum). */
    abstract void finishReassembled(ByteBuf out, int index, int headerLength);

    /** IP header bytes in front of each fragment's data, given the original's IP header length. */
    abstract int fragmentHeaderLength(int ipHeaderLength);

    /** Turns the copied original IP header at {@code frag[ipIndex]} into the header of one fragment. */
    abstract void writeFragmentHeader(ByteBuf frag, int ipIndex, int ipHeaderLength, int nextHeader, int offset,
            int chunk, boolean more, int identification);

    /**
     * Sends the Ethernet frame {@code whole} (Ethernet header, an IP header of {@code
     * ipHeaderLength} bytes, then the transport segment; readable from index 0) to the guest as
     * fragments of at most {@code mtu} IP bytes each; takes ownership of {@code whole}. Every
     * fragment but the last carries a multiple of 8 data bytes (RFC 791, RFC 8200). One copy
     * per fragment, into a buffer of the fragment's size: the rare path, so the simple one.
     *
     * @param nextHeader the transport protocol (IPv6 Fragment header's next header)
     * @return the number of fragments sent
     */
    public int send(FrameSink sink, ByteBuf whole, int ipHeaderLength, int mtu, int nextHeader,
            int identification) {
        try {
            int headers = EthernetFrame.HEADER_LENGTH + fragmentHeaderLength(ipHeaderLength);
            int perFragment = (mtu - fragmentHeaderLength(ipHeaderLength)) & ~7;
            int dataStart = EthernetFrame.HEADER_LENGTH + ipHeaderLength;
            int total = whole.writerIndex() - dataStart;
            int sent = 0;
            for (int offset = 0; offset < total; offset += perFragment) {
                int chunk = Math.min(perFragment, total - offset);
                ByteBuf frag = sink.alloc().directBuffer(headers + chunk);
                frag.writeBytes(whole, 0, dataStart);
                frag.writerIndex(headers);
                frag.writeBytes(whole, dataStart + offset, chunk);
                writeFragmentHeader(frag, EthernetFrame.HEADER_LENGTH, ipHeaderLength, nextHeader, offset, chunk,
                        offset + chunk < total, identification);
                sink.sendFrame(frag);
                sent++;
            }
            return sent;
        } finally {
            whole.release();
        }
    }
}
