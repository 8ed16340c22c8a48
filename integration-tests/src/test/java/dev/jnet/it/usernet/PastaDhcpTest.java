package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * pasta's DHCP server and {@code --no-dhcp} (issue 13, ask 7; pasta(1): "-a: Assign IPv4 addr
 * via DHCP (yiaddr)", "--no-dhcp: Disable the DHCP server"). A DHCP client in the namespace is
 * offered the namespace's one address (the sandbox host's {@value SandboxNetns#HOST_ADDRESS}),
 * the gateway as router and the MTU; with {@code --no-dhcp} nothing answers. DNS servers and
 * search list as {@code --dhcp-dns}, {@code --dhcp-search}, {@code -D} and {@code -S} say, and
 * {@code --dns-forward} to {@code -D}'s resolver. The same steps run
 * against the real pasta with {@code JNET_PASTA_BIN=/usr/bin/pasta}.
 */
@UsernetTest
class PastaDhcpTest {
    private static final PastaBinary PASTA = PastaBinary.configured();
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration DHCP_TIMEOUT = Duration.ofSeconds(60);
    private static final String OTHER_RESOLVER = "192.0.2.153";
    private static final String OTHER_ANSWER = "192.0.2.154";
    private static final String DNS_FORWARD = "169.254.1.1";
    private static final String LOOPBACK_RESOLVER = "127.0.0.53";
    /** udhcpc's script: prints the lease it was given, changes nothing. */
    private static final String SCRIPT = """
            #!/bin/sh
            if [ "$1" = bound ]; then
                echo "LEASE ip=$ip"
                echo "LEASE subnet=$subnet"
                echo "LEASE router=$router"
                echo "LEASE mtu=$mtu"
                echo "LEASE dns=$dns"
                echo "LEASE search=$search"
            fi
            """;

    @Test
    void aDhcpClientIsOfferedTheNamespacesAddress(UsernetSandbox net) throws Exception {
        List<String> marker = run(net, List.of());
        try {
            Proc.Result dhcp = udhcpc(net, 5);
            assertThat(dhcp.exit()).as(PASTA.description() + ": " + dhcp.describe()).isZero();
            assertThat(UsernetDhcpTest.lease(dhcp.stdout())).as(dhcp.describe()).containsEntry("ip", SandboxNetns.HOST_ADDRESS)
                    .containsEntry("subnet", "255.255.255.0").containsEntry("router", SandboxNetns.INTERNET_ADDRESS)
                    .containsEntry("mtu", "65520");
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /**
     * pasta mode announces no DNS server and no search list by default (udhcpc sees neither);
     * {@code --dhcp-dns} and {@code --dhcp-search} announce the host's resolv.conf's, and
     * {@code -D}/{@code -S} replace those (pasta(1)).
     */
    @Test
    void dnsAndSearchListAreOfferedOnlyWithDhcpDnsAndDhcpSearch(UsernetSandbox net) throws Exception {
        SandboxResolvConf conf = new SandboxResolvConf(net);
        try {
            conf.write(conf.original() + "search from-resolv.test\n");
            assertThat(dnsLease(net, List.of())).containsEntry("dns", "").containsEntry("search", "");
            assertThat(dnsLease(net, List.of("--dhcp-dns", "--dhcp-search")))
                    .containsEntry("dns", FakeInternet.DNS_ADDRESS).containsEntry("search", "from-resolv.test");
            assertThat(dnsLease(net, List.of("-D", "192.0.2.53", "-D", "198.51.100.53", "--dhcp-dns",
                    "-S", "example.test other.test", "--dhcp-search")))
                    .containsEntry("dns", "192.0.2.53 198.51.100.53").containsEntry("search", "example.test other.test");
        } finally {
            conf.close();
        }
    }

    private static Map<String, String> dnsLease(UsernetSandbox net, List<String> extra) throws Exception {
        List<String> marker = run(net, extra);
        try {
            Proc.Result dhcp = udhcpc(net, 5);
            assertThat(dhcp.exit()).as(PASTA.description() + ": " + dhcp.describe()).isZero();
            Map<String, String> lease = UsernetDhcpTest.lease(dhcp.stdout());
            assertThat(lease).as(dhcp.describe()).containsEntry("ip", SandboxNetns.HOST_ADDRESS);
            return lease;
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /**
     * {@code --dns-forward} goes to the first resolver {@code -D} names, not to resolv.conf's
     * ("the first configured DNS resolver", pasta(1)): a fake resolver on the fake internet
     * answers with its own address, the sandbox's usual one with the web host's.
     */
    @Test
    void dnsForwardGoesToTheResolverOfD(UsernetSandbox net) throws Exception {
        String inet = net.internetNetns();
        Proc.Result add = Proc.run("ip", "-n", inet, "addr", "add", OTHER_RESOLVER + "/32", "dev", "lo");
        assertThat(add.exit()).as(add.describe()).isZero();
        List<String> marker = null;
        try (FakeUdpServer other = FakeInternet.resolver(inet, OTHER_RESOLVER, OTHER_ANSWER)) {
            marker = run(net, List.of("-D", OTHER_RESOLVER, "--dns-forward", DNS_FORWARD));
            Proc.Result dig = net.guest(DHCP_TIMEOUT, List.of("dig", "+short", "+time=5", "+tries=2", "@" + DNS_FORWARD,
                    FakeInternet.WEB_NAME));
            // the installed pasta (0.0~git20230309) does not forward to -D's resolver (dig times
            // out), unlike what its pasta(1) says ("-D: use addr for ... DNS forwarding") and what
            // later passt does (conf.c's add_dns4 makes the first -D the forward's target)
            Assumptions.assumeTrue(PASTA.isJnet() || dig.exit() == 0,
                    "the installed pasta forwards --dns-forward nowhere when -D is given: " + dig.describe());
            assertThat(dig.stdout().strip()).as(PASTA.description() + ": " + dig.describe()).isEqualTo(OTHER_ANSWER);
            assertThat(other.requests()).isPositive();
        } finally {
            net.stopUsernet();
            if (marker != null) {
                PastaProcesses.kill(marker);
            }
            Proc.run("ip", "-n", inet, "addr", "del", OTHER_RESOLVER + "/32", "dev", "lo");
        }
    }

    /**
     * A host whose resolver is on loopback (systemd-resolved's 127.0.0.53): pasta names the
     * gateway for it ({@code --dhcp-dns}) and DNS to the gateway's port 53 reaches it (passt
     * conf.c {@code add_dns4}), where the gateway otherwise maps to the host's 127.0.0.1.
     */
    @Test
    void aLoopbackHostResolverIsReachedAtTheGateway(UsernetSandbox net) throws Exception {
        SandboxResolvConf conf = new SandboxResolvConf(net);
        List<String> marker = null;
        try (FakeUdpServer resolved = FakeInternet.resolver(net.hostNetns(), LOOPBACK_RESOLVER, OTHER_ANSWER)) {
            conf.write("nameserver " + LOOPBACK_RESOLVER + "\n");
            marker = run(net, List.of("--dhcp-dns"));
            Proc.Result dhcp = udhcpc(net, 5);
            assertThat(UsernetDhcpTest.lease(dhcp.stdout())).as(PASTA.description() + ": " + dhcp.describe())
                    .containsEntry("dns", SandboxNetns.INTERNET_ADDRESS);
            Proc.Result dig = net.guest(DHCP_TIMEOUT, List.of("dig", "+short", "+time=5", "+tries=2",
                    "@" + SandboxNetns.INTERNET_ADDRESS, FakeInternet.WEB_NAME));
            assertThat(dig.stdout().strip()).as(PASTA.description() + ": " + dig.describe()).isEqualTo(OTHER_ANSWER);
            assertThat(resolved.requests()).isPositive();
        } finally {
            net.stopUsernet();
            if (marker != null) {
                PastaProcesses.kill(marker);
            }
            conf.close();
        }
    }

    /**
     * pasta's DHCPv6 is stateful (dhcpv6.c): ISC dhclient without {@code -S} solicits, is
     * advertised and then leased the namespace's IPv6 address (the sandbox host's).
     */
    @Test
    void statefulDhcpv6LeasesTheNamespacesIpv6Address(UsernetSandbox net) throws Exception {
        List<String> marker = PastaProcesses.attach(net, PASTA, List.of("-t", "none", "-u", "none", "-T", "none",
                "-U", "none"), START);
        try {
            Proc.Result dhcp = UsernetDhcp6Test.dhclient6(net, false);
            assertThat(dhcp.stdout().lines().findFirst().orElse("").strip()).as(PASTA.description() + ": "
                    + dhcp.describe()).startsWith("dns= addr=" + SandboxNetns.HOST_ADDRESS6 + "/");
            assertThat(dhcp.stdout()).contains("dhclient: RCV: Advertise message on tap0")
                    .contains("dhclient: RCV: Reply message on tap0");
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    @Test
    void withNoDhcpNothingAnswers(UsernetSandbox net) throws Exception {
        List<String> marker = run(net, List.of("--no-dhcp"));
        try {
            Proc.Result dhcp = udhcpc(net, 2);
            assertThat(dhcp.exit()).as(PASTA.description() + ": " + dhcp.describe()).isNotZero();
            assertThat(UsernetDhcpTest.lease(dhcp.stdout())).as(dhcp.describe()).isEmpty();
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /** pasta --config-net on the sandbox's guest, IPv4, no forwarding, {@code extra}; the words that find it. */
    private static List<String> run(UsernetSandbox net, List<String> extra) {
        List<String> options = new ArrayList<>(List.of("-t", "none", "-u", "none", "-T", "none", "-U", "none", "-4"));
        options.addAll(extra);
        return PastaProcesses.attach(net, PASTA, options, START);
    }

    /** busybox udhcpc on tap0, {@code tries} discovers a second apart, quitting after a lease. */
    private static Proc.Result udhcpc(UsernetSandbox net, int tries) throws Exception {
        Path script = net.writeGuestFile("pasta-udhcpc.sh", SCRIPT.getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return net.guest(DHCP_TIMEOUT, List.of("busybox", "udhcpc", "-f", "-q", "-n", "-t", Integer.toString(tries),
                "-T", "1", "-O", "mtu", "-O", "search", "-i", "tap0", "-s", script.toString()));
    }
}
