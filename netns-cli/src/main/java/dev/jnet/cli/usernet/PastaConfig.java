package dev.jnet.cli.usernet;

import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpAddress;
import dev.jnet.usernet.DnsAnnouncement;
import dev.jnet.usernet.HostUplink;
import dev.jnet.usernet.HostUplink6;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.LinkServices;
import dev.jnet.usernet.PastaAddresses;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.dns.ResolvConf;
import dev.jnet.usernet.forward.AutoForwards;
import dev.jnet.usernet.forward.HostForward;
import dev.jnet.usernet.forward.NamespaceForwards;
import dev.jnet.usernet.wire.DnsName;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * pasta's options as usernet's settings: the address plan (the host's address, prefix and
 * gateway copied from its default-route interface unless {@code -a}, {@code -n}, {@code -g}
 * say otherwise), MTU 65520, {@code --dns-forward} (to {@code -D}'s resolvers, else the host's),
 * what DHCP/NDP announce ({@code --dhcp-dns}, {@code --dhcp-search}), {@code --map-gw}/{@code --no-map-gw},
 * {@code --map-guest-addr}, and the port forwards of {@code -t} and {@code -u}.
 */
final class PastaConfig {
    /** pasta's MTU in pasta mode (ETH_MAX_MTU rounded down to a multiple of 8 less the Ethernet header). */
    static final int DEFAULT_MTU = 65520;
    static final String DEFAULT_IFNAME = "tap0";
    private static final int DNS_PORT = 53;
    /** With {@code -6} on a host without IPv4: libslirp's addresses for the stack's unused IPv4 side. */
    private static final HostUplink UNCONFIGURED_IPV4 = new HostUplink(DEFAULT_IFNAME, 0x0a00_0264, 24, 0x0a00_0202);

    private PastaConfig() {}

    /**
     * The stack's settings for {@code a}; {@code uplink} and {@code uplink6} are the host's, if
     * it has them. IPv6 as pasta: the host's address and gateway copied when the host has an
     * IPv6 uplink (none with {@code -4}; without one, IPv4 only); with {@code -6} only IPv6 is
     * configured in the namespace (and an IPv6 uplink is needed).
     */
    static UsernetConfig of(PastaArgs a, Optional<HostUplink> uplink, Optional<HostUplink6> uplink6) {
        if (a.ipv6Only && uplink6.isEmpty()) {
            throw noUplink();
        }
        if (a.ipv6Only && uplink.isEmpty() && a.address == null && a.gateway == null) {
            uplink = Optional.of(UNCONFIGURED_IPV4); // the stack's IPv4 side, never configured in the namespace
        }
        int guest = a.address != null ? ipv4(a.address, "Invalid address: ")
                : uplink.map(HostUplink::address).orElseThrow(PastaConfig::noUplink);
        int prefix;
        if (a.netmask != null) {
            prefix = prefix(a.netmask);
        } else if (uplink.isPresent() && uplink.get().address() == guest) {
            prefix = uplink.get().prefixLength();
        } else {
            prefix = classful(guest);
        }
        int gateway = a.gateway != null ? ipv4(a.gateway, "Invalid gateway address: ")
                : uplink.map(HostUplink::gateway).filter(g -> g != 0).orElseThrow(PastaConfig::noUplink);
        int mtu = a.mtu == null ? DEFAULT_MTU : mtu(a.mtu);
        int dnsForward = a.dnsForward == null ? 0 : ipv4(a.dnsForward, "Invalid DNS forwarding address: ");
        long[] address6 = a.address6 == null ? null : ipv6(a.address6, "Invalid address: ");
        long[] gateway6 = a.gateway6 == null ? null : ipv6(a.gateway6, "Invalid gateway address: ");
        long[] dnsForward6 = a.dnsForward6 == null ? null : ipv6(a.dnsForward6, "Invalid DNS forwarding address: ");
        int mapGuest = 0;
        int hostAddress = 0;
        if (a.mapGuestAddr != null) {
            mapGuest = ipv4(a.mapGuestAddr, "Invalid address to remap to host: ");
            hostAddress = uplink.map(HostUplink::address)
                    .orElseThrow(() -> new PastaArgs.Bad("--map-guest-addr: the host has no IPv4 address to map it to"));
        }
        List<InetAddress> dns = dnsServers(a);
        if (dnsForward == 0 && resolverAtGateway(a, dns, UsernetConfig.defaults())) {
            dnsForward = gateway;
        }
        try {
            PastaAddresses plan = new PastaAddresses(guest, gateway, dnsForward, mapGuest, hostAddress, !a.ipv6Only);
            UsernetConfig config = UsernetConfig.defaults().withMtu(mtu).withPasta(plan, prefix)
                    .withHostLoopback(!a.noMapGw).withDns(dnsForward != 0 || dnsForward6 != null);
            if (a.macAddr != null) {
                config = config.withGatewayMac(mac(a.macAddr));
            }
            if (a.nsMacAddr != null) {
                config = config.withGuestMac(mac(a.nsMacAddr));
            }
            for (String o : a.outbound) {
                InetAddress addr = outbound(o);
                boolean v4 = addr instanceof Inet4Address;
                if ((v4 ? config.outboundAddr() : config.outboundAddr6()) != null) {
                    throw new PastaArgs.Bad("Invalid or redundant outbound address: " + o);
                }
                config = v4 ? config.withOutboundAddr(addr) : config.withOutboundAddr6(addr);
            }
            if (a.noDns || !dns.isEmpty()) {
                config = config.withDnsServers(dns.stream().map(d -> new InetSocketAddress(d, DNS_PORT)).toList());
            }
            if (uplink6.isPresent() && !a.ipv4Only) {
                HostUplink6 u = uplink6.get();
                long[] addr = address6 != null ? address6 : new long[] {u.addressHigh(), u.addressLow()};
                long[] gw = gateway6 != null ? gateway6 : new long[] {u.gatewayHigh(), u.gatewayLow()};
                Ipv6Config v6 = Ipv6Config.pasta(addr[0], addr[1], gw[0], gw[1]);
                config = config.withIpv6(dnsForward6 == null ? v6 : v6.withDns(dnsForward6[0], dnsForward6[1]));
            }
            return config.withServices(new LinkServices(!a.noDhcp && !a.ipv6Only, !a.noDhcpv6, !a.noNdp, !a.noRa,
                    announcement(a, config, dns)));
        } catch (IllegalArgumentException e) {
            throw new PastaArgs.Bad(e.getMessage());
        }
    }

