package dev.jnet.usernet.ip;

import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;

/**
 * IPv6 from the guest: checks version and payload length, skips the extension headers a
 * guest legitimately sends (hop-by-hop options on MLD reports, routing, destination options),
 * hands fragments to the {@link Reassembler} (dropped when there is none; an atomic fragment,
 * RFC 6946, is processed on its own), then dispatches TCP, UDP and ICMPv6 to their handlers,
 * reassembled packets too. Every drop is counted.
 * Sources in the prefix teach the output the guest's (SLAAC) address.
 */
public final class Ipv6Input {
    /** Next header: routing. */
    static final int NH_ROUTING = 43;
    /** Next header: destination options. */
    static final int NH_DEST_OPTIONS = 60;
    /** Extension headers followed per packet; more is not a real guest's packet. */
    static final int MAX_EXTENSION_HEADERS = 8;

    private final Ipv6Output out;
    private final Ipv6Handler tcp;
    private final Ipv6Handler udp;
    private final Ipv6Handler icmp;
    private final Ipv6Packet ip = new Ipv6Packet();
    private final Reassembler.Fragment fragment = new Reassembler.Fragment();
    private final Reassembler.Delivery reassembledDelivery = this::receiveReassembled;
    private Reassembler reassembler;
    /** True while a reassembled packet is handled: a Fragment header in it is not followed again. */
    private boolean inReassembled;

    private long delivered;
    private long malformed;
    private long fragments;
    private long atomicFragments;
    private long unknownProtocol;
    private long noHandler;

    /**
     * Handlers may be {@code null}: their packets are then dropped and counted.
     *
     * @param out where the guest's addresses are recorded ({@link Ipv6Output#learnGuestAddress})
     */
    public Ipv6Input(Ipv6Output out, Ipv6Handler tcp, Ipv6Handler udp, Ipv6Handler icmp) {
        this.out = out;
        this.tcp = tcp;
        this.udp = udp;
        this.icmp = icmp;
    }

    /** Handles the IPv6 packet at {@code buf[offset, offset + length)}; the buffer stays the caller's. */
    public void receive(ByteBuf buf, int offset, int length) {
        receive(buf, offset, length, false);
    }

    /**
     * {@link #receive(ByteBuf, int, int)}; with {@code checksumTrusted} the link vouches for the
     * transport checksum (the handlers see {@code Ipv6Packet.transportChecksumTrusted()}).
     */
    public void receive(ByteBuf buf, int offset, int length, boolean checksumTrusted) {
        ip.wrap(buf, offset, length);
        if (checksumTrusted) {
            ip.trustTransportChecksum();
        }
        try {
            if (!ip.check()) {
                malformed++;
                return;
            }
            if (ip.srcHigh() != out.guestAddressHigh() || ip.srcLow() != out.guestAddressLow()) {
                out.learnGuestAddress(ip.srcHigh(), ip.srcLow()); // two compares when nothing changed
            }
            // Ethernet padding beyond the payload length is not part of the packet
            int end = ip.payloadOffset() + ip.payloadLength();
            int at = ip.payloadOffset();
            int nextHeader = ip.nextHeader();
            for (int n = 0; ; n++) {
                switch (nextHeader) {
                    case Ipv6Packet.NH_TCP, Ipv6Packet.NH_UDP, Ipv6Packet.NH_ICMPV6 -> {
                        dispatch(nextHeader, at, end - at);
                        return;
                    }
                    case Ipv6Packet.NH_HOP_BY_HOP, NH_ROUTING, NH_DEST_OPTIONS -> {
                        if (n >= MAX_EXTENSION_HEADERS || at + 8 > end) {
                            malformed++;
                            return;
                        }
                        int headerLength = (buf.getUnsignedByte(at + 1) + 1) * 8;
                        nextHeader = buf.getUnsignedByte(at);
                        at += headerLength;
                        if (at > end) {
                            malformed++;
                            return;
                        }
                    }
                    case Ipv6Packet.NH_FRAGMENT -> {
                        fragments++;
                        if (inReassembled || at + FragmentFormat.FRAGMENT_HEADER_LENGTH > end) {
                            malformed++;
                            return;
                        }
                        int offsetAndFlags = buf.getUnsignedShort(at + 2);
                        nextHeader = buf.getUnsignedByte(at);
                        at += FragmentFormat.FRAGMENT_HEADER_LENGTH;
                        if ((offsetAndFlags & 0xFFF9) != 0) { // offset or M set: a real fragment
                            reassemble(buf, nextHeader, at - FragmentFormat.FRAGMENT_HEADER_LENGTH, end);
                            return;
                        }
                        // RFC 6946: an atomic fragment (offset 0, M 0) is processed in isolation,
                        // never mixed with fragments of the same identification
                        atomicFragments++;
                    }
                    default -> {
                        unknownProtocol++; // incl. "no next header"
                        return;
                    }
                }
            }
        } finally {
            ip.clear();
        }
    }

