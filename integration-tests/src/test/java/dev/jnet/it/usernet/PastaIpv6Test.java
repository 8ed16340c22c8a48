package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, ask 7: pasta's IPv6. As pasta does, the namespace gets the host's IPv6 address
 * (the sandbox host's {@value SandboxNetns#HOST_ADDRESS6}/64) and its default route via the
 * host's gateway ({@value SandboxNetns#INTERNET_ADDRESS6}) beside IPv4, and reaches an IPv6 host
 * of the fake internet; with {@code -6} the namespace has IPv6 only. The same steps run against
 * the real pasta with {@code JNET_PASTA_BIN=/usr/bin/pasta}.
 */
@UsernetTest
class PastaIpv6Test {
    private static final PastaBinary PASTA = PastaBinary.configured();
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(60);
    private static final int BYTES = 100_000;
    private static final int TCP_HOST = 18431;
    private static final int TCP_GUEST = 8072;
    private static final int UDP_HOST = 18432;
    private static final int UDP_GUEST = 8073;
    private static final String GUEST6 = "2001:db8:1::5";
    private static final String GATEWAY6 = "fe80::1";
    private static final String DNS_FORWARD6 = "fd00::53";
    /** An IPv6 resolver of the fake internet, listed after the IPv4 one, with an answer of its own. */
    private static final String RESOLVER6 = "2001:db8::54";
    private static final String RESOLVER6_ANSWER = "203.0.113.13";

    @Test
    void theNamespaceGetsTheHostsIpv6AddressAndGatewayBesideIpv4AndReachesAnIpv6Host(UsernetSandbox net)
            throws Exception {
        List<String> marker = run(net, List.of(), List.of());
        try {
            Proc.Result addr = net.guest(STEP, List.of("ip", "-o", "addr", "show", "dev", "tap0"));
            assertThat(addr.stdout()).as(addr.describe()).contains("inet6 " + SandboxNetns.HOST_ADDRESS6 + "/64 scope global")
                    .contains("inet " + SandboxNetns.HOST_ADDRESS + "/24");
            Proc.Result route = net.guest(STEP, List.of("ip", "-6", "route", "show", "default"));
            assertThat(route.stdout()).as(route.describe())
                    .contains("default via " + SandboxNetns.INTERNET_ADDRESS6 + " dev tap0");
            assertDownload(net, FakeInternet.WEB_ADDRESS6);
            assertDownload(net, FakeInternet.WEB_ADDRESS);
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    @Test
    void withDash6TheNamespaceHasIpv6Only(UsernetSandbox net) throws Exception {
        List<String> marker = run(net, List.of(), List.of("-6"));
        try {
            Proc.Result addr = net.guest(STEP, List.of("ip", "-o", "addr", "show", "dev", "tap0"));
            assertThat(addr.stdout()).as(addr.describe()).contains("inet6 " + SandboxNetns.HOST_ADDRESS6 + "/64")
                    .doesNotContain("inet ");
            assertDownload(net, FakeInternet.WEB_ADDRESS6);
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /**
     * {@code -a}, {@code -g} and {@code --dns-forward} with IPv6 values (pasta takes each once
     * per family): the namespace gets that address and its default route via that gateway,
     * reaches the IPv6 web host, and DNS to the IPv6 {@code --dns-forward} address is answered
     * by the host's first IPv6 resolver ("with corresponding IP version", pasta(1)).
     */
    @Test
    void ipv6AddressGatewayAndDnsForwardAreTaken(UsernetSandbox net) throws Exception {
        SandboxResolvConf conf = new SandboxResolvConf(net);
        String inet = net.internetNetns();
        root("ip", "-n", inet, "addr", "add", RESOLVER6 + "/128", "dev", "lo", "nodad");
        List<String> marker = null;
        try (FakeUdpServer resolver6 = FakeInternet.resolver(inet, RESOLVER6, RESOLVER6_ANSWER)) {
            conf.write(conf.original() + "nameserver " + RESOLVER6 + "\n");
            marker = run(net, List.of(), List.of("-a", GUEST6, "-g", GATEWAY6, "--dns-forward", DNS_FORWARD6));
            Proc.Result addr = net.guest(STEP, List.of("ip", "-o", "addr", "show", "dev", "tap0"));
            assertThat(addr.stdout()).as(addr.describe()).contains("inet6 " + GUEST6 + "/64 scope global");
            Proc.Result route = net.guest(STEP, List.of("ip", "-6", "route", "show", "default"));
            assertThat(route.stdout()).as(route.describe()).contains("default via " + GATEWAY6 + " dev tap0");
            assertDownload(net, FakeInternet.WEB_ADDRESS6);
            Proc.Result dig = net.guest(STEP, List.of("dig", "+short", "+time=5", "+tries=2", "@" + DNS_FORWARD6,
                    FakeInternet.WEB_NAME));
            assertThat(dig.stdout().strip()).as(dig.describe()).isEqualTo(RESOLVER6_ANSWER);
            assertThat(resolver6.requests()).isPositive();
        } finally {
            net.stopUsernet();
            if (marker != null) {
                PastaProcesses.kill(marker);
            }
            conf.close();
            Proc.run("ip", "-n", inet, "addr", "del", RESOLVER6 + "/128", "dev", "lo");
        }
    }

    private static void root(String... command) {
        Proc.Result r = Proc.run(command);
        assertThat(r.exit()).as(r.describe()).isZero();
    }

    /**
     * {@code -t P:G -u P:G} with IPv6 on: pasta listens on IPv6 too (jnet: {@code ::} IPv6 only
     * beside 0.0.0.0; the installed pasta: one dual-stack socket). Host-loopback clients are spliced to the namespace's loopback of their own family
     * (a dual-stack guest server sees ::ffff:127.0.0.1 and ::1); a client on the fake internet
     * reaches the guest through the host's IPv6 address over IPv6 (the guest sees an IPv6 peer),
     * and the UDP port echoes over both families.
     */
    @Test
    void portForwardsListenOnIpv6TooAndReachTheGuestOverIpv6(UsernetSandbox net) throws Exception {
        List<String> marker = run(net, List.of("-t", TCP_HOST + ":" + TCP_GUEST, "-u", UDP_HOST + ":" + UDP_GUEST),
                List.of());
        List<String> servers = new ArrayList<>();
        try {
            GuestServers.install(net);
            servers.add(GuestServers.start(net, "tcp6-echo", TCP_GUEST, "-ltn"));
            servers.add(GuestServers.start(net, "udp6-echo", UDP_GUEST, "-lun"));
            Proc.Result ss = net.host(STEP, List.of("ss", "-Hltn", "sport = :" + TCP_HOST));
            // jnet: 0.0.0.0 and [::] (IPv6 only); pasta 2023: one dual-stack socket, "*"
            assertThat(ss.stdout()).as(ss.describe()).containsAnyOf("[::]:" + TCP_HOST, "*:" + TCP_HOST);

            assertThat(peer(net.host(STEP, client("connect", "127.0.0.1", TCP_HOST)))).startsWith("::ffff:127.0.0.1 ");
            assertThat(peer(net.host(STEP, client("connect", "::1", TCP_HOST)))).startsWith("::1 ");
            // the installed pasta (0.0~git20230309) passes inbound IPv6 on only once it has seen
            // the namespace's own IPv6 traffic: the namespace sends some first, as one in use does
            Proc.Result ping = net.guest(STEP, List.of("ping", "-6", "-c1", "-W5", FakeInternet.WEB_ADDRESS6));
            assertThat(ping.exit()).as(ping.describe()).isZero();
            List<String> remote = new ArrayList<>(client("connect", SandboxNetns.HOST_ADDRESS6, TCP_HOST));
            remote.add(FakeInternet.WEB_ADDRESS6); // from a host of the fake internet
            assertThat(peer(fromInternet(net, remote))).as("the guest's peer of an IPv6 client")
                    .startsWith(FakeInternet.WEB_ADDRESS6 + " ");

            // the -u spec over both families. The guest's echo server answers from a wildcard
            // socket, so from whichever of its addresses the kernel picks (its SLAAC one, or its
            // link-local one while the configured one is tentative): still the forward's reply.
            // The installed pasta (0.0~git20230309) echoes nothing here at all (echoed=0); jnet must.
            for (String host : List.of(SandboxNetns.HOST_ADDRESS, SandboxNetns.HOST_ADDRESS6)) {
                Proc.Result udp = fromInternet(net, client("udp-echo", host, UDP_HOST));
                if (PASTA.isJnet() || !GuestOutput.fields(udp).getOrDefault("echoed", "").equals("0")) {
                    assertThat(GuestOutput.fields(udp)).as(udp.describe()).containsEntry("echoed", "3");
                }
            }
        } finally {
            for (String pid : servers) {
                net.guest("kill", pid);
            }
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    private static List<String> client(String mode, String addr, int port) {
        return List.of("/usr/bin/python3", "guest-client.py", mode, addr, Integer.toString(port), "3");
    }

    private static Proc.Result fromInternet(UsernetSandbox net, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.internetNetns()));
        cmd.addAll(command);
        return Proc.start(cmd, net.workDir()).await(STEP);
    }

    /** What the guest's echo server said of its peer: "ADDR PORT". */
    private static String peer(Proc.Result connect) {
        String received = GuestOutput.fields(connect).getOrDefault("received", "");
        assertThat(received).as(connect.describe()).startsWith("peer ");
        return received.substring("peer ".length());
    }

    /**
     * pasta on the sandbox's guest with the port options {@code ports} (none: no forwarding)
     * and {@code extra}; the words that find its processes.
     */
    private static List<String> run(UsernetSandbox net, List<String> ports, List<String> extra) {
        List<String> options = new ArrayList<>(ports.isEmpty() ? List.of("-t", "none", "-u", "none") : ports);
        options.addAll(List.of("-T", "none", "-U", "none"));
        options.addAll(extra);
        return PastaProcesses.attach(net, PASTA, options, START);
    }

    private static void assertDownload(UsernetSandbox net, String address) {
        String host = address.contains(":") ? "[" + address + "]" : address;
        Proc.Result get = net.guestShell(STEP, "set -o pipefail; curl -sSfg --max-time 30 'http://" + host + ":"
                + FakeInternet.HTTP_PORT + FakeWebServer.DOWNLOAD_PATH + "?bytes=" + BYTES + "' | sha256sum");
        assertThat(get.stdout()).as(address + ": " + get.describe()).startsWith(FakeInternet.downloadSha256(BYTES) + " ");
    }
}
