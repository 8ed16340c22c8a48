package dev.jnet.usernet;

import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * A stack's settings, with slirp4netns's meanings and defaults: network 10.0.2.0/24, the
 * virtual gateway at .2 (maps to the host's loopback unless disabled), DNS at .3, the guest
 * at .100, MTU 1500. IPv4 addresses are host-order {@code int}s, MACs 48-bit {@code long}s,
 * as in the wire layer.
 *
 * @param network       network address of the guest's subnet (host bits zero)
 * @param prefixLength  its prefix length , 1..25 (.100 must fit in the subnet)
 * @param mtu           MTU of the guest link, 68..65521
 * @param gatewayMac    the MAC the stack answers with for every address it owns
 * @param guestMac      the MAC to give the guest's tap (--macaddress), or -1 to leave it
 * @param hostLoopback  whether the gateway address reaches the host's 127.0.0.1
 * @param dns           whether the stack answers DNS at .3
 * @param resolvConf    where the DNS forwarder reads its upstream resolvers (and follows them)
 * @param dnsServers    the DNS forwarder's upstream resolvers instead of {@code resolvConf}'s
 *                      (pasta's {@code -D}; empty: none), or null to read the file
 * @param outboundAddr  local IPv4 address of every IPv4 host socket the stack opens (--outbound-addr:
 *                      TCP, UDP, ICMP echo, DNS upstream), or null
 * @param outboundAddr6 the same for IPv6 host sockets (--outbound-addr6), or null
 * @param ipv6          IPv6 settings (-6/--enable-ipv6), or null when IPv6 is off
 * @param pasta         pasta's address plan (guest, gateway and DNS addresses of its own, the
 *                      subnet's other addresses reachable), or null for slirp4netns's .100/.2/.3
 * @param services      what the stack answers on the link (DHCP, NDP, router advertisements);
 *                      null: {@link LinkServices#ALL}
 */
public record UsernetConfig(int network, int prefixLength, int mtu, long gatewayMac, long guestMac,
        boolean hostLoopback, boolean dns, Path resolvConf, List<InetSocketAddress> dnsServers, InetAddress outboundAddr, InetAddress outboundAddr6, Ipv6Config ipv6,
        PastaAddresses pasta, LinkServices services) {

    public static final int DEFAULT_NETWORK = 0x0A000200; // 10.0.2.0
    public static final int DEFAULT_PREFIX = 24;
    public static final int DEFAULT_MTU = 1500;
    public static final int MAX_MTU = 65521;
    public static final int MIN_MTU = 68;

    public UsernetConfig {
        if (prefixLength < 1 || prefixLength > (pasta == null ? 25 : 32)) {
            // .100 must be a host address of the subnet, as in slirp4netns (pasta: any prefix)
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 1..25");
        }
        if ((network & ~netmask(prefixLength)) != 0) {
            throw new IllegalArgumentException(Ipv4Packet.addressToString(network) + "/" + prefixLength
                    + " has host bits set");
        }
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " out of range " + MIN_MTU + ".." + MAX_MTU);
        }
        if (outboundAddr != null && !(outboundAddr instanceof Inet4Address)) {
            throw new IllegalArgumentException("outbound address " + outboundAddr.getHostAddress() + " is not IPv4");
        }
        if (outboundAddr6 != null && !(outboundAddr6 instanceof Inet6Address)) {
            throw new IllegalArgumentException("outbound address " + outboundAddr6.getHostAddress() + " is not IPv6");
        }
        if (pasta != null && (pasta.guest() & netmask(prefixLength)) != network) {
            throw new IllegalArgumentException(Ipv4Packet.addressToString(pasta.guest()) + " is not in "
                    + Ipv4Packet.addressToString(network) + "/" + prefixLength);
        }
        if (resolvConf == null) {
            resolvConf = Path.of("/etc/resolv.conf");
        }
        if (services == null) {
            services = LinkServices.ALL;
        }
        if (dnsServers != null) {
            dnsServers = List.copyOf(dnsServers);
        }
    }

    /** slirp4netns's defaults. */
    public static UsernetConfig defaults() {
        return new UsernetConfig(DEFAULT_NETWORK, DEFAULT_PREFIX, DEFAULT_MTU, 0x5255_0A00_0202L, -1,
                true, true, Path.of("/etc/resolv.conf"), null, null, null, null, null, LinkServices.ALL);
    }

    public static int netmask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int netmask() {
        return netmask(prefixLength);
    }

    /** The virtual gateway (.2, or pasta's): the guest's default route. */
    public int gateway() {
        return pasta != null ? pasta.gateway() : network + 2;
    }

    /** The virtual DNS server (.3, or pasta's --dns-forward address; 0 when it has none). */
    public int dnsAddress() {
        return pasta != null ? pasta.dnsForward() : network + 3;
    }

    /**
     * What DHCP, DHCPv6 and router advertisements tell the guest of DNS: the link services'
     * own announcement if they have one (pasta's), else the stack's DNS address of each family
     * when it answers DNS (slirp4netns's), no search list.
     */
    public DnsAnnouncement dnsAnnouncement() {
        if (services.dns() != null) {
            return services.dns();
        }
        if (!dns) {
            return DnsAnnouncement.NONE;
        }
        Inet4Address dns4 = dnsAddress() == 0 ? null : Ipv4Packet.toInetAddress(dnsAddress());
        Inet6Address dns6 = ipv6 != null && ipv6.hasDns() ? Ipv6Packet.toInetAddress(ipv6.dnsHigh(), ipv6.dnsLow()) : null;
        return new DnsAnnouncement(dns4 == null ? List.of() : List.of(dns4), dns6 == null ? List.of() : List.of(dns6),
                List.of());
    }

    /** The guest's own address (.100, or pasta's). */
    public int guestAddress() {
        return pasta != null ? pasta.guest() : network + 100;
    }

    /** Broadcast address of the subnet. */
    public int broadcast() {
        return network | ~netmask();
    }

    public boolean inSubnet(int addr) {
        return (addr & netmask()) == network;
    }

    /** TCP MSS the guest link allows (IPv4, no options). */
    public int mss() {
        return mtu - 40;
    }

    public UsernetConfig withNetwork(int network, int prefixLength) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    public UsernetConfig withMtu(int mtu) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    /** The MAC the stack answers with (pasta's {@code -M}); unicast, as {@code guestMac}. */
    public UsernetConfig withGatewayMac(long gatewayMac) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    public UsernetConfig withGuestMac(long guestMac) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    public UsernetConfig withHostLoopback(boolean hostLoopback) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    public UsernetConfig withDns(boolean dns) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    public UsernetConfig withResolvConf(Path resolvConf) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    /** Fixed upstream resolvers for the DNS forwarder (null: {@code resolvConf}'s, followed). */
    public UsernetConfig withDnsServers(List<InetSocketAddress> dnsServers) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf,
                dnsServers, outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    public UsernetConfig withOutboundAddr(InetAddress outboundAddr) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    public UsernetConfig withOutboundAddr6(InetAddress outboundAddr6) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    /** The outbound address for host sockets of {@code remote}'s family, or null. */
    public InetAddress outboundFor(InetAddress remote) {
        return remote instanceof Inet6Address ? outboundAddr6 : outboundAddr;
    }

    /** IPv6 on ({@code ipv6 != null}, e.g. {@link Ipv6Config#defaults()}) or off ({@code null}). */
    public UsernetConfig withIpv6(Ipv6Config ipv6) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    /** pasta's address plan, the guest's subnet being its address's {@code /prefixLength}. */
    public UsernetConfig withPasta(PastaAddresses pasta, int prefixLength) {
        return new UsernetConfig(pasta.guest() & netmask(prefixLength), prefixLength, mtu, gatewayMac, guestMac,
                hostLoopback, dns, resolvConf, dnsServers, outboundAddr, outboundAddr6, ipv6, pasta, services);
    }

    /** What the stack answers on the link (pasta's --no-dhcp, --no-dhcpv6, --no-ndp, --no-ra). */
    public UsernetConfig withServices(LinkServices services) {
        return new UsernetConfig(network, prefixLength, mtu, gatewayMac, guestMac, hostLoopback, dns, resolvConf, dnsServers,
                outboundAddr, outboundAddr6, ipv6, pasta, services);
    }
}
