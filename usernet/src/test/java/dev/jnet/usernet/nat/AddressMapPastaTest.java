package dev.jnet.usernet.nat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.PastaAddresses;
import dev.jnet.usernet.UsernetConfig;
import org.junit.jupiter.api.Test;

/** pasta's address plan: the guest shares the host's subnet, gateway and --map-guest-addr as pasta maps them. */
class AddressMapPastaTest {
    private static final int GUEST = 0xC633_6402;   // 198.51.100.2 (the host's own address)
    private static final int GATEWAY = 0xC633_6401; // 198.51.100.1
    private static final int DNS = 0xA9FE_0101;     // 169.254.1.1
    private static final int MAPPED = 0xA9FE_0102;  // 169.254.1.2
    private static final int LOOPBACK = 0x7F00_0001;

    /** 2001:db8:1::/64: the guest ::2 (the host's address), the gateway ::1 */
    private static final long PREFIX6 = 0x2001_0db8_0001_0000L;

    private static AddressMap map(boolean mapGw) {
        UsernetConfig c = UsernetConfig.defaults().withMtu(65520)
                .withPasta(new PastaAddresses(GUEST, GATEWAY, DNS, MAPPED, GUEST), 24)
                .withHostLoopback(mapGw).withDns(true).withIpv6(Ipv6Config.pasta(PREFIX6, 2, PREFIX6, 1));
        return new AddressMap(c);
    }

    @Test
    void ipv6NeighboursAreThemselvesTheGatewayIsTheHostsLoopbackUnderMapGwAndTheGuestIsNoDestination() {
        assertThat(map(false).classify6(HostRedirect.TCP, PREFIX6, 5, 22)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(false).hostInetAddress6(PREFIX6, 5).getHostAddress()).isEqualTo("2001:db8:1:0:0:0:0:5");
        assertThat(map(false).classify6(HostRedirect.TCP, PREFIX6, 2, 22)).isEqualTo(AddressMap.Kind.UNREACHABLE);
        assertThat(map(false).classify6(HostRedirect.TCP, PREFIX6, 1, 80)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(false).hostInetAddress6(PREFIX6, 1).getHostAddress()).as("--no-map-gw: the gateway itself")
                .isEqualTo("2001:db8:1:0:0:0:0:1");
        assertThat(map(true).hostInetAddress6(PREFIX6, 1).getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(map(true).classify6(HostRedirect.TCP, 0x2001_0db8_0000_0000L, 0x10, 80)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(true).classify6(HostRedirect.UDP, PREFIX6, 3, 53)).as("no DNS address of ours in pasta's plan")
                .isEqualTo(AddressMap.Kind.HOST);
    }

    /** The DNS address may be the gateway (a loopback host resolver, as pasta): its port 53 only. */
    @Test
    void aDnsAddressAtTheGatewayTakesItsPort53AndLeavesTheRestToTheHost() {
        UsernetConfig c = UsernetConfig.defaults().withMtu(65520)
                .withPasta(new PastaAddresses(GUEST, GATEWAY, GATEWAY, 0, 0), 24).withDns(true);
        AddressMap m = new AddressMap(c);
        assertThat(m.classify(HostRedirect.UDP, GATEWAY, 53)).isEqualTo(AddressMap.Kind.DNS);
        assertThat(m.classify(HostRedirect.TCP, GATEWAY, 53)).isEqualTo(AddressMap.Kind.DNS);
        assertThat(m.classify(HostRedirect.UDP, GATEWAY, 5353)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(m.classify(HostRedirect.TCP, GATEWAY, 80)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(m.hostAddress(GATEWAY)).isEqualTo(LOOPBACK);
        assertThat(new AddressMap(c.withDns(false)).classify(HostRedirect.UDP, GATEWAY, 53))
                .as("no DNS forwarding: the gateway is the host's loopback, port 53 too").isEqualTo(AddressMap.Kind.HOST);
    }

    @Test
    void anIpv6DnsForwardAddressAnywhereIsTheDnsForwarderOnPort53Only() {
        long fd00 = 0xfd00_0000_0000_0000L;
        UsernetConfig c = UsernetConfig.defaults().withMtu(65520)
                .withPasta(new PastaAddresses(GUEST, GATEWAY, DNS, MAPPED, GUEST), 24).withDns(true)
                .withIpv6(Ipv6Config.pasta(PREFIX6, 2, PREFIX6, 1).withDns(fd00, 0x53));
        AddressMap m = new AddressMap(c);
        assertThat(m.classify6(HostRedirect.UDP, fd00, 0x53, 53)).isEqualTo(AddressMap.Kind.DNS);
        assertThat(m.classify6(HostRedirect.TCP, fd00, 0x53, 53)).isEqualTo(AddressMap.Kind.DNS);
        assertThat(m.classify6(HostRedirect.UDP, fd00, 0x53, 5353)).isEqualTo(AddressMap.Kind.UNREACHABLE);
        assertThat(m.classify6(HostRedirect.UDP, fd00, 0x54, 53)).as("another address of that prefix: the internet")
                .isEqualTo(AddressMap.Kind.HOST);
    }

    @Test
    void noMapGwLeavesTheGatewayItselfAndMapGwMakesItTheHostsLoopback() {
        assertThat(map(false).classify(HostRedirect.TCP, GATEWAY, 80)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(false).hostAddress(GATEWAY)).isEqualTo(GATEWAY);
        assertThat(map(true).classify(HostRedirect.TCP, GATEWAY, 80)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(true).hostAddress(GATEWAY)).isEqualTo(LOOPBACK);
    }

    @Test
    void dnsForwardIsTheForwarderOnPort53Only() {
        assertThat(map(false).classify(HostRedirect.TCP, DNS, 53)).isEqualTo(AddressMap.Kind.DNS);
        assertThat(map(false).classify(HostRedirect.TCP, DNS, 80)).isEqualTo(AddressMap.Kind.UNREACHABLE);
    }

    @Test
    void mapGuestAddrReachesTheHostsOwnAddress() {
        assertThat(map(false).classify(HostRedirect.TCP, MAPPED, 8081)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(false).hostAddress(MAPPED)).isEqualTo(GUEST);
    }

    @Test
    void neighboursOfTheSubnetAreThemselvesButNotTheGuestOrBroadcast() {
        assertThat(map(false).classify(HostRedirect.TCP, 0xC633_6405, 22)).isEqualTo(AddressMap.Kind.HOST);
        assertThat(map(false).hostAddress(0xC633_6405)).isEqualTo(0xC633_6405);
        assertThat(map(false).classify(HostRedirect.TCP, GUEST, 22)).isEqualTo(AddressMap.Kind.UNREACHABLE);
        assertThat(map(false).classify(HostRedirect.TCP, 0xC633_64FF, 22)).isEqualTo(AddressMap.Kind.UNREACHABLE);
    }

    @Test
    void slirpLayoutIsUnchanged() {
        AddressMap slirp = new AddressMap(UsernetConfig.defaults());
        assertThat(slirp.classify(HostRedirect.TCP, 0x0A00_0205, 22)).isEqualTo(AddressMap.Kind.UNREACHABLE);
        assertThat(slirp.hostAddress(0x0A00_0202)).isEqualTo(LOOPBACK);
    }
}
