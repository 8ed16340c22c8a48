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

    @Test
    void theNamespaceGetsTheHostsIpv6AddressAndGatewayBesideIpv4AndReachesAnIpv6Host(UsernetSandbox net)
            throws Exception {
        List<String> marker = run(net, List.of());
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
        List<String> marker = run(net, List.of("-6"));
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

    /** pasta on the sandbox's guest, no port forwarding; the words that find its processes. */
    private static List<String> run(UsernetSandbox net, List<String> extra) {
        net.restartGuestOnly();
        List<String> argv = new ArrayList<>(List.of("--config-net", "-I", "tap0", "-t", "none", "-u", "none", "-T",
                "none", "-U", "none"));
        argv.addAll(extra);
        String pid = Long.toString(net.guestPid());
        argv.add(pid);
        List<String> marker = List.of("-U", "none", "-I", "tap0", pid);
        Proc.Result run = net.hostAsUser(START, PASTA.with(argv));
        if (run.exit() != 0) {
            PastaProcesses.kill(marker);
        }
        assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isZero();
        return marker;
    }

    private static void assertDownload(UsernetSandbox net, String address) {
        String host = address.contains(":") ? "[" + address + "]" : address;
        Proc.Result get = net.guestShell(STEP, "set -o pipefail; curl -sSfg --max-time 30 'http://" + host + ":"
                + FakeInternet.HTTP_PORT + FakeWebServer.DOWNLOAD_PATH + "?bytes=" + BYTES + "' | sha256sum");
        assertThat(get.stdout()).as(address + ": " + get.describe()).startsWith(FakeInternet.downloadSha256(BYTES) + " ");
    }
}