    /** {@code -M}, {@code --ns-mac-addr}: a unicast MAC as six hex pairs. */
    private static long mac(String text) {
        try {
            return SlirpArgs.mac(text);
        } catch (SlirpArgs.Bad e) {
            throw new PastaArgs.Bad("Invalid MAC address: " + text);
        }
    }

    /** {@code -o}: an address to bind outbound sockets to (not unspecified, loopback or multicast). */
    private static InetAddress outbound(String text) {
        try {
            InetAddress addr = IpAddress.parse(text).toInetAddress();
            if (!addr.isAnyLocalAddress() && !addr.isLoopbackAddress() && !addr.isMulticastAddress()) {
                return addr;
            }
        } catch (InvalidAddressException e) {
            // the line below
        }
        throw new PastaArgs.Bad("Invalid or redundant outbound address: " + text);
    }

    /**
     * {@code -D}'s addresses, each family's in order; like pasta, at most
     * {@value DnsAnnouncement#MAX_SERVERS} per family, and none with {@code -D none}.
     */
    static List<InetAddress> dnsServers(PastaArgs a) {
        List<InetAddress> out = new ArrayList<>();
        int v4 = 0;
        int v6 = 0;
        for (String d : a.dns) {
            InetAddress addr;
            try {
                addr = IpAddress.parse(d).toInetAddress();
            } catch (InvalidAddressException e) {
                throw new PastaArgs.Bad("Cannot use DNS address " + d);
            }
            if ((addr instanceof Inet4Address ? ++v4 : ++v6) > DnsAnnouncement.MAX_SERVERS) {
                throw new PastaArgs.Bad("Cannot use DNS address " + d);
            }
            out.add(addr);
        }
        return a.noDns ? List.of() : out;
    }

