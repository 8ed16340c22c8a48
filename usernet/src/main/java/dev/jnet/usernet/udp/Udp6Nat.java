package dev.jnet.usernet.udp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp6.Icmpv6Errors;
import dev.jnet.usernet.ip.Ipv6Handler;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.nat.FlowTable;
import dev.jnet.usernet.nat.HostRedirect;
import dev.jnet.usernet.wire.Ipv6Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;

/**
 * UDP over IPv6 from the guest, NATed to host sockets: the IPv6 twin of {@link UdpNat}, with
 * the same flow semantics, timeouts and bounds ({@link UdpNat.Limits}). A flow is (guest
 * address and port, destination address and port) and owns one host socket: to the host's ::1
 * for prefix::2 (unless host loopback is disabled), to the resolver for prefix::3 port 53 (an
 * IPv4 resolver too: the socket's family follows the resolver), to the destination itself
 * otherwise. Replies come from the address and port the guest sent to. Flows are keyed by a
 * hash; a colliding flow replaces the older one. Unreachable destinations get ICMPv6
 * destination unreachable; so do host-side errors.
 */
public final class Udp6Nat extends AbstractUdpNat implements Ipv6Handler {
    /** Where a host datagram should start to be forwarded in place: after Ethernet, IPv6, UDP. */
    public static final int HEADROOM = Ipv6Output.HEADROOM + UdpDatagram.HEADER_LENGTH;

    private final UsernetConfig config;
    private final Ipv6Output out;
    private final AddressMap map;
    private final DnsForwarder dns;
    private final Icmpv6Errors errors = new Icmpv6Errors();
    private final Ipv6Packet quoted = new Ipv6Packet();

    /** Who sees guest datagrams before the NAT routes them (the port forwards' replies), or null. */
    private GuestDatagramClaim claim;
    /** The gateway's own UDP service (DHCPv6), or null. */
    private GatewayService<Ipv6Packet> gatewayService;

    public Udp6Nat(UsernetConfig config, Scheduler scheduler, Ipv6Output out, AddressMap map, DnsForwarder dns,
            UdpHostConnector connector, UdpNat.Limits limits) {
        super(scheduler, out, connector, limits);
        this.config = config;
        this.out = out;
        this.map = map;
        this.dns = dns;
    }

    @Override
    public void receive(Ipv6Packet ip, int nextHeader, int transportOffset, int transportLength) {
        udp.wrap(ip.buffer(), transportOffset, transportLength);
        try {
            if (!udp.check()) {
                malformed++;
                return;
            }
            // the checksum is mandatory over IPv6 (RFC 8200 8.1): zero is an error, not "none"
            if (!ip.transportChecksumTrusted() && !udp.verifyChecksumIpv6(ip)) {
                badChecksum++;
                return;
            }
            if ((gatewayService == null || !gatewayService.serve(ip, udp))
                    && (claim == null || !claim.claim(ip, udp))) {
                route(ip, transportOffset);
            }
        } finally {
            udp.clear();
        }
    }

    private void route(Ipv6Packet ip, int transportOffset) {
        long dstHigh = ip.dstHigh();
        long dstLow = ip.dstLow();
        switch (map.classify6(HostRedirect.UDP, dstHigh, dstLow, udp.dstPort())) {
            case HOST -> forward(ip, transportOffset, flows, null);
            case DNS -> {
                InetSocketAddress upstream = dns.upstream(true);
                followResolvers(dns);
                if (upstream == null) {
                    refuse(ip, transportOffset, Icmpv6Errors.CODE_PORT_UNREACHABLE);
                } else {
                    forward(ip, transportOffset, dnsFlows, upstream);
                }
            }
            case UNREACHABLE -> {
                boolean ours = config.ipv6().isGateway(dstHigh, dstLow) || config.ipv6().isDns(dstHigh, dstLow);
                refuse(ip, transportOffset, ours ? Icmpv6Errors.CODE_PORT_UNREACHABLE
                        : Icmpv6Errors.CODE_ADDRESS_UNREACHABLE);
            }
        }
    }

