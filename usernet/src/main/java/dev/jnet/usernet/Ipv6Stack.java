package dev.jnet.usernet;

import dev.jnet.usernet.dhcp.Dhcp6Server;
import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp.Echo6Sockets;
import dev.jnet.usernet.icmp.IcmpEchoForwarder;
import dev.jnet.usernet.icmp6.Icmpv6EchoForwarder;
import dev.jnet.usernet.icmp6.Icmpv6Input;
import dev.jnet.usernet.icmp6.NeighborDiscovery;
import dev.jnet.usernet.ip.Ipv6Handler;
import dev.jnet.usernet.ip.Ipv6Input;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.udp.Udp6Nat;
import dev.jnet.usernet.udp.UdpHostConnector;
import dev.jnet.usernet.udp.UdpNat;
import io.netty.buffer.ByteBuf;

/**
 * The IPv6 half of a {@link Stack} (-6/--enable-ipv6): the IPv6 input, neighbour discovery and
 * router advertisements, ICMPv6 (echo answered and forwarded), UDP over IPv6 with DNS at
 * prefix::3, and the TCP handler it is given. Owned by the stack's thread.
 */
// members that name the internal transports (udp, icmp, dns) are for wiring inside the module and its tests
@SuppressWarnings("exports")
public final class Ipv6Stack implements AutoCloseable {
    private final Ipv6Output out;
    private final Ipv6Input input;
    private final NeighborDiscovery ndp;
    private final Icmpv6Input icmp;
    private final Udp6Nat udp;
    private final Ipv6Handler tcp;

    public Ipv6Stack(Ipv6Output out, NeighborDiscovery ndp, Icmpv6Input icmp, Udp6Nat udp, Ipv6Handler tcp) {
        this.out = out;
        this.ndp = ndp;
        this.icmp = icmp;
        this.udp = udp;
        this.tcp = tcp;
        this.input = new Ipv6Input(out, tcp, udp, icmp);
    }

    /**
     * The IPv6 parts over {@code out}: host UDP sockets from {@code udpSockets} (made with {@link
     * Udp6Nat#HEADROOM}), echo forwarding through {@code echoSockets} ({@code null}: none).
     *
     * @param tcp TCP over IPv6, or {@code null} to drop it
     */
    public static Ipv6Stack create(UsernetConfig config, Scheduler scheduler, Ipv6Output out, AddressMap map,
            DnsForwarder dns, UdpHostConnector udpSockets, Echo6Sockets echoSockets, Ipv6Handler tcp) {
        return create(config, scheduler, out, map, dns, udpSockets, echoSockets, tcp, UdpNat.Limits.DEFAULT,
                IcmpEchoForwarder.MAX_FLOWS);
    }

    /** As above, with the UDP NAT's limits and the number of echo flows (sized to the fd limit). */
    public static Ipv6Stack create(UsernetConfig config, Scheduler scheduler, Ipv6Output out, AddressMap map,
            DnsForwarder dns, UdpHostConnector udpSockets, Echo6Sockets echoSockets, Ipv6Handler tcp,
            UdpNat.Limits udpLimits, int echoFlows) {
        if (config.ipv6() == null) {
            throw new IllegalArgumentException("IPv6 is off in " + config);
        }
        NeighborDiscovery ndp = new NeighborDiscovery(config, scheduler, out);
        Icmpv6EchoForwarder forwarder = echoSockets == null ? null : new Icmpv6EchoForwarder(scheduler, out,
                echoSockets, echoFlows, IcmpEchoForwarder.IDLE_NANOS);
        Icmpv6Input icmp = new Icmpv6Input(out, map, ndp, forwarder);
        Udp6Nat udp = new Udp6Nat(config, scheduler, out, map, dns, udpSockets, udpLimits);
        if (config.services().dhcp6()) {
            udp.serveOnGateway(new Dhcp6Server(config, out));
        }
        return new Ipv6Stack(out, ndp, icmp, udp, tcp);
    }

    /** Sends the start-up router advertisement and starts the periodic ones (on the stack's thread). */
    public void start() {
        ndp.start();
    }

    /** Handles the IPv6 packet at {@code buf[offset, offset + length)}; the buffer stays the caller's. */
    public void receive(ByteBuf buf, int offset, int length) {
        input.receive(buf, offset, length, false);
    }

    /** {@link #receive(ByteBuf, int, int)}, TCP/UDP checksums vouched for by the link if {@code checksumTrusted}. */
    public void receive(ByteBuf buf, int offset, int length, boolean checksumTrusted) {
        input.receive(buf, offset, length, checksumTrusted);
    }

    public Ipv6Output output() {
        return out;
    }

    public Ipv6Input input() {
        return input;
    }

    public NeighborDiscovery ndp() {
        return ndp;
    }

    public Icmpv6Input icmp() {
        return icmp;
    }

    public Udp6Nat udp() {
        return udp;
    }

    /** Stops the advertisements and closes the UDP and echo sockets (TCP is the caller's). */
    @Override
    public void close() {
        ndp.close();
        try {
            udp.close();
        } finally {
            icmp.close();
        }
    }

    /** {ipv6Delivered, ipv6Malformed, ipv6Fragments, udp6Flows, dns6Flows, icmp6Flows, icmp6Answered,
     *  routerAdvertisements}, as {@link StackStats} orders them; on the loop. */
    long[] counters() {
        return new long[] {input.delivered(), input.malformed(), input.fragments(), udp == null ? 0 : udp.flowCount(),
            udp == null ? 0 : udp.dnsFlowCount(), icmp.forwarder() == null ? 0 : icmp.forwarder().flowCount(),
            icmp.answered(), ndp.routerAdvertisements()};
    }

    /** The UDP flows over IPv6, added to {@code into}; on the loop. */
    void flows(java.util.List<FlowInfo> into) {
        if (udp != null) {
            udp.flows(into);
        }
    }
}
