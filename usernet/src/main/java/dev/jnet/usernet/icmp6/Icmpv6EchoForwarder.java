package dev.jnet.usernet.icmp6;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.icmp.AbstractEchoForwarder;
import dev.jnet.usernet.icmp.Echo6Sockets;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import java.net.Inet6Address;

/**
 * ICMPv6 echo requests from the guest to outside hosts, sent from host ICMPv6 datagram
 * sockets: the IPv6 twin of {@link dev.jnet.usernet.icmp.IcmpEchoForwarder}. A flow is
 * (guest echo identifier, destination) with one socket; replies get the guest's identifier
 * back and a checksum for the guest's addresses, and come from the destination it pinged.
 * Where the kernel refuses ping sockets ({@code EACCES}) forwarding is silently off. Flows
 * live in a bounded table keyed by a hash of the flow; a colliding flow replaces the older.
 */
public final class Icmpv6EchoForwarder extends AbstractEchoForwarder<Icmpv6EchoForwarder.Flow> {
    /** errno when the host has no IPv6 at all. */
    static final int EAFNOSUPPORT = 97;

    private final Ipv6Output out;
    private final Echo6Sockets sockets;
    private final Icmpv6Packet icmp = new Icmpv6Packet();

    public Icmpv6EchoForwarder(Scheduler scheduler, Ipv6Output out, Echo6Sockets sockets, int maxFlows,
            long idleNanos) {
        super(scheduler, out, maxFlows, idleNanos);
        this.out = out;
        this.sockets = sockets;
    }

    /** Forwards the guest's echo request {@code echo} (inside {@code ip}) to {@code host}. */
    public void forward(Ipv6Packet ip, Icmpv6Packet echo, Inet6Address host) {
        if (refusing()) {
            return;
        }
        long dstHigh = ip.dstHigh();
        long dstLow = ip.dstLow();
        int id = echo.echoIdentifier();
        long key = flowKey(dstHigh, dstLow, id);
        Flow flow = flows.get(key);
        if (flow != null && !flow.is(dstHigh, dstLow, id)) {
            flows.remove(key); // hash collision: the newer flow wins
            flow = null;
        }
        if (flow == null) {
            flow = new Flow(key, id, dstHigh, dstLow);
            if (!add(flow, receiver -> sockets.open(host, receiver))) {
                return;
            }
        }
        flow.guestHigh = ip.srcHigh();
        flow.guestLow = ip.srcLow();
        send(flow, echo);
    }

    /** Also a host without IPv6 at all: that will not change either. */
    @Override
    protected boolean refusedForGood(int errno) {
        return super.refusedForGood(errno) || errno == EAFNOSUPPORT;
    }

    static long flowKey(long high, long low, int id) {
        long h = high * 0x9E37_79B9_7F4A_7C15L ^ low;
        h = (h ^ (h >>> 29)) * 0xBF58_476D_1CE4_E5B9L;
        return h ^ (h >>> 32) ^ ((long) id << 48);
    }

    final class Flow extends EchoFlow {
        final long dstHigh;
        final long dstLow;
        long guestHigh;
        long guestLow;

        Flow(long key, int guestId, long dstHigh, long dstLow) {
            super(Icmpv6EchoForwarder.this, key, guestId);
            this.dstHigh = dstHigh;
            this.dstLow = dstLow;
        }

        boolean is(long high, long low, int id) {
            return dstHigh == high && dstLow == low && guestId == id;
        }

        @Override
        protected String guestText() {
            return dev.jnet.usernet.FlowInfo.address(true, guestHigh, guestLow);
        }

        @Override
        protected String remoteText() {
            return dev.jnet.usernet.FlowInfo.address(true, dstHigh, dstLow);
        }

        @Override
        protected boolean rewriteReply(ByteBuf message) {
            int length = message.readableBytes();
            icmp.wrap(message, message.readerIndex(), length);
            try {
                if (!icmp.check() || icmp.type() != Icmpv6Packet.TYPE_ECHO_REPLY) {
                    return false;
                }
                icmp.setEchoIdentifier(guestId).fillChecksum(NeighborDiscovery.pseudoHeader(
                        dstHigh, dstLow, guestHigh, guestLow, length));
                return true;
            } finally {
                icmp.clear();
            }
        }

        @Override
        protected void sendToGuest(ByteBuf message) {
            out.send(message, dstHigh, dstLow, guestHigh, guestLow, Ipv6Packet.NH_ICMPV6);
        }
    }
}