    /** Reassembles fragments with {@code r} from now on (without one they are dropped). */
    public void reassembleWith(Reassembler r) {
        this.reassembler = r;
    }

    private void reassemble(ByteBuf buf, int nextHeader, int fragmentHeader, int end) {
        if (reassembler == null) {
            return;
        }
        int offsetAndFlags = buf.getUnsignedShort(fragmentHeader + 2);
        int offset = offsetAndFlags & 0xFFF8;
        int data = fragmentHeader + FragmentFormat.FRAGMENT_HEADER_LENGTH;
        fragment.key(FragmentFormat.IPV6, ip.srcHigh(), ip.srcLow(), ip.dstHigh(), ip.dstLow(),
                        buf.getInt(fragmentHeader + 4), 0)
                .data(buf, ip.offset(), Ipv6Packet.HEADER_LENGTH, nextHeader, data, offset, end - data,
                        (offsetAndFlags & 1) != 0, offset != 0 || holdsHeaders(buf, nextHeader, data, end));
        reassembler.add(fragment, reassembledDelivery);
    }

    /**
     * Whether a first fragment's data from {@code at} holds its extension headers and the
     * transport header (RFC 8200 section 4.5, RFC 7112).
     */
    private static boolean holdsHeaders(ByteBuf buf, int nextHeader, int at, int end) {
        for (int n = 0; n < MAX_EXTENSION_HEADERS; n++) {
            if (nextHeader != Ipv6Packet.NH_HOP_BY_HOP && nextHeader != NH_ROUTING && nextHeader != NH_DEST_OPTIONS) {
                return at + Reassembler.transportHeaderLength(nextHeader) <= end;
            }
            if (at + 8 > end) {
                return false;
            }
            nextHeader = buf.getUnsignedByte(at);
            at += (buf.getUnsignedByte(at + 1) + 1) * 8;
        }
        return false;
    }

    /** The whole packet {@link #reassembler} made: handled as if it had come in one piece. */
    private void receiveReassembled(ByteBuf packet, int offset, int length) {
        inReassembled = true;
        try {
            receive(packet, offset, length);
        } finally {
            inReassembled = false;
        }
    }

    private void dispatch(int nextHeader, int transportOffset, int transportLength) {
        Ipv6Handler handler = switch (nextHeader) {
            case Ipv6Packet.NH_TCP -> tcp;
            case Ipv6Packet.NH_UDP -> udp;
            default -> icmp;
        };
        if (handler == null) {
            noHandler++;
            return;
        }
        delivered++;
        handler.receive(ip, nextHeader, transportOffset, transportLength);
    }

    /** Packets handed to a transport handler. */
    public long delivered() {
        return delivered;
    }

    /** Packets whose header or extension header lengths did not add up. */
    public long malformed() {
        return malformed;
    }

    /** Fragments received (reassembled, or dropped when there is no {@link Reassembler}). */
    public long fragments() {
        return fragments;
    }

    /** Atomic fragments (RFC 6946) handled as whole packets. */
    public long atomicFragments() {
        return atomicFragments;
    }

    /** Packets of a protocol the stack does not speak (dropped). */
    public long unknownProtocol() {
        return unknownProtocol;
    }

    /** TCP/UDP/ICMPv6 packets dropped because the stack has no handler for them. */
    public long noHandler() {
        return noHandler;
    }
}
