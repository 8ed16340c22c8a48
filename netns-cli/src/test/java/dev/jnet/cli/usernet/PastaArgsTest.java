package dev.jnet.cli.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.jnet.usernet.DnsAnnouncement;
import dev.jnet.usernet.HostUplink;
import dev.jnet.usernet.HostUplink6;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.LinkServices;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.forward.AutoForwards;
import dev.jnet.usernet.forward.HostForward;
import dev.jnet.usernet.forward.NamespaceForwards;
import dev.jnet.usernet.wire.Ipv4Packet;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** pasta's command line as getopt_long reads it, its port specs and the stack settings they make. */
class PastaArgsTest {
    private static final int[] EPHEMERAL = {32768, 60999};
    /** The usernet sandbox's host: up0 198.51.100.2/24, default via 198.51.100.1. */
    private static final Optional<HostUplink> UPLINK = Optional.of(new HostUplink("up0", ip("198.51.100.2"), 24,
            ip("198.51.100.1")));
    /** 2001:db8:1::2 via 2001:db8:1::1 on up6 */
    private static final Optional<HostUplink6> UPLINK6 = Optional.of(new HostUplink6("up6", 0x2001_0db8_0001_0000L, 2,
            0x2001_0db8_0001_0000L, 1));
    /** The namespaces of those uplinks: IPv4 only, and both families. */
    private static final UsernetConfig V4 = PastaConfig.of(parse("--config-net"), UPLINK, Optional.empty());
    private static final UsernetConfig DUAL = PastaConfig.of(parse("--config-net"), UPLINK, UPLINK6);

    private static PastaArgs parse(String... args) {
        return PastaArgs.parse(List.of(args), EPHEMERAL);
    }

    private static int ip(String s) {
        String[] p = s.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                | Integer.parseInt(p[3]);
    }

    @Test
    void podman5ArgvCopiesTheHostAndForwardsDnsAndTheGuestAddr() {
        PastaArgs a = parse("--config-net", "-t", "18080-18081:80-81", "--dns-forward", "169.254.1.1", "-u", "none",
                "-T", "none", "-U", "none", "--no-map-gw", "--quiet", "--netns", "/run/user/1000/netns/x",
                "--map-guest-addr", "169.254.1.2");
        assertThat(a.configNet).isTrue();
        assertThat(a.quiet).isTrue();
        assertThat(a.netns).isEqualTo("/run/user/1000/netns/x");
        assertThat(a.rest).isEmpty();
        UsernetConfig c = PastaConfig.of(a, UPLINK, Optional.empty());
        assertThat(Ipv4Packet.addressToString(c.guestAddress())).isEqualTo("198.51.100.2");
        assertThat(c.prefixLength()).isEqualTo(24);
        assertThat(Ipv4Packet.addressToString(c.gateway())).isEqualTo("198.51.100.1");
        assertThat(Ipv4Packet.addressToString(c.dnsAddress())).isEqualTo("169.254.1.1");
        assertThat(c.mtu()).isEqualTo(65520);
        assertThat(c.hostLoopback()).isFalse();
        assertThat(c.dns()).isTrue();
        assertThat(c.pasta().hostAddress()).isEqualTo(ip("198.51.100.2"));
        assertThat(PastaConfig.ifname(a, UPLINK, Optional.empty())).isEqualTo("up0");
        List<List<HostForward>> f = PastaConfig.forwards(a, V4);
        assertThat(f).hasSize(1);
        assertThat(f.get(0)).extracting(HostForward::hostPort, HostForward::guestPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(18080, 80), org.assertj.core.groups.Tuple.tuple(18081, 81));
    }

    @Test
    void rootlesskit2ArgvWithEqualsSignsAndAPid() {
        PastaArgs a = parse("--stderr", "--ns-ifname=tap0", "--mtu=65520", "--config-net", "--address=10.0.2.100",
                "--netmask=24", "--gateway=10.0.2.2", "--dns-forward=10.0.2.3", "--ipv4-only", "--tcp-ports=none",
                "--udp-ports=none", "1234");
        assertThat(a.rest).containsExactly("1234");
        UsernetConfig c = PastaConfig.of(a, UPLINK, Optional.empty());
        assertThat(Ipv4Packet.addressToString(c.network())).isEqualTo("10.0.2.0");
        assertThat(Ipv4Packet.addressToString(c.guestAddress())).isEqualTo("10.0.2.100");
        assertThat(Ipv4Packet.addressToString(c.gateway())).isEqualTo("10.0.2.2");
        assertThat(c.hostLoopback()).isTrue(); // --map-gw is pasta's default
        assertThat(PastaConfig.ifname(a, UPLINK, Optional.empty())).isEqualTo("tap0");
    }

