package dev.jnet.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.usernet.UsernetConfig;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnsForwarderTest {
    @TempDir
    Path dir;

    static String str(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Test
    void nameserverLinesAreReadIpv4FirstAtMostThreeWithComments() {
        List<InetSocketAddress> servers = ResolvConf.parse("""
                # generated
                search example.test
                nameserver ::1
                nameserver 127.0.0.53 # systemd-resolved
                ; nameserver 198.51.100.1
                nameserver   192.0.2.53
                nameserver 203.0.113.53
                options edns0
                """);
        assertThat(servers).extracting(DnsForwarderTest::str)
                .containsExactly("127.0.0.53:53", "192.0.2.53:53", "0:0:0:0:0:0:0:1:53");
    }

    @Test
    void theLastSearchOrDomainLineIsTheSearchList() {
        assertThat(ResolvConf.parseSearch("search one.test two.test\nnameserver 192.0.2.1\n")).containsExactly(
                "one.test", "two.test");
        assertThat(ResolvConf.parseSearch("search one.test\ndomain lab.test extra\n# search no.test\n"))
                .containsExactly("lab.test");
        assertThat(ResolvConf.parseSearch("domain lab.test\nsearch\tA.test  b.test ; comment\n"))
                .containsExactly("A.test", "b.test");
        assertThat(ResolvConf.parseSearch("nameserver 192.0.2.1\n")).isEmpty();
    }

    @Test
    void onlyAddressLiteralsAreAcceptedNeverNamesToLookUp() {
        assertThat(ResolvConf.parse("nameserver dns.example.test\nnameserver 1.2.3\nnameserver 256.1.1.1\n"
                + "nameserver 1.2.3.4.5\nnameserver fe80::zz\nnameserver\nnameserver 010.1.1.1\nnameserver 1::2::3\n"
                + "nameserver 192.0.2.1\n"))
                .extracting(DnsForwarderTest::str).containsExactly("192.0.2.1:53");
    }

    @Test
    void aLinkLocalServerMayNameItsZone() {
        assertThat(ResolvConf.literal("fe80::53%1")).isInstanceOfSatisfying(java.net.Inet6Address.class,
                a -> assertThat(a.getScopeId()).isEqualTo(1));
        assertThat(ResolvConf.literal("fe80::53%no-such-if0")).isNull();
        assertThat(ResolvConf.literal("192.0.2.53%1")).isNull();
        assertThat(ResolvConf.literal("fe80::53%")).isNull();
    }

    @Test
    void theFirstServerIsTheUpstreamForUdpAndTcp() throws Exception {
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, "nameserver 127.0.0.53\nnameserver 192.0.2.53\n");
        DnsForwarder dns = DnsForwarder.fromResolvConf(UsernetConfig.defaults().withResolvConf(conf));
        assertThat(str(dns.upstream())).isEqualTo("127.0.0.53:53");
        assertThat(str(dns.tcpUpstream().get())).isEqualTo("127.0.0.53:53");
        assertThat(dns.upstreams()).hasSize(2);
    }

    @Test
    void ipv6QueriesGoToTheFirstIpv6ServerWhenThereIsOne() throws Exception {
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, "nameserver 2001:db8::53\nnameserver 192.0.2.53\nnameserver 2001:db8::54\n");
        DnsForwarder dns = DnsForwarder.fromResolvConf(UsernetConfig.defaults().withResolvConf(conf));
        assertThat(str(dns.upstream(true))).isEqualTo("2001:db8:0:0:0:0:0:53:53");
        assertThat(str(dns.upstream(false))).isEqualTo("192.0.2.53:53");
        Files.writeString(dir.resolve("v4.conf"), "nameserver 192.0.2.53\n");
        DnsForwarder v4 = DnsForwarder.fromResolvConf(UsernetConfig.defaults().withResolvConf(dir.resolve("v4.conf")));
        assertThat(str(v4.upstream(true))).as("none of IPv6: the first of any").isEqualTo("192.0.2.53:53");
    }

    @Test
    void withoutNameserversDnsFallsBackToHostLoopbackLikeLibslirpUnlessDisabled() throws Exception {
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, "search example.test\n");
        UsernetConfig c = UsernetConfig.defaults().withResolvConf(conf);
        assertThat(str(DnsForwarder.fromResolvConf(c).upstream())).isEqualTo("127.0.0.1:53");
        assertThat(DnsForwarder.fromResolvConf(c.withHostLoopback(false)).upstream()).isNull();
        UsernetConfig missing = c.withResolvConf(dir.resolve("absent"));
        assertThat(str(DnsForwarder.fromResolvConf(missing).upstream())).isEqualTo("127.0.0.1:53");
    }

    @Test
    void anUnreadableResolvConfIsAnError() {
        UsernetConfig c = UsernetConfig.defaults().withResolvConf(dir); // a directory
        assertThatThrownBy(() -> DnsForwarder.fromResolvConf(c)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(dir.toString());
    }

    @Test
    void explicitUpstreamsForTests() {
        InetSocketAddress fake = new InetSocketAddress("127.0.0.1", 5353);
        assertThat(DnsForwarder.of(List.of(fake)).upstream()).isEqualTo(fake);
        assertThat(DnsForwarder.of(List.of()).upstream()).isNull();
    }

    @Test
    void aChangedResolvConfIsFollowedAtTheFirstQueryAfterTheCheckInterval() throws Exception {
        Path conf = dir.resolve("resolv.conf");
        Files.writeString(conf, "nameserver 192.0.2.53\n");
        long[] now = {1_000};
        DnsForwarder dns = DnsForwarder.fromResolvConf(UsernetConfig.defaults().withResolvConf(conf), () -> now[0]);
        assertThat(str(dns.upstream())).isEqualTo("192.0.2.53:53");
        int before = dns.generation();

        Files.writeString(conf, "nameserver 198.51.100.53\n"); // rewritten in place (a bind mount sees it)
        now[0] += DnsForwarder.CHECK_INTERVAL_NANOS - 1;
        assertThat(str(dns.upstream())).as("within the interval: no look at the file").isEqualTo("192.0.2.53:53");
        now[0] += 1;
        assertThat(str(dns.upstream())).isEqualTo("198.51.100.53:53");
        assertThat(str(dns.tcpUpstream().get())).isEqualTo("198.51.100.53:53");
        assertThat(dns.generation()).isEqualTo(before + 1);

        Path next = dir.resolve("resolv.conf.new"); // replaced by rename, as resolvconf and NetworkManager do
        Files.writeString(next, "# VPN\nnameserver 127.0.0.53\n");
        Files.move(next, conf, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        now[0] += DnsForwarder.CHECK_INTERVAL_NANOS;
        assertThat(str(dns.upstream())).isEqualTo("127.0.0.53:53");
        assertThat(dns.generation()).isEqualTo(before + 2);

        now[0] += DnsForwarder.CHECK_INTERVAL_NANOS; // unchanged: the same servers, no new generation
        assertThat(str(dns.upstream())).isEqualTo("127.0.0.53:53");
        assertThat(dns.generation()).isEqualTo(before + 2);

        Files.delete(conf); // gone: as at start, host loopback's resolver
        now[0] += DnsForwarder.CHECK_INTERVAL_NANOS;
        assertThat(str(dns.upstream())).isEqualTo("127.0.0.1:53");
    }

    @Test
    void explicitServersNeverChange() {
        DnsForwarder dns = DnsForwarder.of(List.of(new InetSocketAddress("192.0.2.1", 53)));
        assertThat(str(dns.upstream())).isEqualTo("192.0.2.1:53");
        assertThat(dns.generation()).isZero();
    }
}
