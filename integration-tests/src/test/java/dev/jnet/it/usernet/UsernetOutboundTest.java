package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 point 5: {@code --outbound-addr} and {@code --outbound-addr6} apply to every host
 * socket the stack opens: TCP, UDP, ICMP echo and the DNS forwarder's upstream. The host
 * namespace gets a second address of each family on its uplink, and the internet namespace
 * refuses to route anything back to the first ({@code ip rule ... prohibit}): an exchange
 * works only if its host socket left from the outbound address.
 */
@UsernetTest
class UsernetOutboundTest {
    static final String OUTBOUND = OutboundRig.OUTBOUND;
    static final String OUTBOUND6 = OutboundRig.OUTBOUND6;
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

    private OutboundRig rig;

    @BeforeEach
    void aSecondAddressAndNoWayBackToTheFirst(UsernetSandbox net) {
        rig = new OutboundRig(net);
    }

    @AfterEach
    void restoreTheNamespaces(UsernetSandbox net) {
        rig.close();
        net.stopUsernet(); // the next test starts from the default run
    }

    @Test
    void tcpUdpIcmpAndDnsLeaveFromTheOutboundAddresses(UsernetSandbox net) {
        UsernetIpv6Test.startIpv6(net, List.of("--outbound-addr=" + OUTBOUND, "--outbound-addr6=" + OUTBOUND6));

        assertThat(connect(net, FakeInternet.WEB_ADDRESS, FakeInternet.REPLY_AFTER_EOF_PORT)).isEqualTo("connected");
        assertThat(udpEchoes(net, FakeInternet.WEB_ADDRESS)).isEqualTo("3");
        assertThat(ping(net, "-4", FakeInternet.WEB_ADDRESS).exit()).isZero();
        Proc.Result dig = net.guest("dig", "+short", "+time=2", "+tries=2", "@" + UsernetSandbox.DNS, FakeInternet.WEB_NAME);
        assertThat(dig.stdout().strip()).as(dig.describe() + net.usernetLog()).isEqualTo(FakeInternet.WEB_ADDRESS);

        assertThat(connect(net, FakeInternet.WEB_ADDRESS6, FakeInternet.HTTP_PORT)).isEqualTo("connected");
        assertThat(udpEchoes(net, FakeInternet.WEB_ADDRESS6)).isEqualTo("3");
    }

    @Test
    void icmpv6EchoLeavesFromTheOutboundAddress6(UsernetSandbox net) {
        Assumptions.assumeTrue(net.runsJnet(), "slirp4netns 1.2 (libslirp) answers ICMPv6 echo for its own addresses"
                + " only: it forwards no ping to outside IPv6 hosts at all");
        UsernetIpv6Test.startIpv6(net, List.of("--outbound-addr6=" + OUTBOUND6));
        assertThat(ping(net, "-6", FakeInternet.WEB_ADDRESS6).exit()).isZero();
    }

    /** The control: without the flags the host's first addresses are used, and nothing comes back. */
    @Test
    void withoutTheFlagsNothingComesBack(UsernetSandbox net) {
        UsernetIpv6Test.startIpv6(net, List.of());
        assertThat(ping(net, "-4", FakeInternet.WEB_ADDRESS).exit()).isNotZero();
        if (net.runsJnet()) { // slirp4netns forwards no ICMPv6 echo (see above): nothing to tell there
            assertThat(ping(net, "-6", FakeInternet.WEB_ADDRESS6).exit()).isNotZero();
        }
        assertThat(connect(net, FakeInternet.WEB_ADDRESS6, FakeInternet.HTTP_PORT)).isNotEqualTo("connected");
        assertThat(udpEchoes(net, FakeInternet.WEB_ADDRESS)).isEqualTo("0");
        Proc.Result dig = net.guest("dig", "+short", "+time=1", "+tries=1", "@" + UsernetSandbox.DNS, FakeInternet.WEB_NAME);
        assertThat(dig.stdout()).doesNotContain(FakeInternet.WEB_ADDRESS);
    }

    private static Proc.Result ping(UsernetSandbox net, String family, String target) {
        Proc.Result r = net.guest("ping", family, "-n", "-c2", "-i", "0.2", "-W", "2", target);
        return r;
    }

    static String udpEchoes(UsernetSandbox net, String host) {
        Proc.Result r = net.guestClient(TIMEOUT, "udp-echo", host, Integer.toString(FakeInternet.UDP_ECHO_PORT), "3");
        assertThat(r.exit()).as(r.describe()).isZero();
        return GuestOutput.fields(r).get("echoed");
    }

    static String connect(UsernetSandbox net, String host, int port) {
        Proc.Result r = net.guestClient(TIMEOUT, "connect", host, Integer.toString(port), "10");
        assertThat(r.exit()).as(r.describe()).isZero();
        return GuestOutput.fields(r).get("outcome");
    }
}
