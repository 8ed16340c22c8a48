package dev.jnet.usernet.udp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.ip.IpOutput;
import dev.jnet.usernet.nat.FlowTable;
import dev.jnet.usernet.wire.Inany;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * What {@link UdpNat} and {@link Udp6Nat} share, independent of the address family: the two
 * bounded flow tables (host destinations, DNS) with their idle timeouts, one host socket per
 * flow, the way back from a host socket to the guest (in place behind the headroom, else
 * copied, with the family's checksum and IP header from {@link IpOutput}) and the counters.
 * Flows hold their addresses as {@link Inany}. Subclasses parse and route guest datagrams and
 * report host-side errors as the family's ICMP.
 */
abstract class AbstractUdpNat implements AutoCloseable {
    /** The family's output: buffers with its headroom, its largest segment. */
    private final IpOutput out;
    private final UdpHostConnector connector;
    final FlowTable<Flow> flows;
    final FlowTable<Flow> dnsFlows;
    final UdpDatagram udp = new UdpDatagram();
    final UdpDatagram reply = new UdpDatagram();

    long malformed;
    long badChecksum;
    long unreachable;
    long dropped;
    private long oversized;
    private long fromHost;
    private long fromHostInPlace;
    private long openFailures;
    private int dnsGeneration;

    AbstractUdpNat(Scheduler scheduler, IpOutput out, UdpHostConnector connector, UdpNat.Limits limits) {
        this.out = out;
        this.connector = connector;
        this.flows = new FlowTable<>(scheduler, limits.flows(), limits.idleNanos(), Flow::close);
        this.dnsFlows = new FlowTable<>(scheduler, limits.dnsFlows(), limits.dnsIdleNanos(), Flow::close);
    }

    /**
     * Opens the host socket of a new flow to {@code target} and enters the flow in its table.
     *
     * @return false when the host gave no socket (e.g. EMFILE): the datagram is dropped and the
     *     caller tells the guest (ICMP unreachable); it may retry once fds free
     */
    final boolean open(FlowTable<Flow> table, Flow flow, InetSocketAddress target) {
        try {
            flow.socket = connector.open(target, flow);
        } catch (RuntimeException e) {
            openFailures++;
            return false;
        }
        table.put(flow.key, flow);
        return true;
    }

    /**
     * Drops every DNS flow once the resolvers changed ({@link DnsForwarder#generation}): their
     * sockets send to the old server; the guest's next query (or retry) opens a flow to the new.
     */
    final void followResolvers(DnsForwarder dns) {
        if (dns.generation() != dnsGeneration) {
            dnsGeneration = dns.generation();
            dnsFlows.clear();
        }
    }

    /** Sends the guest's datagram (the payload of {@link #udp}) out of the flow's host socket. */
    final void sendToHost(Flow flow) {
        flow.packetsFromGuest++;
        flow.bytesFromGuest += udp.payloadLength();
        flow.socket.send(udp.buffer().retainedSlice(udp.payloadOffset(), udp.payloadLength()));
    }

    /**
     * Sends a datagram the host socket heard to the guest, from the flow's original destination:
     * in place when the socket read it behind the NAT's HEADROOM bytes, else copied.
     */
    private void deliver(Flow flow, ByteBuf payload) {
        int len = payload.readableBytes();
        if (len > out.maxDatagramLength() - UdpDatagram.HEADER_LENGTH) {
            oversized++; // above what one IP datagram holds, even fragmented
            return;
        }
        fromHost++;
        flow.packetsToGuest++;
        flow.bytesToGuest += len;
        ByteBuf buf;
        int start = out.headroom();
        if (payload.readerIndex() == start + UdpDatagram.HEADER_LENGTH && payload.refCnt() == 1
                && payload.isDirect() && !payload.isReadOnly()) {
            fromHostInPlace++;
            buf = payload.retain(); // the socket's reader releases its reference after this call
        } else {
            buf = out.allocate(UdpDatagram.HEADER_LENGTH + len);
            buf.writerIndex(start + UdpDatagram.HEADER_LENGTH);
            buf.writeBytes(payload, payload.readerIndex(), len);
        }
        UdpDatagram.emitHeader(buf, start, flow.dstPort, flow.guestPort, len);
        flow.sendToGuest(buf, start, UdpDatagram.HEADER_LENGTH + len);
    }

    /** Every UDP and DNS flow, added to {@code into}; on the stack's thread. */
    public void flows(java.util.List<dev.jnet.usernet.FlowInfo> into) {
        long now = System.nanoTime();
        java.util.function.Consumer<Flow> add = f -> into.add(new dev.jnet.usernet.FlowInfo("udp",
                dev.jnet.usernet.FlowInfo.inany(f.guestHigh, f.guestLow), f.guestPort,
                dev.jnet.usernet.FlowInfo.inany(f.dstHigh, f.dstLow), f.dstPort, "open", f.bytesFromGuest,
                f.bytesToGuest, f.packetsFromGuest, f.packetsToGuest, (now - f.madeNanos) / 1_000_000));
        flows.forEach(add);
        dnsFlows.forEach(add);
    }

    /** Flows to host destinations. */
    public int flowCount() {
        return flows.size();
    }

    /** DNS flows (to the resolver). */
    public int dnsFlowCount() {
        return dnsFlows.size();
    }

    /** Flows closed because they were idle (both tables). */
    public long expiredFlows() {
        return flows.expirations() + dnsFlows.expirations();
    }

    /** Flows closed to make room (both tables). */
    public long evictedFlows() {
        return flows.evictions() + dnsFlows.evictions();
    }

    /** Datagrams from the guest with inconsistent lengths. */
    public long malformed() {
        return malformed;
    }

    /** Datagrams from the guest with a wrong checksum (over IPv6 also a missing, zero, one). */
    public long badChecksum() {
        return badChecksum;
    }

    /** ICMP unreachable messages sent to the guest. */
    public long unreachableSent() {
        return unreachable;
    }

    /** Broadcast and multicast datagrams dropped. */
    public long dropped() {
        return dropped;
    }

    /** Host datagrams too large for the guest link, dropped. */
    public long oversized() {
        return oversized;
    }

    /** Datagrams delivered from host sockets to the guest. */
    public long fromHost() {
        return fromHost;
    }

    /** Host sockets that could not be made (datagram dropped). */
    public long openFailures() {
        return openFailures;
    }

    /** Of those, datagrams forwarded in the buffer the host socket read them into. */
    public long fromHostInPlace() {
        return fromHostInPlace;
    }

    /** Closes every host socket. */
    @Override
    public void close() {
        flows.clear();
        dnsFlows.clear();
    }

    /**
     * Reports a host-side error of {@code flow} to the guest as the family's ICMP unreachable.
     *
     * @param icmpv4Code the error as an ICMPv4 unreachable code (how host sockets report them)
     */
    abstract void reportUnreachable(Flow flow, int icmpv4Code);

    /**
     * One flow: its table entry, ports, addresses ({@link Inany}) and host socket. The guest's
     * address may change over the flow's life where the family's key does not hold it (IPv4).
     */
    final class Flow implements UdpHostConnector.Receiver {
        private final FlowTable<Flow> table;
        final long key;
        final long dstHigh;
        final long dstLow;
        final int dstPort;
        long guestHigh;
        long guestLow;
        final int guestPort;
        UdpHostConnector.HostSocket socket;
        private boolean closed;
        long packetsFromGuest;
        long packetsToGuest;
        long bytesFromGuest;
        long bytesToGuest;
        private final long madeNanos = System.nanoTime();

        Flow(FlowTable<Flow> table, long key, long guestHigh, long guestLow, int guestPort, long dstHigh,
                long dstLow, int dstPort) {
            this.table = table;
            this.key = key;
            this.guestHigh = guestHigh;
            this.guestLow = guestLow;
            this.guestPort = guestPort;
            this.dstHigh = dstHigh;
            this.dstLow = dstLow;
            this.dstPort = dstPort;
        }

        /** Whether this is the flow of these addresses and ports (keys that are hashes can collide). */
        boolean is(long srcHigh, long srcLow, int srcPort, long high, long low, int port) {
            return guestHigh == srcHigh && guestLow == srcLow && guestPort == srcPort
                    && dstHigh == high && dstLow == low && dstPort == port;
        }

        /**
         * Fills the checksum of the UDP datagram at {@code start} (header written) and sends it
         * to the guest from the flow's destination.
         */
        void sendToGuest(ByteBuf buf, int start, int udpLength) {
            reply.wrap(buf, start, udpLength).fillChecksum(
                    out.pseudoHeaderSum(dstHigh, dstLow, guestHigh, guestLow, Ipv4Packet.PROTO_UDP, udpLength));
            reply.clear();
            out.send(buf, dstHigh, dstLow, guestHigh, guestLow, Ipv4Packet.PROTO_UDP);
        }

        @Override
        public void datagram(ByteBuf payload) {
            if (!closed) {
                table.touch(key);
                deliver(this, payload);
            }
        }

        @Override
        public void unreachable(int icmpCode) {
            if (!closed) {
                reportUnreachable(this, icmpCode);
            }
        }

        void close() {
            closed = true;
            if (socket != null) {
                socket.close();
            }
        }
    }
}