    /**
     * What DHCP, DHCPv6 and NDP tell the namespace of DNS, as pasta does in pasta mode: nothing
     * unless {@code --dhcp-dns} (the resolvers: {@code -D}'s, else the host's resolv.conf's, a
     * loopback one as the gateway while it maps to the host, else left out) and
     * {@code --dhcp-search} ({@code -S}'s list, else resolv.conf's; the first
     * {@value DnsAnnouncement#MAX_SEARCH}).
     */
    static DnsAnnouncement announcement(PastaArgs a, UsernetConfig config, List<InetAddress> dns) {
        List<Inet4Address> servers4 = new ArrayList<>();
        List<Inet6Address> servers6 = new ArrayList<>();
        if (a.dhcpDns && !a.noDns) {
            List<InetAddress> servers = a.dns.isEmpty() ? resolvConfServers(config) : dns;
            for (InetAddress s : servers) {
                boolean loopback = s.isLoopbackAddress();
                if (s instanceof Inet4Address s4 && servers4.size() < DnsAnnouncement.MAX_SERVERS && !a.ipv6Only) {
                    if (!loopback) {
                        servers4.add(s4);
                    } else if (config.hostLoopback()) {
                        servers4.add(Ipv4Packet.toInetAddress(config.gateway()));
                    }
                } else if (s instanceof Inet6Address s6 && servers6.size() < DnsAnnouncement.MAX_SERVERS
                        && config.ipv6() != null) {
                    if (!loopback) {
                        servers6.add(s6);
                    } else if (config.hostLoopback()) {
                        servers6.add(Ipv6Packet.toInetAddress(config.ipv6().gatewayHigh(), config.ipv6().gatewayLow()));
                    }
                }
            }
        }
        List<String> search = new ArrayList<>();
        if (a.dhcpSearch && !a.noSearch) {
            if (!a.search.isEmpty()) {
                for (String d : a.search) {
                    try {
                        search.add(DnsName.normalize(d));
                    } catch (IllegalArgumentException e) {
                        throw new PastaArgs.Bad("Cannot use search domain " + d);
                    }
                }
            } else {
                for (String d : resolvConfSearch(config)) {
                    try {
                        search.add(DnsName.normalize(d));
                    } catch (IllegalArgumentException e) {
                        // a name the C library would not search either
                    }
                }
            }
        }
        return new DnsAnnouncement(servers4, servers6,
                search.subList(0, Math.min(search.size(), DnsAnnouncement.MAX_SEARCH)));
    }

    /**
     * Whether DNS to the gateway goes to the host's first IPv4 resolver ({@code -D}'s, else
     * {@code config}'s resolv.conf's), as pasta does when that one is a loopback address (passt
     * conf.c, {@code add_dns4}): the namespace reaches it at the gateway, the address DHCP names
     * for it, not at the host's 127.0.0.1:53 the gateway otherwise maps to. Not with
     * {@code --no-map-gw}, {@code -D none} or {@code -6}; {@code --dns-forward} takes precedence.
     */
    static boolean resolverAtGateway(PastaArgs a, List<InetAddress> dns, UsernetConfig config) {
        if (a.noMapGw || a.noDns || a.ipv6Only) {
            return false;
        }
        InetAddress first = (a.dns.isEmpty() ? resolvConfServers(config) : dns).stream()
                .filter(d -> d instanceof Inet4Address).findFirst().orElse(null);
        return first != null && first.isLoopbackAddress();
    }

    private static List<InetAddress> resolvConfServers(UsernetConfig config) {
        try {
            return ResolvConf.read(config.resolvConf()).stream().map(InetSocketAddress::getAddress).toList();
        } catch (IOException e) {
            return List.of(); // as pasta: an unreadable resolv.conf names no resolver
        }
    }

