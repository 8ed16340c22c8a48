package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Done-when 3 of issue 6: with {@code -6} the guest configures IPv6 itself from the stack's
 * router advertisements (SLAAC, as with slirp4netns) and reaches the gateway, an IPv6 host of
 * the fake internet (2001:db8::10) by ping, UDP and HTTP, and DNS at fd00::3 answers AAAA.
 */
@UsernetTest
public class UsernetIpv6Test {
    static final String FLAG = "--enable-ipv6";
    public static final String GATEWAY6 = "fd00::2";
    static final String DNS6 = "fd00::3";
    /** fe80:: + the EUI-64 of the gateway MAC 52:55:0a:00:02:02: the router address of the RAs. */
    static final String GATEWAY_LINK_LOCAL = "fe80::5055:aff:fe00:202";
    /** SLAAC: link-local DAD, router solicitation, then DAD of the new address: seconds, not more. */
    private static final int SLAAC_WAIT_ROUNDS = 100;

    @BeforeEach
    void ipv6Run(UsernetSandbox net) {
        startIpv6(net, List.of()); // the topology has just restored the default (IPv4-only) run
    }

    /**
     * Restarts usernet with {@code -6} and {@code flags} and waits until the guest has a SLAAC
     * address in fd00::/64 (not tentative); returns it.
     */
    public static String startIpv6(UsernetSandbox net, List<String> flags) {
        return startIpv6(net, UsernetSandbox.DEFAULT_MTU, flags);
    }

    /** As {@link #startIpv6(UsernetSandbox, List)} with the guest link at {@code mtu}. */
    public static String startIpv6(UsernetSandbox net, int mtu, List<String> flags) {
        List<String> all = new java.util.ArrayList<>(List.of(FLAG));
        all.addAll(flags);
        net.restartUsernet(mtu, all);
        // bounded: 100 rounds of 0.2 s for a global address that is no longer tentative
        Proc.Result wait = net.guestShell(Duration.ofSeconds(40), "for i in $(seq " + SLAAC_WAIT_ROUNDS + "); do "
                + "a=$(ip -6 -o addr show dev " + UsernetProcess.TAP + " scope global); "
                + "case \"$a\" in *fd00::*) case \"$a\" in *tentative*) ;; *) exit 0;; esac;; esac; "
                + "sleep 0.2; done; exit 1");
        assertThat(wait.exit()).as("SLAAC address on the tap: " + wait.describe()
                + net.guest("ip", "-6", "addr").describe() + net.usernetLog()).isZero();
        Proc.Result addr = net.guest("ip", "-6", "-o", "addr", "show", "dev", UsernetProcess.TAP, "scope", "global");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("inet6 (fd00::[0-9a-f:]+)/64").matcher(addr.stdout());
        assertThat(m.find()).as(addr.describe()).isTrue();
        return m.group(1);
    }

    @Test
    void theTapGetsASlaacAddressInFd00AndADefaultRouteViaTheGateway(UsernetSandbox net) {
        Proc.Result addr = net.guest("ip", "-6", "-o", "addr", "show", "dev", UsernetProcess.TAP, "scope", "global");
        assertThat(addr.stdout()).as(addr.describe()).containsPattern("inet6 fd00::[0-9a-f:]+/64 scope global");
        Proc.Result route = net.guest("ip", "-6", "route", "show", "default");
        assertThat(route.stdout()).as(route.describe())
                .contains("default via " + routerLinkLocal(net) + " dev " + UsernetProcess.TAP, "proto ra");
        Proc.Result prefix = net.guest("ip", "-6", "route", "show", "fd00::/64");
        assertThat(prefix.stdout()).as(prefix.describe()).contains("fd00::/64 dev " + UsernetProcess.TAP);
    }

    /** The router's link-local address: jnet's is the gateway MAC's EUI-64 one, libslirp's fe80::2. */
    private static String routerLinkLocal(UsernetSandbox net) {
        return net.runsJnet() ? GATEWAY_LINK_LOCAL : "fe80::2";
    }

    @Test
    void pingReachesTheGatewayItsLinkLocalAddressTheDnsAddressAndAnOutsideIpv6Host(UsernetSandbox net) {
        List<String> targets = new java.util.ArrayList<>(List.of(GATEWAY6, DNS6,
                routerLinkLocal(net) + "%" + UsernetProcess.TAP));
        if (net.runsJnet()) { // libslirp answers ICMPv6 echo for its own addresses only (UsernetOutboundTest)
            targets.add(FakeInternet.WEB_ADDRESS6);
        }
        for (String target : targets) {
            Proc.Result ping = net.guest("ping", "-6", "-n", "-c3", "-i", "0.2", "-W", "2", target);
            assertThat(ping.exit()).as(ping.describe() + net.usernetLog()).isZero();
            assertThat(ping.stdout()).contains("3 packets transmitted, 3 received");
        }
    }

    @Test
    void dnsAtFd00Colon3AnswersAaaaFromAnIpv4Resolver(UsernetSandbox net) {
        int before = net.internet().dnsQueries();
        Proc.Result dig = net.guest("dig", "+short", "+time=2", "+tries=2", "AAAA", "@" + DNS6, FakeInternet.WEB_NAME);
        org.junit.jupiter.api.Assumptions.assumeTrue(net.runsJnet() || dig.exit() == 0,
                "slirp4netns 1.2 does not answer DNS at fd00::3 with only an IPv4 resolver on the host: " + dig.describe());
        assertThat(dig.exit()).as(dig.describe() + net.usernetLog()).isZero();
        assertThat(dig.stdout().strip()).isEqualTo(FakeInternet.WEB_ADDRESS6);
        assertThat(net.internet().dnsQueries()).as("queries the (IPv4) fake resolver got").isGreaterThan(before);
    }

    @Test
    void udpOverIpv6ComesBackFromTheEchoService(UsernetSandbox net) {
        int before = net.internet().udpEchoes6();
        Proc.Result echo = net.guestClient(UsernetSandbox.DEFAULT_TIMEOUT, "udp-echo", FakeInternet.WEB_ADDRESS6,
                Integer.toString(FakeInternet.UDP_ECHO_PORT), "3");
        assertThat(echo.exit()).as(echo.describe()).isZero();
        assertThat(GuestOutput.fields(echo)).containsEntry("echoed", "3");
        assertThat(net.internet().udpEchoes6() - before).isGreaterThanOrEqualTo(3);
    }

    @Test
    void ipv4KeepsWorkingBesideIpv6(UsernetSandbox net) {
        Proc.Result ping = net.guest("ping", "-4", "-n", "-c2", "-i", "0.2", "-W", "2", FakeInternet.WEB_ADDRESS);
        assertThat(ping.exit()).as(ping.describe()).isZero();
    }

    @Test
    void curlOverIpv6DownloadsFromTheFakeIpv6WebServer(UsernetSandbox net) {
        Proc.Result down = net.guestShell(Duration.ofSeconds(90), "curl -6 -sSf --max-time 80 http://["
                + FakeInternet.WEB_ADDRESS6 + "]" + FakeWebServer.DOWNLOAD_PATH + " | sha256sum");
        assertThat(down.exit()).as(down.describe() + net.usernetLog()).isZero();
        assertThat(down.stdout()).startsWith(FakeInternet.downloadSha256() + " ");
    }
}
