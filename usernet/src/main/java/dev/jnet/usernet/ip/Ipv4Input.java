package dev.jnet.usernet.ip;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.wire.Inany;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * IPv4 from the guest: checks the header (version, lengths, header checksum), drops packets
 * whose TTL is already 0, hands fragments to the {@link Reassembler} (dropped when there is
 * none) and dispatches whole packets, reassembled ones too, by protocol. A unicast packet of a protocol
 * the stack does not speak goes to the {@code unknownProtocol} handler (the stack wires ICMP's
 * protocol unreachable there: this layer only hands packets up); TCP, UDP or ICMP with no
 * handler is dropped. Every drop is counted.
 */
public final class Ipv4Input {
    /** A protocol the stack speaks but was given no handler for: dropped. */
    private static final Ipv4Handler NONE = ip -> { };

    private final UsernetConfig config;
    private final Ipv4Packet ip = new Ipv4Packet();
    /** Handlers by protocol number, as Linux's inet_protos: {@link #NONE} for TCP/UDP/ICMP without one. */
    private final Ipv4Handler[] byProtocol = new Ipv4Handler[256];
    private final Ipv4Handler unknownProtocol;
    private final Reassembler.Fragment fragment = new Reassembler.Fragment();
    private final Reassembler.Delivery reassembledDelivery = this::receiveReassembled;
    private Reassembler reassembler;

    private long delivered;
    private long malformed;
    private long badChecksum;
    private long fragments;
    private long ttlExpired;
    private long unknownProtocols;
    private long noHandler;

    /**
     * Handlers may be {@code null}: their packets are then dropped and counted.
     *
     * @param unknownProtocol gets unicast packets of other protocols (e.g. to answer them with
     *     protocol unreachable)
     */
    public Ipv4Input(UsernetConfig config, Ipv4Handler tcp, Ipv4Handler udp, Ipv4Handler icmp,
            Ipv4Handler unknownProtocol) {
        this.config = config;
        this.unknownProtocol = unknownProtocol;
        byProtocol[Ipv4Packet.PROTO_TCP] = tcp == null ? NONE : tcp;
        byProtocol[Ipv4Packet.PROTO_UDP] = udp == null ? NONE : udp;
        byProtocol[Ipv4Packet.PROTO_ICMP] = icmp == null ? NONE : icmp;
    }

    /** Handles the IPv4 packet at {@code buf[offset, offset + length)}; the buffer stays the caller's. */
    public void receive(ByteBuf buf, int offset, int length) {
        receive(buf, offset, length, false);
    }

    /**
     * {@link #receive(ByteBuf, int, int)}; with {@code checksumTrusted} the link vouches for the
     * transport checksum (the handlers see {@code Ipv4Packet.transportChecksumTrusted()}; a
     * reassembled datagram is checked again).
     */
    public void receive(ByteBuf buf, int offset, int length, boolean checksumTrusted) {
        ip.wrap(buf, offset, length);
        if (checksumTrusted) {
            ip.trustTransportChecksum();
        }
        try {
            if (!ip.check()) {
                malformed++;
            } else if (!ip.verifyChecksum()) {
                badChecksum++;
            } else if (ip.ttl() == 0) {
                ttlExpired++;
            } else if (ip.isFragment()) {
                fragments++;
                if (reassembler != null) {
                    reassemble(buf);
                }
            } else {
                dispatch();
            }
        } finally {
            ip.clear();
        }
    }

    /** Reassembles fragments with {@code r} from now on (without one they are dropped). */
    public void reassembleWith(Reassembler r) {
        this.reassembler = r;
    }

    private void reassemble(ByteBuf buf) {
        int protocol = ip.protocol();
        int offset = ip.fragmentOffset() * 8;
        int length = ip.payloadLength();
        fragment.key(FragmentFormat.IPV4, Inany.V4_HIGH, Inany.v4Low(ip.src()), Inany.V4_HIGH, Inany.v4Low(ip.dst()),
                        ip.identification(), protocol)
                .data(buf, ip.offset(), ip.headerLength(), protocol, ip.payloadOffset(), offset, length,
                        ip.moreFragments(), offset != 0 || length >= Reassembler.transportHeaderLength(protocol));
        reassembler.add(fragment, reassembledDelivery);
    }

    /** The whole datagram {@link #reassembler} made: dispatched as if it had come in one piece. */
    private void receiveReassembled(ByteBuf packet, int offset, int length) {
        ip.wrap(packet, offset, length);
        if (ip.check()) {
            dispatch();
        } else {
            malformed++;
        }
    }

    private void dispatch() {
        Ipv4Handler handler = byProtocol[ip.protocol()];
        if (handler == NONE) {
            noHandler++;
        } else if (handler != null) {
            delivered++;
            handler.receive(ip);
        } else {
            unknownProtocols++;
            // never an error about a broadcast (RFC 1122 3.2.2)
            if (unknownProtocol != null && isUnicast(ip.dst())) {
                unknownProtocol.receive(ip);
            }
        }
    }

    private boolean isUnicast(int dst) {
        return dst != config.broadcast() && dst != -1 && (dst >>> 28) != 0xE;
    }

    /** Packets handed to a transport handler. */
    public long delivered() {
        return delivered;
    }

    /** Packets whose header lengths or version did not add up. */
    public long malformed() {
        return malformed;
    }

    /** Packets with a wrong header checksum. */
    public long badChecksum() {
        return badChecksum;
    }

    /** Fragments received (reassembled, or dropped when there is no {@link Reassembler}). */
    public long fragments() {
        return fragments;
    }

    /** Packets that arrived with TTL 0. */
    public long ttlExpired() {
        return ttlExpired;
    }

    /** Packets of a protocol the stack does not speak (answered with protocol unreachable). */
    public long unknownProtocol() {
        return unknownProtocols;
    }

    /** TCP/UDP/ICMP packets dropped because the stack has no handler for them. */
    public long noHandler() {
        return noHandler;
    }
}