    private static List<String> resolvConfSearch(UsernetConfig config) {
        try {
            return ResolvConf.search(config.resolvConf());
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The namespace's interface: {@code -I}, else the host's uplink's name (pasta's default; the
     * IPv6 one's with {@code -6}), else tap0.
     */
    static String ifname(PastaArgs a, Optional<HostUplink> uplink, Optional<HostUplink6> uplink6) {
        if (a.nsIfname != null) {
            return a.nsIfname;
        }
        Optional<String> name = a.ipv6Only ? uplink6.map(HostUplink6::ifname) : uplink.map(HostUplink::ifname);
        return name.orElse(DEFAULT_IFNAME);
    }

    /**
     * The host forwards of {@code -t} and {@code -u}, one list per spec (pasta fails a spec only
     * when none of its ports could be bound). A spec without an address listens as pasta does
     * on 0.0.0.0 (unless {@code -6}) and, when the namespace has IPv6 ({@code config}), on
     * {@code ::} IPv6 only beside it, each forwarding to the guest's address of its family; an
     * address listens on that address alone (IPv6 ones need IPv6 in the namespace). The guest
     * sees a client's real address where it can (not loopback, not its own subnet), else the
     * gateway's.
     */
    static List<List<HostForward>> forwards(PastaArgs a, UsernetConfig config) {
        Ipv6Config v6 = config.ipv6();
        InetAddress guest6 = v6 == null ? null : v6.guestAddress();
        InetAddress any4 = IpAddress.ipv4(0).toInetAddress();
        InetAddress any6 = IpAddress.of(new byte[16]).toInetAddress();
        List<List<HostForward>> out = new ArrayList<>();
        for (PastaPorts ports : List.of(a.tcp, a.udp)) {
            HostForward.Proto proto = ports == a.tcp ? HostForward.Proto.TCP : HostForward.Proto.UDP;
            for (PastaPorts.Spec spec : ports.specs()) {
                List<HostForward> list = new ArrayList<>(spec.ports().size() * 2);
                for (PastaPorts.Port p : spec.ports()) {
                    InetAddress host = p.hostAddr();
                    if (host instanceof Inet6Address && guest6 == null) {
                        throw new PastaArgs.Bad("'" + ports.option() + " " + spec.text() + "': the namespace has no IPv6");
                    }
                    if (host == null ? !a.ipv6Only : host instanceof Inet4Address) {
                        list.add(new HostForward(proto, host == null ? any4 : host, p.hostPort(), null, p.guestPort(),
                                true, p.ifname(), false));
                    }
                    if (guest6 != null && (host == null || host instanceof Inet6Address)) {
                        list.add(new HostForward(proto, host == null ? any6 : host, p.hostPort(), guest6, p.guestPort(),
                                true, p.ifname(), true));
                    }
                }
                out.add(list);
            }
        }
        return out;
    }

    /** The spec text behind {@link #forwards}' list {@code index}, as pasta names it: {@code -t SPEC}. */
    static String specName(PastaArgs a, int index) {
        int i = 0;
        for (PastaPorts ports : List.of(a.tcp, a.udp)) {
            for (PastaPorts.Spec spec : ports.specs()) {
                if (i++ == index) {
                    return ports.option() + " " + spec.text();
                }
            }
        }
        throw new IndexOutOfBoundsException(index);
    }

    /**
     * The {@code -T} and {@code -U} forwards: a socket on the namespace's 127.0.0.1 at each spec
     * port, relayed to the host's loopback at the mapped port (pasta's {@code PORT:TARGET}).
     */
    static List<NamespaceForwards.Port> nsForwards(PastaArgs a) {
        List<NamespaceForwards.Port> out = new ArrayList<>();
        for (PastaPorts ports : List.of(a.tcpNs, a.udpNs)) {
            HostForward.Proto proto = ports == a.tcpNs ? HostForward.Proto.TCP : HostForward.Proto.UDP;
            for (PastaPorts.Spec spec : ports.specs()) {
                for (PastaPorts.Port p : spec.ports()) {
                    out.add(new NamespaceForwards.Port(proto, p.hostPort(), p.guestPort()));
                }
            }
        }
        return out;
    }

    /**
     * The mode an option stands for: given, or pasta's default when unset, {@code auto} for
     * each of {@code -t}, {@code -u}, {@code -T} and {@code -U}, as pasta(1) says.
     */
    static PastaPorts.Mode mode(PastaArgs a, PastaPorts p) {
        return p.mode() != PastaPorts.Mode.UNSET ? p.mode() : PastaPorts.Mode.AUTO;
    }

    /**
     * What {@code auto} follows ({@link AutoForwards}), given or by default, the host ports
     * the fixed {@code -t} and {@code -u} specs bind (left out of the automatic ones), and the
     * families {@code -t}/{@code -u auto} listen on, as {@link #forwards}.
     */
    static AutoForwards.Plan autoPlan(PastaArgs a, UsernetConfig config) {
        BitSet tcp = new BitSet();
        BitSet udp = new BitSet();
        for (PastaPorts ports : List.of(a.tcp, a.udp)) {
            for (PastaPorts.Spec spec : ports.specs()) {
                spec.ports().forEach(p -> (ports == a.tcp ? tcp : udp).set(p.hostPort()));
            }
        }
        return new AutoForwards.Plan(mode(a, a.tcp) == PastaPorts.Mode.AUTO, mode(a, a.udp) == PastaPorts.Mode.AUTO,
                mode(a, a.tcpNs) == PastaPorts.Mode.AUTO, mode(a, a.udpNs) == PastaPorts.Mode.AUTO, tcp, udp,
                !a.ipv6Only, config.ipv6() == null ? null : config.ipv6().guestAddress());
    }

    /**
     * What jnet's stack cannot do: {@code -T}/{@code -U} on an address other than loopback or
     * an interface other than lo.
     */
    static void checkSupported(PastaArgs a) {
        for (PastaPorts ns : List.of(a.tcpNs, a.udpNs)) {
            for (PastaPorts.Spec spec : ns.specs()) {
                PastaPorts.Port p = spec.ports().isEmpty() ? null : spec.ports().get(0);
                if (p != null && ((p.hostAddr() != null && !p.hostAddr().isLoopbackAddress())
                        || (p.ifname() != null && !p.ifname().equals("lo")))) {
                    throw new PastaArgs.Bad("pasta: '" + ns.option() + " " + spec.text() + "': jnet's pasta listens on "
                            + "the namespace's loopback only");
                }
            }
        }
    }

    /**
     * An IPv6 address as halves (high, low); like pasta, not the unspecified, loopback,
     * multicast, IPv4-mapped or IPv4-compatible addresses.
     */
    private static long[] ipv6(String text, String error) {
        byte[] b;
        try {
            b = IpAddress.parseIpv6(text).toInetAddress().getAddress();
        } catch (InvalidAddressException e) {
            throw new PastaArgs.Bad(error + text);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (b[i] & 0xFF);
            low = (low << 8) | (b[i + 8] & 0xFF);
        }
        boolean v4 = high == 0 && ((low >>> 32) == 0xFFFF || (low >>> 32) == 0); // ::ffff:a.b.c.d, ::a.b.c.d, ::, ::1
        if (v4 || (b[0] & 0xFF) == 0xFF) {
            throw new PastaArgs.Bad(error + text);
        }
        return new long[] {high, low};
    }

    private static int ipv4(String text, String error) {
        try {
            return IpAddress.parseIpv4(text).toIpv4Int();
        } catch (InvalidAddressException e) {
            throw new PastaArgs.Bad(error + text);
        }
    }

    /** {@code -n}: a prefix length or a dotted-decimal netmask of contiguous ones. */
    static int prefix(String text) {
        if (text.matches("[0-9]{1,2}")) {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 32) {
                return p;
            }
            throw new PastaArgs.Bad("Invalid netmask: " + text);
        }
        int mask;
        try {
            mask = IpAddress.parseIpv4(text).toIpv4Int();
        } catch (InvalidAddressException e) {
            throw new PastaArgs.Bad("Invalid netmask: " + text);
        }
        int p = Integer.bitCount(mask);
        if (p == 0 || mask != UsernetConfig.netmask(p)) {
            throw new PastaArgs.Bad("Invalid netmask: " + text);
        }
        return p;
    }

    /** The prefix of an address's class (A /8, B /16, C and beyond /24), pasta's last resort. */
    static int classful(int addr) {
        int top = addr >>> 24;
        return top < 128 ? 8 : top < 192 ? 16 : 24;
    }

    private static int mtu(String text) {
        if (!text.matches("[0-9]{1,6}")) {
            throw new PastaArgs.Bad("Invalid MTU: " + text);
        }
        int m = Integer.parseInt(text);
        if (m < UsernetConfig.MIN_MTU || m > UsernetConfig.MAX_MTU) {
            throw new PastaArgs.Bad("Invalid MTU: " + text);
        }
        return m;
    }

    private static PastaArgs.Bad noUplink() {
        return new PastaArgs.Bad("External interface not usable");
    }
}
