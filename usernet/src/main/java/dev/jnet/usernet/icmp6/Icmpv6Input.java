package dev.jnet.usernet.icmp6;

import dev.jnet.usernet.ip.Ipv6Handler;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.nat.HostRedirect;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.net.Inet6Address;

/**
 * ICMPv6 from the guest: checksum checked, neighbour discovery to {@link NeighborDiscovery},
 * echo requests to the stack's own addresses (prefix::2, prefix::3, the gateway's link-local
 * address) answered here, echo requests to outside hosts forwarded through ping sockets, echo
 * requests to other unicast addresses answered with address unreachable; everything else
 * (MLD reports, errors, replies) is dropped and counted.
 */
public final class Icmpv6Input implements Ipv6Handler, AutoCloseable {
    /** NDP redirect, the last of the NDP types 133..137. */
    static final int TYPE_REDIRECT = 137;
    private final Ipv6Output out;
    private final AddressMap map;
    private final NeighborDiscovery ndp;
    private final Icmpv6EchoForwarder forwarder;
    private final Icmpv6Errors errors = new Icmpv6Errors();
    private final Icmpv6Packet icmp = new Icmpv6Packet();
    private final Icmpv6Packet reply = new Icmpv6Packet();
    private long answered;
    private long badChecksum;
    private long unreachable;
    private long dropped;

    /** @param forwarder echo to outside hosts, or {@code null} to drop those requests */
    public Icmpv6Input(Ipv6Output out, AddressMap map, NeighborDiscovery ndp, Icmpv6EchoForwarder forwarder) {
        this.out = out;
        this.map = map;
        this.ndp = ndp;
        this.forwarder = forwarder;
    }

    @Override
    public void receive(Ipv6Packet ip, int nextHeader, int transportOffset, int transportLength) {
        icmp.wrap(ip.buffer(), transportOffset, transportLength);
        try {
            if (!icmp.check()) {
                dropped++;
                return;
            }
            if (!icmp.verifyChecksum(ip)) {
                badChecksum++;
                return;
            }
            int type = icmp.type();
            if (type >= Icmpv6Packet.TYPE_ROUTER_SOLICITATION && type <= TYPE_REDIRECT) {
                ndp.receive(ip, icmp);
            } else if (type == Icmpv6Packet.TYPE_ECHO_REQUEST && icmp.code() == 0) {
                echo(ip, nextHeader, transportOffset);
            } else {
                dropped++;
            }
        } finally {
            icmp.clear();
        }
    }

    private void echo(Ipv6Packet ip, int nextHeader, int transportOffset) {
        long dstHigh = ip.dstHigh();
        long dstLow = ip.dstLow();
        if (ndp.isOwnAddress(dstHigh, dstLow)) {
            answer(ip);
        } else if (map.classify6(HostRedirect.ECHO, dstHigh, dstLow, 0) == AddressMap.Kind.HOST) {
            if (forwarder != null) {
                forwarder.forward(ip, icmp, (Inet6Address) map.hostInetAddress6(dstHigh, dstLow));
            } else {
                dropped++;
            }
        } else if (errors.sendUnreachable(out, ip, nextHeader, transportOffset,
                Icmpv6Errors.CODE_ADDRESS_UNREACHABLE)) {
            unreachable++;
        } else {
            dropped++; // multicast echo: the stack is not a group member
        }
    }

    private void answer(Ipv6Packet ip) {
        int len = icmp.length();
        ByteBuf buf = out.allocate(len);
        int start = buf.writerIndex();
        buf.writeBytes(icmp.buffer(), icmp.offset(), len);
        reply.wrap(buf, start, len).setType(Icmpv6Packet.TYPE_ECHO_REPLY).fillChecksum(NeighborDiscovery.pseudoHeader(
                ip.dstHigh(), ip.dstLow(), ip.srcHigh(), ip.srcLow(), len));
        reply.clear();
        answered++;
        out.send(buf, ip.dstHigh(), ip.dstLow(), ip.srcHigh(), ip.srcLow(), Ipv6Packet.NH_ICMPV6);
    }

    /** Echo requests answered by the stack itself. */
    public long answered() {
        return answered;
    }

    /** Messages with a wrong checksum. */
    public long badChecksum() {
        return badChecksum;
    }

    /** Echo requests answered with destination unreachable. */
    public long unreachableSent() {
        return unreachable;
    }

    /** Messages neither answered, forwarded nor handed to neighbour discovery. */
    public long dropped() {
        return dropped;
    }

    /** The echo forwarder, or {@code null}. */
    public Icmpv6EchoForwarder forwarder() {
        return forwarder;
    }

    @Override
    public void close() {
        if (forwarder != null) {
            forwarder.close();
        }
    }
}