    @Test
    void shortOptionsClusterAndTakeAttachedValues() {
        PastaArgs a = parse("-fq4", "-t80", "-m", "1500", "-a10.1.2.3", "-n255.255.0.0", "--", "sh", "-c", "true");
        assertThat(a.foreground).isTrue();
        assertThat(a.quiet).isTrue();
        assertThat(a.ipv4Only).isTrue();
        assertThat(a.rest).containsExactly("sh", "-c", "true");
        UsernetConfig c = PastaConfig.of(a, UPLINK, Optional.empty());
        assertThat(c.prefixLength()).isEqualTo(16);
        assertThat(c.mtu()).isEqualTo(1500);
    }

    @Test
    void optionsEndAtTheFirstCommandWord() {
        assertThat(parse("--config-net", "ip", "-4", "addr").rest).containsExactly("ip", "-4", "addr");
    }

    @Test
    void anUnambiguousAbbreviationIsTheOption() {
        assertThat(parse("--config", "--no-map").configNet).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--foo|pasta: unrecognized option '--foo'",
        "-x|pasta: invalid option -- 'x'",
        "-t|pasta: option requires an argument -- 't'",
        "--mtu|pasta: option '--mtu' requires an argument",
        "--quiet=1|pasta: option '--quiet' doesn't allow an argument",
        "-t abc|Invalid port specifier abc",
        "-t 70000|Invalid port specifier 70000",
        "-t 80-81:90|Invalid port specifier 80-81:90",
        "-t 0|Invalid port specifier 0",
        "-t /22|Invalid port specifier /22",
        "-t %/22|Invalid port specifier %/22",
        "-t 127.0.0.1%lo/|Invalid port specifier 127.0.0.1%lo/",
        "-t x%lo/22|Invalid port specifier x%lo/22",
        "-t 127.0.0.1%lo|Invalid port specifier 127.0.0.1%lo",
        "-t 127.0.0.1%abcdefghijklmnop/22|Invalid port specifier 127.0.0.1%abcdefghijklmnop/22",
        "-U 70000|Invalid port specifier 70000",
        "-U 80-81:90|Invalid port specifier 80-81:90",
        "-t all|'all' port forwarding is only allowed for passt",
        "-t none -t none|Port forwarding mode 'none' conflicts with previous mode",
        "-t none -t 80|Specific ports cannot be specified together with all/none/auto",
        "-4 -6|Options ipv4-only and ipv6-only are mutually exclusive",
        "--outbound-if4 eth0|pasta: option '--outbound-if4' is not supported by jnet's pasta",
        "-d|pasta: option '-d/--debug' is not supported by jnet's pasta",
    })
    void badCommandLinesGetPastasLine(String args, String message) {
        assertThatThrownBy(() -> parse(args.split(" "))).isInstanceOf(PastaArgs.Bad.class).hasMessage(message);
    }

    @Test
    void anAmbiguousAbbreviationNamesThePossibilities() {
        assertThatThrownBy(() -> parse("--no-dhcp-")).isInstanceOf(PastaArgs.Bad.class)
                .hasMessage("pasta: option '--no-dhcp-' is ambiguous; possibilities: '--no-dhcp-dns' '--no-dhcp-search'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-U 10.0.0.1/80|pasta: '-U 10.0.0.1/80': jnet's pasta listens on the namespace's loopback only",
        "-T 127.0.0.1%eth0/80|pasta: '-T 127.0.0.1%eth0/80': jnet's pasta listens on the namespace's loopback only",
        "-T 10.0.0.1/80|pasta: '-T 10.0.0.1/80': jnet's pasta listens on the namespace's loopback only",
    })
    void whatTheStackCannotDoIsRefusedByName(String args, String message) {
        PastaArgs a = parse(args.split(" "));
        assertThatThrownBy(() -> PastaConfig.checkSupported(a)).isInstanceOf(PastaArgs.Bad.class).hasMessage(message);
    }

    @Test
    void nsToHostSpecsBecomeLoopbackRelays() {
        PastaArgs a = parse("-T", "8080,9000-9001:7000-7001", "-T", "127.0.0.1/22");
        PastaConfig.checkSupported(a); // with a target or with -- CMD alike
        assertThat(PastaConfig.nsForwards(a)).extracting(NamespaceForwards.Port::nsPort, NamespaceForwards.Port::hostPort)
                .containsExactly(tuple(8080, 8080), tuple(9000, 7000), tuple(9001, 7001), tuple(22, 22));
    }

    @Test
    void unsetPortOptionsAreAutoAsInPasta() {
        PastaArgs unset = parse("--config-net");
        PastaConfig.checkSupported(unset);
        AutoForwards.Plan plan = PastaConfig.autoPlan(unset, V4);
        assertThat(List.of(plan.tcpIn(), plan.udpIn(), plan.tcpOut(), plan.udpOut())).containsExactly(true, true, true, true);
        PastaConfig.checkSupported(parse("-U", "auto"));

        PastaArgs none = parse("-t", "none", "-u", "none", "-T", "none", "-U", "none");
        assertThat(PastaConfig.autoPlan(none, V4).any()).isFalse();

        PastaArgs fixed = parse("-t", "8080:80", "-u", "53");
        PastaConfig.checkSupported(fixed);
        AutoForwards.Plan p = PastaConfig.autoPlan(fixed, V4);
        assertThat(List.of(p.tcpIn(), p.udpIn(), p.tcpOut(), p.udpOut())).containsExactly(false, false, true, true);
        assertThat(p.fixedTcpIn().stream().boxed().toList()).as("host ports of fixed -t specs, left out of -T auto")
                .containsExactly(8080);
        assertThat(p.fixedUdpIn().stream().boxed().toList()).containsExactly(53);
    }

    @Test
    void udpNsToHostSpecsAreTheSameRelaysForUdp() {
        PastaArgs a = parse("-U", "5353,6000-6001:7000-7001", "-T", "80", "-U", "127.0.0.1%lo/53");
        PastaConfig.checkSupported(a); // with a target or with -- CMD alike
        assertThat(PastaConfig.nsForwards(a)).extracting(NamespaceForwards.Port::proto, NamespaceForwards.Port::nsPort,
                NamespaceForwards.Port::hostPort).containsExactly(tuple(HostForward.Proto.TCP, 80, 80),
                tuple(HostForward.Proto.UDP, 5353, 5353), tuple(HostForward.Proto.UDP, 6000, 7000),
                tuple(HostForward.Proto.UDP, 6001, 7001), tuple(HostForward.Proto.UDP, 53, 53));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "127.0.0.1%lo/8080:80|127.0.0.1|lo",
        "%lo/8080:80|-|lo",
        "::1%lo/8080:80|0:0:0:0:0:0:0:1|lo",
        "127.0.0.1%/8080:80|127.0.0.1|-",
        "198.51.100.2%abcdefghijklmno/8080:80|198.51.100.2|abcdefghijklmno",
    })
    void anAddressAndAnInterfaceBindTheHostSocket(String spec, String addr, String ifname) {
        for (String opt : List.of("-t", "-u")) {
            List<HostForward> f = PastaConfig.forwards(parse(opt, spec), DUAL).get(0);
            assertThat(f).extracting(HostForward::hostPort, HostForward::guestPort).containsOnly(tuple(8080, 80));
            assertThat(f.get(0).hostAddr().getHostAddress()).isEqualTo(addr == null ? "0.0.0.0" : addr);
            assertThat(f).extracting(HostForward::hostInterface).containsOnly(ifname);
        }
    }

    @Test
    void withIpv6ASpecListensOnBothFamiliesAsPasta() {
        List<HostForward> f = PastaConfig.forwards(parse("-t", "8080:80"), DUAL).get(0);
        assertThat(f).extracting(h -> h.hostAddr().getHostAddress(), h -> String.valueOf(h.guestAddr()), HostForward::v6only)
                .containsExactly(tuple("0.0.0.0", "null", false), tuple("0:0:0:0:0:0:0:0", "/2001:db8:1:0:0:0:0:2", true));
        assertThat(PastaConfig.forwards(parse("-6", "-u", "53"), DUAL).get(0))
                .extracting(h -> h.hostAddr().getHostAddress(), HostForward::v6only).containsExactly(tuple("0:0:0:0:0:0:0:0", true));
        assertThat(PastaConfig.forwards(parse("-t", "127.0.0.1/80"), DUAL).get(0)).extracting(HostForward::v6only)
                .containsExactly(false);
        assertThat(PastaConfig.forwards(parse("-t", "::1/80"), DUAL).get(0))
                .extracting(h -> h.hostAddr().getHostAddress(), h -> h.guestAddr().getHostAddress())
                .containsExactly(tuple("0:0:0:0:0:0:0:1", "2001:db8:1:0:0:0:0:2"));
        assertThat(PastaConfig.forwards(parse("-t", "8080"), V4).get(0)).extracting(h -> h.hostAddr().getHostAddress())
                .containsExactly("0.0.0.0");
        assertThatThrownBy(() -> PastaConfig.forwards(parse("-t", "::1/80"), V4)).isInstanceOf(PastaArgs.Bad.class)
                .hasMessage("'-t ::1/80': the namespace has no IPv6");

        AutoForwards.Plan plan = PastaConfig.autoPlan(parse("--config-net"), DUAL);
        assertThat(plan.ipv4In()).isTrue();
        assertThat(plan.guest6In().getHostAddress()).isEqualTo("2001:db8:1:0:0:0:0:2");
        assertThat(PastaConfig.autoPlan(parse("-6"), DUAL).ipv4In()).as("-6").isFalse();
        assertThat(PastaConfig.autoPlan(parse("--config-net"), V4).guest6In()).isNull();
    }

    @Test
    void portListsRangesAddressesAndExclusions() {
        PastaArgs a = parse("-t", "127.0.0.1/20-25,~22-23", "-u", "53,5353:53");
        List<List<HostForward>> f = PastaConfig.forwards(a, V4);
        assertThat(f.get(0)).extracting(HostForward::hostPort).containsExactly(20, 21, 24, 25);
        assertThat(f.get(0)).allSatisfy(h -> assertThat(h.hostAddr().getHostAddress()).isEqualTo("127.0.0.1"));
        assertThat(f.get(1)).extracting(HostForward::proto).containsOnly(HostForward.Proto.UDP);
        assertThat(f.get(1)).extracting(HostForward::hostPort, HostForward::guestPort)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(53, 53), org.assertj.core.groups.Tuple.tuple(5353, 53));
        assertThat(PastaConfig.specName(a, 1)).isEqualTo("-u 53,5353:53");
    }

    @Test
    void exclusionsAloneForwardEveryOtherPortBelowTheEphemeralRange() {
        List<HostForward> f = PastaConfig.forwards(parse("-t", "~1-1000"), V4).get(0);
        assertThat(f).hasSize(32767 - 1000 + (65535 - 60999));
        assertThat(f.get(0).hostPort()).isEqualTo(1001);
        assertThat(f).extracting(HostForward::hostPort).doesNotContain(32768, 60999).contains(61000, 65535);
    }

    @Test
    void ipv6IsTheHostsUplinkAsInPastaUnlessIpv4Only() {
        UsernetConfig both = PastaConfig.of(parse("--config-net"), UPLINK, UPLINK6);
        Ipv6Config v6 = both.ipv6();
        assertThat(v6.isPasta()).isTrue();
        assertThat(List.of(v6.prefixHigh(), v6.guestLow(), v6.gatewayHigh(), v6.gatewayLow()))
                .containsExactly(0x2001_0db8_0001_0000L, 2L, 0x2001_0db8_0001_0000L, 1L);
        assertThat(both.pasta().ipv4()).isTrue();
        assertThat(v6.isNeighbour(0x2001_0db8_0001_0000L, 5)).as("another address of the prefix").isTrue();
        assertThat(v6.isNeighbour(0x2001_0db8_0001_0000L, 2)).as("the guest's own").isFalse();
        assertThat(PastaConfig.ifname(parse("--config-net"), UPLINK, UPLINK6)).isEqualTo("up0");

        assertThat(PastaConfig.of(parse("-4"), UPLINK, UPLINK6).ipv6()).as("-4").isNull();
        assertThat(PastaConfig.of(parse("--config-net"), UPLINK, Optional.empty()).ipv6()).as("no IPv6 uplink").isNull();

        PastaArgs only6 = parse("-6");
        UsernetConfig c6 = PastaConfig.of(only6, Optional.empty(), UPLINK6);
        assertThat(c6.pasta().ipv4()).as("-6: no IPv4 in the namespace").isFalse();
        assertThat(c6.ipv6().guestLow()).isEqualTo(2);
        assertThat(PastaConfig.ifname(only6, UPLINK, UPLINK6)).isEqualTo("up6");
        assertThatThrownBy(() -> PastaConfig.of(parse("-6"), UPLINK, Optional.empty()))
                .isInstanceOf(PastaArgs.Bad.class).hasMessage("External interface not usable");
    }

    @Test
    void ipv6AddressGatewayAndDnsForwardAreTakenBesideTheIpv4Ones() {
        PastaArgs a = parse("-a", "10.0.2.100", "-a", "2001:db8:1::5", "-g", "2001:db8:1::9", "-g", "10.0.2.2",
                "--dns-forward", "fd00::53", "--dns-forward", "10.0.2.3", "-n", "24");
        UsernetConfig c = PastaConfig.of(a, UPLINK, UPLINK6);
        assertThat(Ipv4Packet.addressToString(c.guestAddress())).isEqualTo("10.0.2.100");
        assertThat(Ipv4Packet.addressToString(c.gateway())).isEqualTo("10.0.2.2");
        assertThat(Ipv4Packet.addressToString(c.dnsAddress())).isEqualTo("10.0.2.3");
        Ipv6Config v6 = c.ipv6();
        assertThat(v6.guestAddress().getHostAddress()).isEqualTo("2001:db8:1:0:0:0:0:5");
        assertThat(List.of(v6.gatewayHigh(), v6.gatewayLow())).containsExactly(0x2001_0db8_0001_0000L, 9L);
        assertThat(v6.isDns(0xfd00_0000_0000_0000L, 0x53)).isTrue();
        assertThat(v6.hasDns()).isTrue();
        assertThat(c.dns()).isTrue();

        UsernetConfig only6 = PastaConfig.of(parse("--dns-forward", "2001:db8:1::53"), UPLINK, UPLINK6);
        assertThat(only6.dns()).as("an IPv6 --dns-forward alone turns DNS on").isTrue();
        assertThat(only6.ipv6().isDns(0x2001_0db8_0001_0000L, 0x53)).isTrue();
        assertThat(only6.ipv6().guestAddress().getHostAddress()).as("the host's, as without -a")
                .isEqualTo("2001:db8:1:0:0:0:0:2");
        assertThat(PastaConfig.of(parse("-a", "2001:db8:1::5"), UPLINK, Optional.empty()).ipv6())
                .as("no IPv6 uplink: IPv6 stays off, as in pasta").isNull();
        assertThatThrownBy(() -> PastaConfig.of(parse("--dns-forward", "2001:db8:1::2"), UPLINK, UPLINK6))
                .isInstanceOf(PastaArgs.Bad.class).hasMessageContaining("is the gateway's or the guest's");
    }

    @Test
    void noDhcpNoDhcpv6NoNdpNoRaTurnTheStacksLinkServicesOff() {
        assertThat(V4.services()).isEqualTo(new LinkServices(true, true, true, true, DnsAnnouncement.NONE));
        assertThat(PastaConfig.of(parse("--no-dhcp", "--no-ra"), UPLINK, UPLINK6).services())
                .isEqualTo(new LinkServices(false, true, true, false, DnsAnnouncement.NONE));
        assertThat(PastaConfig.of(parse("--no-dhcpv6", "--no-ndp"), UPLINK, UPLINK6).services())
                .isEqualTo(new LinkServices(true, false, false, true, DnsAnnouncement.NONE));
        assertThat(PastaConfig.of(parse("-6"), UPLINK, UPLINK6).services().dhcp4()).as("-6: no IPv4, no DHCPv4").isFalse();
    }

    /**
     * pasta mode, as the installed pasta answers udhcpc (PastaDhcpTest): no DNS and no search
     * list announced unless --dhcp-dns / --dhcp-search; then -D's servers (a loopback one as the
     * gateway, while it maps to the host) and -S's list; --dns-forward goes to -D's servers.
     */
    @Test
    void dnsAndSearchAreAnnouncedOnlyWhenAskedAndDForwardsTo() throws Exception {
        assertThat(DUAL.dnsAnnouncement()).isEqualTo(DnsAnnouncement.NONE);
        assertThat(DUAL.dnsServers()).as("no -D: resolv.conf's, followed").isNull();
        String[] d = {"-D", "192.0.2.53", "-D", "2001:db8::53", "-D", "127.0.0.1", "-S", "Example.TEST b.test",
            "--dns-forward", "169.254.1.1"};
        UsernetConfig quiet = PastaConfig.of(parse(d), UPLINK, UPLINK6);
        assertThat(quiet.dnsAnnouncement()).isEqualTo(DnsAnnouncement.NONE);
        assertThat(quiet.dnsServers()).extracting(InetSocketAddress::toString).containsExactly(
                "/192.0.2.53:53", "/[2001:db8:0:0:0:0:0:53]:53", "/127.0.0.1:53");

        List<String> asked = new java.util.ArrayList<>(List.of(d));
        asked.addAll(List.of("--dhcp-dns", "--dhcp-search"));
        DnsAnnouncement a = PastaConfig.of(parse(asked.toArray(String[]::new)), UPLINK, UPLINK6).dnsAnnouncement();
        assertThat(a.servers4()).extracting(InetAddress::getHostAddress).containsExactly("192.0.2.53", "198.51.100.1");
        assertThat(a.servers6()).extracting(InetAddress::getHostAddress).containsExactly("2001:db8:0:0:0:0:0:53");
        assertThat(a.search()).containsExactly("example.test", "b.test");
        asked.add("--no-map-gw");
        assertThat(PastaConfig.of(parse(asked.toArray(String[]::new)), UPLINK, UPLINK6).dnsAnnouncement().servers4())
                .as("a loopback resolver the namespace cannot reach is left out").extracting(InetAddress::getHostAddress)
                .containsExactly("192.0.2.53");

        UsernetConfig none = PastaConfig.of(parse("-D", "none", "-S", "none", "--dhcp-dns", "--dhcp-search",
                "--dns-forward", "169.254.1.1"), UPLINK, UPLINK6);
        assertThat(none.dnsServers()).as("-D none: no resolver at all").isEmpty();
        assertThat(none.dnsAnnouncement()).isEqualTo(DnsAnnouncement.NONE);
    }

    @Test
    void withoutDAndSTheHostsResolvConfIsAnnounced(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path conf = dir.resolve("resolv.conf");
        java.nio.file.Files.writeString(conf, "nameserver 203.0.113.53\nnameserver ::1\nsearch lab.test bad..name\n");
        UsernetConfig c = DUAL.withResolvConf(conf);
        DnsAnnouncement a = PastaConfig.announcement(parse("--dhcp-dns", "--dhcp-search"), c, List.of());
        assertThat(a.servers4()).extracting(InetAddress::getHostAddress).containsExactly("203.0.113.53");
        assertThat(a.servers6()).as("::1 as the IPv6 gateway").extracting(InetAddress::getHostAddress)
                .containsExactly("2001:db8:1:0:0:0:0:1");
        assertThat(a.search()).as("a name resolv.conf cannot mean is skipped").containsExactly("lab.test");
        assertThat(PastaConfig.announcement(parse("--dhcp-search", "-S", "x.test"), c, List.of()).search())
                .containsExactly("x.test");
    }

    /** pasta (conf.c add_dns4): a loopback first resolver is reached at the gateway's port 53. */
    @Test
    void aLoopbackResolverIsReachedAtTheGateway(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path resolved = dir.resolve("resolved.conf");
        java.nio.file.Files.writeString(resolved, "nameserver 127.0.0.53\nnameserver 192.0.2.53\n");
        java.nio.file.Path plain = dir.resolve("plain.conf");
        java.nio.file.Files.writeString(plain, "nameserver 192.0.2.53\nnameserver 127.0.0.53\n");
        UsernetConfig r = V4.withResolvConf(resolved);
        assertThat(PastaConfig.resolverAtGateway(parse(), List.of(), r)).isTrue();
        assertThat(PastaConfig.resolverAtGateway(parse(), List.of(), V4.withResolvConf(plain))).isFalse();
        assertThat(PastaConfig.resolverAtGateway(parse("--no-map-gw"), List.of(), r)).isFalse();
        assertThat(PastaConfig.resolverAtGateway(parse("-D", "none"), List.of(), r)).isFalse();
        PastaArgs d = parse("-D", "127.0.0.1");
        assertThat(PastaConfig.resolverAtGateway(d, PastaConfig.dnsServers(d), V4.withResolvConf(plain))).isTrue();
    }

    @Test
    void outboundAddressesAndMacsAreTaken() {
        UsernetConfig c = PastaConfig.of(parse("-o", "198.51.100.3", "--outbound=2001:db8:1::3", "-M",
                "02:00:00:00:00:01", "--ns-mac-addr", "02:00:00:00:00:42", "-p", "x.pcap"), UPLINK, UPLINK6);
        assertThat(c.outboundAddr().getHostAddress()).isEqualTo("198.51.100.3");
        assertThat(c.outboundAddr6().getHostAddress()).isEqualTo("2001:db8:1:0:0:0:0:3");
        assertThat(c.gatewayMac()).isEqualTo(0x0200_0000_0001L);
        assertThat(c.guestMac()).isEqualTo(0x0200_0000_0042L);
        assertThat(parse("-p", "x.pcap").pcap).isEqualTo("x.pcap");
        assertThat(V4.outboundAddr()).isNull();
    }

    @Test
    void withoutAnUplinkAddressAndGatewayMustBeGiven() {
        assertThatThrownBy(() -> PastaConfig.of(parse("--config-net"), Optional.empty(), Optional.empty()))
                .isInstanceOf(PastaArgs.Bad.class).hasMessage("External interface not usable");
        UsernetConfig c = PastaConfig.of(parse("-a", "10.0.0.5", "-g", "10.0.0.1"), Optional.empty(), Optional.empty());
        assertThat(c.prefixLength()).isEqualTo(8); // class A
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "-a xyz|Invalid address: xyz",
        "-g xyz|Invalid gateway address: xyz",
        "-n 40|Invalid netmask: 40",
        "-n 255.0.255.0|Invalid netmask: 255.0.255.0",
        "-m 70000|Invalid MTU: 70000",
        "--dns-forward xyz|Invalid DNS forwarding address: xyz",
        "-a ::1|Invalid address: ::1",
        "-a ff02::1|Invalid address: ff02::1",
        "-a ::ffff:10.0.0.1|Invalid address: ::ffff:10.0.0.1",
        "-a 2001:db8::zz|Invalid address: 2001:db8::zz",
        "-g ::|Invalid gateway address: ::",
        "--dns-forward ::1|Invalid DNS forwarding address: ::1",
        "-o xyz|Invalid or redundant outbound address: xyz",
        "-o 192.0.2.1 -o 192.0.2.2|Invalid or redundant outbound address: 192.0.2.2",
        "-o 127.0.0.1|Invalid or redundant outbound address: 127.0.0.1",
        "-M zz|Invalid MAC address: zz",
        "--ns-mac-addr 01:00:00:00:00:01|Invalid MAC address: 01:00:00:00:00:01",
        "-D xyz|Cannot use DNS address xyz",
        "-D 300.1.1.1|Cannot use DNS address 300.1.1.1",
        "-D 192.0.2.1 -D 192.0.2.2 -D 192.0.2.3 -D 192.0.2.4 -D 192.0.2.5|Cannot use DNS address 192.0.2.5",
        "--dhcp-search -S a..test|Cannot use search domain a..test",
    })
    void badValuesGetPastasLine(String args, String message) {
        assertThatThrownBy(() -> PastaConfig.of(parse(args.split(" ")), UPLINK, Optional.empty())).isInstanceOf(PastaArgs.Bad.class)
                .hasMessage(message);
    }
}
