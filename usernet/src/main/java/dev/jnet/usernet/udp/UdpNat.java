package dev.jnet.usernet.udp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp.Icmpv4Errors;
import dev.jnet.usernet.ip.Ipv4Handler;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.nat.FlowTable;
import dev.jnet.usernet.nat.HostRedirect;
import dev.jnet.usernet.wire.Inany;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * UDP from the guest, NATed to host sockets with slirp4netns's semantics. A flow is (guest
 * source port, destination address, destination port) and owns one host socket sending to
 * {@link AddressMap#hostAddress} of the destination (the resolver, for DNS at .3:53); what the
 * socket hears goes back to the guest as UDP from the address and port the guest sent to.
 * Flows expire when idle in either direction (libslirp: 240 s; DNS, which is one exchange,
 * 10 s) and live in bounded tables whose least recently used flow makes room for a new one.
 * Destinations that map to nothing get ICMP unreachable; so do host-side errors.
 */
public final class UdpNat extends AbstractUdpNat implements Ipv4Handler {
    /**
     * Where a host datagram should start in its buffer to be forwarded in place: after the
     * guest's Ethernet, IPv4 and UDP headers.
     */
    public static final int HEADROOM = Ipv4Output.HEADROOM + UdpDatagram.HEADER_LENGTH;

    /** Table sizes and idle timeouts. */
    public record Limits(int flows, long idleNanos, int dnsFlows, long dnsIdleNanos) {
        /** libslirp's timeouts (SO_EXPIRE, SO_EXPIREFAST), a table of 4096 flows, 256 DNS flows. */
        public static final Limits DEFAULT = new Limits(4096, TimeUnit.SECONDS.toNanos(240),
                256, TimeUnit.SECONDS.toNanos(10));
    }

    private final UsernetConfig config;
    private final Ipv4Output out;
    private final AddressMap map;
    private final DnsForwarder dns;
    private final Icmpv4Errors errors = new Icmpv4Errors();
    private final Ipv4Packet quoted = new Ipv4Packet();

    /** Who sees guest datagrams before the NAT routes them (the port forwards' replies), or null. */
    private GuestDatagramClaim claim;
    /** The gateway's own UDP service (DHCP), or null. */
    private GatewayService<Ipv4Packet> gatewayService;

    public UdpNat(UsernetConfig config, Scheduler scheduler, Ipv4Output out, AddressMap map, DnsForwarder dns,
            UdpHostConnector connector, Limits limits) {
        super(scheduler, out, connector, limits);
        this.config = config;
        this.out = out;
        this.map = map;
        this.dns = dns;
    }

    @Override
    public void receive(Ipv4Packet ip) {
        udp.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength());
        try {
            if (!udp.check()) {
                malformed++;
                return;
            }
            if (!ip.transportChecksumTrusted() && !udp.verifyChecksumIpv4(ip.src(), ip.dst())) {
                badChecksum++;
                return;
            }
            if ((gatewayService == null || !gatewayService.serve(ip, udp))
                    && (claim == null || !claim.claim(ip, udp))) {
                route(ip);
            }
        } finally {
            udp.clear();
        }
    }

    private void route(Ipv4Packet ip) {
        int dst = ip.dst();
        int dstPort = udp.dstPort();
        switch (map.classify(HostRedirect.UDP, dst, dstPort)) {
            case HOST -> forward(ip, flows, null);
            case DNS -> {
                InetSocketAddress upstream = dns.upstream();
                followResolvers(dns);
                if (upstream == null) {
                    refuse(ip, Icmpv4Errors.CODE_PORT_UNREACHABLE);
                } else {
                    forward(ip, dnsFlows, upstream);
                }
            }
            case UNREACHABLE -> refuse(ip, dst == config.gateway() || dst == config.dnsAddress()
                    ? Icmpv4Errors.CODE_PORT_UNREACHABLE : Icmpv4Errors.CODE_HOST_UNREACHABLE);
        }
    }

    private void refuse(Ipv4Packet ip, int code) {
        int dst = ip.dst();
        if (dst == config.broadcast() || dst == -1 || (dst >>> 28) == 0xE) {
            dropped++; // broadcast, multicast (DHCP, mDNS): silently, never an error (RFC 1122)
            return;
        }
        unreachable++;
        errors.sendUnreachable(out, ip, code);
    }

    /** @param remote the host destination, or {@code null} for the destination's host address */
    private void forward(Ipv4Packet ip, FlowTable<Flow> table, InetSocketAddress remote) {
        int dst = ip.dst();
        int dstPort = udp.dstPort();
        int srcPort = udp.srcPort();
        long key = ((long) srcPort << 48) | ((long) dstPort << 32) | (dst & 0xFFFF_FFFFL);
        Flow flow = table.get(key);
        if (flow == null) {
            InetSocketAddress target = remote != null ? remote
                    : map.hostSocketAddress(HostRedirect.UDP, dst, dstPort);
            flow = new Flow(table, key, Inany.V4_HIGH, Inany.v4Low(ip.src()), srcPort, Inany.V4_HIGH,
                    Inany.v4Low(dst), dstPort);
            if (!open(table, flow, target)) {
                // no host socket (EMFILE, ENFILE): the guest hears of it at once, as of any unreachable
                refuse(ip, Icmpv4Errors.CODE_HOST_UNREACHABLE);
                return;
            }
        }
        flow.guestLow = Inany.v4Low(ip.src()); // the key holds no guest address: the latest one answers
        sendToHost(flow);
    }

    /**
     * Reports a host-side error to the guest: ICMP unreachable quoting a header rebuilt from the
     * flow (the guest's kernel matches it to its socket by addresses and ports).
     */
    @Override
    void reportUnreachable(Flow flow, int code) {
        int total = Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH;
        ByteBuf orig = Unpooled.buffer(total, total); // rare: an error, not a data packet
        Ipv4Packet.emitHeader(orig, 0, Inany.v4(flow.guestLow), Inany.v4(flow.dstLow), Ipv4Packet.PROTO_UDP, 64, 0,
                UdpDatagram.HEADER_LENGTH);
        UdpDatagram.emitHeader(orig, Ipv4Packet.MIN_HEADER_LENGTH, flow.guestPort, flow.dstPort, 0);
        orig.writerIndex(total);
        quoted.wrap(orig, 0, total);
        unreachable++;
        errors.sendUnreachable(out, quoted, code);
        quoted.clear();
    }

    /** Takes guest datagrams before the NAT routes them: a port forward's replies to its clients. */
    @FunctionalInterface
    public interface GuestDatagramClaim {
        /**
         * @param udp the checked datagram of {@code ip}; both valid during the call only
         * @return whether the datagram was consumed
         */
        boolean claim(Ipv4Packet ip, UdpDatagram udp);
    }

    /** Installs the one claim (port forwarding); {@code null} removes it. */
    public void claimGuestDatagrams(GuestDatagramClaim claim) {
        this.claim = claim;
    }

    /** Installs the gateway's UDP service; {@code null} removes it. */
    public void serveOnGateway(GatewayService<Ipv4Packet> service) {
        this.gatewayService = service;
    }
}
