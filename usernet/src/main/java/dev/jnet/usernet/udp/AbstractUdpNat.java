package dev.jnet.usernet.udp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.nat.FlowTable;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * What {@link UdpNat} and {@link Udp6Nat} share, independent of the address family: the two
 * bounded flow tables (host destinations, DNS) with their idle timeouts, one host socket per
 * flow, the way back from a host socket to the guest (in place behind the headroom, else
 * copied) and the counters. Subclasses parse and route guest datagrams, and their flows write
 * the family's checksum, IP header and ICMP errors.
 *
 * @param <F> the subclass's flow
 */
abstract class AbstractUdpNat<F extends AbstractUdpNat.HostFlow> implements AutoCloseable {
    /** Ethernet plus IP header: where the UDP header of a datagram to the guest starts. */
    private final int ipHeadroom;
    private final UdpHostConnector connector;
    final FlowTable<F> flows;
    final FlowTable<F> dnsFlows;
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

    AbstractUdpNat(Scheduler scheduler, UdpHostConnector connector, UdpNat.Limits limits, int ipHeadroom) {
        this.ipHeadroom = ipHeadroom;
        this.connector = connector;
        this.flows = new FlowTable<>(scheduler, limits.flows(), limits.idleNanos(), HostFlow::close);
        this.dnsFlows = new FlowTable<>(scheduler, limits.dnsFlows(), limits.dnsIdleNanos(), HostFlow::close);
    }

    /** The largest transport segment (UDP header included) the guest link carries. */
    abstract int maxTransportLength();

    /** A buffer with link and IP headroom whose writer index is at the UDP header. */
    abstract ByteBuf allocate(int transportCapacity);

    /**
     * Opens the host socket of a new flow to {@code target} and enters the flow in its table.
     *
     * @return false when the host gave no socket (e.g. EMFILE): the datagram is dropped and the
     *     caller tells the guest (ICMP unreachable); it may retry once fds free
     */
    final boolean open(FlowTable<F> table, F flow, InetSocketAddress target) {
        try {
            flow.socket = connector.open(target, flow);
        } catch (RuntimeException e) {
            openFailures++;
            return false;
        }
        table.put(flow.key, flow);
        return true;
    }

    /** Sends the guest's datagram (the payload of {@link #udp}) out of the flow's host socket. */
    final void sendToHost(F flow) {
        flow.socket.send(udp.buffer().retainedSlice(udp.payloadOffset(), udp.payloadLength()));
    }

    /**
     * Sends a datagram the host socket heard to the guest, from the flow's original destination:
     * in place when the socket read it behind the NAT's HEADROOM bytes, else copied.
     */
    private void deliver(HostFlow flow, ByteBuf payload) {
        int len = payload.readableBytes();
        if (len > maxTransportLength() - UdpDatagram.HEADER_LENGTH) {
            oversized++; // no fragmentation towards the guest
            return;
        }
        fromHost++;
        ByteBuf buf;
        int start = ipHeadroom;
        if (payload.readerIndex() == ipHeadroom + UdpDatagram.HEADER_LENGTH && payload.refCnt() == 1
                && payload.isDirect() && !payload.isReadOnly()) {
            fromHostInPlace++;
            buf = payload.retain(); // the socket's reader releases its reference after this call
        } else {
            buf = allocate(UdpDatagram.HEADER_LENGTH + len);
            buf.writerIndex(start + UdpDatagram.HEADER_LENGTH);
            buf.writeBytes(payload, payload.readerIndex(), len);
        }
        UdpDatagram.emitHeader(buf, start, flow.dstPort, flow.guestPort, len);
        flow.sendToGuest(buf, start, UdpDatagram.HEADER_LENGTH + len);
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

    /** One flow: its table entry, ports and host socket; the subclass adds the addresses. */
    abstract static class HostFlow implements UdpHostConnector.Receiver {
        private final AbstractUdpNat<?> nat;
        private final FlowTable<?> table;
        final long key;
        final int guestPort;
        final int dstPort;
        UdpHostConnector.HostSocket socket;
        private boolean closed;

        HostFlow(AbstractUdpNat<?> nat, FlowTable<?> table, long key, int guestPort, int dstPort) {
            this.nat = nat;
            this.table = table;
            this.key = key;
            this.guestPort = guestPort;
            this.dstPort = dstPort;
        }

        /**
         * Fills the checksum of the UDP datagram at {@code start} (header written) and sends it
         * to the guest from the flow's destination.
         */
        abstract void sendToGuest(ByteBuf buf, int start, int udpLength);

        /** Reports a host-side error to the guest as the family's ICMP unreachable. */
        abstract void reportUnreachable(int icmpv4Code);

        @Override
        public final void datagram(ByteBuf payload) {
            if (!closed) {
                table.touch(key);
                nat.deliver(this, payload);
            }
        }

        @Override
        public final void unreachable(int icmpCode) {
            if (!closed) {
                reportUnreachable(icmpCode);
            }
        }

        final void close() {
            closed = true;
            if (socket != null) {
                socket.close();
            }
        }
    }
}