    private void refuse(Ipv6Packet ip, int transportOffset, int code) {
        if (errors.sendUnreachable(out, ip, Ipv6Packet.NH_UDP, transportOffset, code)) {
            unreachable++;
        } else {
            dropped++; // multicast (mDNS, LLMNR, DHCPv6): silently
        }
    }

    /** @param remote the host destination, or {@code null} for the destination's host address */
    private void forward(Ipv6Packet ip, int transportOffset, FlowTable<Flow> table, InetSocketAddress remote) {
        long dstHigh = ip.dstHigh();
        long dstLow = ip.dstLow();
        long srcHigh = ip.srcHigh();
        long srcLow = ip.srcLow();
        int dstPort = udp.dstPort();
        int srcPort = udp.srcPort();
        long key = flowKey(srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort);
        Flow flow = table.get(key);
        if (flow != null && !flow.is(srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort)) {
            table.remove(key); // hash collision: the newer flow wins
            flow = null;
        }
        if (flow == null) {
            InetSocketAddress target = remote != null ? remote
                    : map.hostSocketAddress6(HostRedirect.UDP, dstHigh, dstLow, dstPort);
            flow = new Flow(table, key, srcHigh, srcLow, srcPort, dstHigh, dstLow, dstPort);
            if (!open(table, flow, target)) {
                // no host socket (EMFILE, ENFILE): the guest hears of it at once, as of any unreachable
                refuse(ip, transportOffset, Icmpv6Errors.CODE_ADDRESS_UNREACHABLE);
                return;
            }
        }
        sendToHost(flow);
    }

    static long flowKey(long srcHigh, long srcLow, int srcPort, long dstHigh, long dstLow, int dstPort) {
        long h = mix(srcHigh) ^ Long.rotateLeft(mix(srcLow), 17) ^ Long.rotateLeft(mix(dstHigh), 31)
                ^ Long.rotateLeft(mix(dstLow), 47);
        return mix(h ^ ((long) srcPort << 16 | dstPort));
    }

    private static long mix(long v) {
        v = (v ^ (v >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        v = (v ^ (v >>> 33)) * 0xC4CE_B9FE_1A85_EC53L;
        return v ^ (v >>> 33);
    }

    /** A host-side error as ICMPv6 unreachable quoting a packet rebuilt from the flow. */
    @Override
    void reportUnreachable(Flow flow, int icmpv4Code) {
        int total = Ipv6Packet.HEADER_LENGTH + UdpDatagram.HEADER_LENGTH;
        ByteBuf orig = Unpooled.buffer(total, total); // rare: an error, not a data packet
        orig.writerIndex(total);
        quoted.wrap(orig, 0, total).setVersionTrafficClassFlowLabel(0, 0)
                .setPayloadLength(UdpDatagram.HEADER_LENGTH).setNextHeader(Ipv6Packet.NH_UDP).setHopLimit(64)
                .setSrc(flow.guestHigh, flow.guestLow).setDst(flow.dstHigh, flow.dstLow);
        UdpDatagram.emitHeader(orig, Ipv6Packet.HEADER_LENGTH, flow.guestPort, flow.dstPort, 0);
        if (errors.sendUnreachable(out, quoted, Ipv6Packet.NH_UDP, Ipv6Packet.HEADER_LENGTH,
                Icmpv6Errors.fromIcmpv4Code(icmpv4Code))) {
            unreachable++;
        }
        quoted.clear();
    }

    /** Takes guest datagrams before the NAT routes them: a port forward's replies to its clients. */
    @FunctionalInterface
    public interface GuestDatagramClaim {
        /**
         * @param udp the checked datagram of {@code ip}; both valid during the call only
         * @return whether the datagram was consumed
         */
        boolean claim(Ipv6Packet ip, UdpDatagram udp);
    }

    /** Installs the one claim (port forwarding); {@code null} removes it. */
    public void claimGuestDatagrams(GuestDatagramClaim claim) {
        this.claim = claim;
    }

    /** Installs the gateway's UDP service; {@code null} removes it. */
    public void serveOnGateway(GatewayService<Ipv6Packet> service) {
        this.gatewayService = service;
    }
}
