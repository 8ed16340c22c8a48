package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 point 2: where slirp4netns answers a guest's connect with ICMP, so does jnet, and
 * the guest's connect() fails with the errno scripts test for. The host namespace gets an
 * {@code unreachable} route (connect fails EHOSTUNREACH there) and a {@code throw} route
 * (ENETUNREACH) to TEST-NET-1 addresses; the internet namespace blackholes a third, so SYNs
 * vanish and the host's connect times out (tcp_syn_retries 1 in the host namespace: 3 s).
 * A closed port stays a RST (ECONNREFUSED). IPv4 and IPv6 alike.
 */
@UsernetTest
class UsernetIcmpErrorsTest {
    static final String NO_ROUTE_TO_HOST = "192.0.2.1";
    static final String NO_NETWORK = "192.0.2.2";
    static final String SILENT = "192.0.2.3";
    static final String NO_ROUTE_TO_HOST6 = "2001:db8:dead::1";
    static final String NO_NETWORK6 = "2001:db8:dead::2";
    static final String SILENT6 = "2001:db8:dead::3";
    private static final Duration TIMEOUT = Duration.ofSeconds(40);

    /** Commands that undo what a test changed in the namespaces, run after it. */
    private final List<List<String>> undo = new ArrayList<>();

    @AfterEach
    void restoreTheNamespaces() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            Proc.run(Proc.DEFAULT_TIMEOUT, undo.get(i));
        }
        undo.clear();
    }

    @Test
    void theGatewayWithHostLoopbackDisabledIsNetworkUnreachable(UsernetSandbox net) {
        net.restartUsernet(List.of("--disable-host-loopback"));
        assertThat(connect(net, UsernetSandbox.GATEWAY, UsernetSandbox.HOST_LOOPBACK_PORT)).isEqualTo("ENETUNREACH");
        assertThat(net.hostLoopback().accepted()).isZero();
    }

    @Test
    void hostRoutesUnreachableAndThrowGiveHostAndNetworkUnreachable(UsernetSandbox net) {
        routes(net, "-4", NO_ROUTE_TO_HOST + "/32", NO_NETWORK + "/32");
        assertThat(connect(net, NO_ROUTE_TO_HOST, 80)).isEqualTo("EHOSTUNREACH");
        assertThat(connect(net, NO_NETWORK, 80)).isEqualTo("ENETUNREACH");
        assertThat(connect(net, FakeInternet.WEB_ADDRESS, FakeInternet.CLOSED_PORT))
                .as("a refused connect stays a RST").isEqualTo("ECONNREFUSED");
        assertThat(connect(net, FakeInternet.WEB_ADDRESS, FakeInternet.REPLY_AFTER_EOF_PORT)).isEqualTo("connected");
    }

    @Test
    void overIpv6TheSameErrorsAsIcmpv6(UsernetSandbox net) {
        UsernetIpv6Test.startIpv6(net, List.of());
        routes(net, "-6", NO_ROUTE_TO_HOST6 + "/128", NO_NETWORK6 + "/128");
        assertThat(connect(net, NO_ROUTE_TO_HOST6, 80)).isEqualTo("EHOSTUNREACH");
        assertThat(connect(net, NO_NETWORK6, 80)).isEqualTo("ENETUNREACH");
        assertThat(connect(net, FakeInternet.WEB_ADDRESS6, FakeInternet.CLOSED_PORT)).isEqualTo("ECONNREFUSED");
        assertThat(connect(net, FakeInternet.WEB_ADDRESS6, FakeInternet.HTTP_PORT)).isEqualTo("connected");
    }

    @Test
    void theIpv6GatewayWithHostLoopbackDisabledIsNetworkUnreachable(UsernetSandbox net) {
        UsernetIpv6Test.startIpv6(net, List.of("--disable-host-loopback"));
        assertThat(connect(net, UsernetIpv6Test.GATEWAY6, UsernetSandbox.HOST_LOOPBACK_PORT)).isEqualTo("ENETUNREACH");
    }

    @Test
    void aHostConnectThatTimesOutIsHostUnreachable(UsernetSandbox net) {
        root(List.of("ip", "netns", "exec", net.hostNetns(), "sysctl", "-qw", "net.ipv4.tcp_syn_retries=1"),
                List.of("ip", "netns", "exec", net.hostNetns(), "sysctl", "-qw", "net.ipv4.tcp_syn_retries=6"));
        root(List.of("ip", "-n", net.internetNetns(), "route", "add", "blackhole", SILENT + "/32"),
                List.of("ip", "-n", net.internetNetns(), "route", "del", "blackhole", SILENT + "/32"));
        UsernetIpv6Test.startIpv6(net, List.of());
        root(List.of("ip", "-n", net.internetNetns(), "-6", "route", "add", "blackhole", SILENT6 + "/128"),
                List.of("ip", "-n", net.internetNetns(), "-6", "route", "del", "blackhole", SILENT6 + "/128"));
        String v4 = connect(net, SILENT, 80);
        if (!net.runsJnet()) {
            Assumptions.assumeTrue(v4.equals("EHOSTUNREACH"), "slirp4netns tells the guest nothing like ICMP of a host"
                    + " connect that timed out after EINPROGRESS: the guest's connect() ends in " + v4);
        }
        assertThat(v4).isEqualTo("EHOSTUNREACH");
        assertThat(connect(net, SILENT6, 80)).isEqualTo("EHOSTUNREACH");
    }

    /** An {@code unreachable} route to {@code host} and a {@code throw} route to {@code net} in the host namespace. */
    private void routes(UsernetSandbox sandbox, String family, String host, String network) {
        for (String[] r : new String[][] {{"unreachable", host}, {"throw", network}}) {
            root(List.of("ip", "-n", sandbox.hostNetns(), family, "route", "add", r[0], r[1]),
                    List.of("ip", "-n", sandbox.hostNetns(), family, "route", "del", r[0], r[1]));
        }
    }

    /** Runs {@code command} as root (it must succeed) and {@code inverse} after the test. */
    private void root(List<String> command, List<String> inverse) {
        Proc.Result r = Proc.run(Proc.DEFAULT_TIMEOUT, command);
        assertThat(r.exit()).as(r.describe()).isZero();
        undo.add(inverse);
    }

    /** The guest's connect to {@code host:port}: "connected" or the errno name it failed with. */
    private static String connect(UsernetSandbox net, String host, int port) {
        Proc.Result r = net.guestClient(TIMEOUT, "connect", host, Integer.toString(port), "20");
        assertThat(r.exit()).as(r.describe()).isZero();
        String outcome = GuestOutput.fields(r).get("outcome");
        assertThat(outcome).as(r.describe() + net.usernetLog()).isNotNull();
        return outcome;
    }
}
