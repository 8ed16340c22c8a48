package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * pasta's {@code -p/--pcap}, {@code -M/--mac-addr}, {@code --ns-mac-addr} and
 * {@code -o/--outbound} (pasta(1)), the same steps against jnet's pasta and, with
 * {@code JNET_PASTA_BIN=/usr/bin/pasta}, the real one.
 */
@UsernetTest
class PastaOptionsTest {
    private static final PastaBinary PASTA = PastaBinary.configured();
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(40);
    private static final String GATEWAY_MAC = "02:00:00:00:00:01";
    private static final String NS_MAC = "02:00:00:00:00:42";

    /**
     * The namespace's interface has {@code --ns-mac-addr}, the stack answers as {@code -M}, and
     * {@code -p} holds the namespace's HTTP exchange between those two MACs as tcpdump reads it.
     */
    @Test
    void pcapHoldsTheExchangeBetweenTheGivenMacs(UsernetSandbox net) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tcpdump")) || System.getenv("CI") != null,
                "tcpdump is not installed");
        Path dir = net.workDir().resolve("pasta-pcap");
        if (!Files.exists(dir)) { // the tests' user writes it; tcpdump reads it as root
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setOwner(dir, FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(TestUser.configuredName()));
        }
        Path pcap = dir.resolve("run-" + System.nanoTime() + ".pcap");
        List<String> marker = run(net, List.of("-p", pcap.toString(), "-M", GATEWAY_MAC, "--ns-mac-addr", NS_MAC));
        try {
            Proc.Result link = net.guest("ip", "-o", "link", "show", "dev", "tap0");
            assertThat(link.stdout()).as(link.describe()).contains("link/ether " + NS_MAC + " ");
            Proc.Result get = net.guest(STEP, List.of("curl", "-sSf", "-o", "/dev/null", "--max-time", "30",
                    "http://" + FakeInternet.WEB_ADDRESS + FakeWebServer.DOWNLOAD_PATH + "?bytes=1000"));
            assertThat(get.exit()).as(get.describe()).isZero();
            Proc.Result neigh = net.guest("ip", "neigh", "show", "dev", "tap0");
            assertThat(neigh.stdout()).as(neigh.describe()).contains("lladdr " + GATEWAY_MAC);
        } finally {
            net.stopUsernet();
            PastaProcesses.awaitGone(marker); // the capture is complete once pasta has ended
            PastaProcesses.kill(marker);
        }
        Proc.Result read = Proc.run(Duration.ofSeconds(30), List.of("tcpdump", "-e", "-n", "-r", pcap.toString(),
                "tcp port " + FakeInternet.HTTP_PORT));
        assertThat(read.exit()).as(read.describe()).isZero();
        List<String> lines = read.stdout().lines().toList();
        assertThat(lines).as(read.describe())
                .anyMatch(l -> l.contains(NS_MAC + " > " + GATEWAY_MAC) && l.contains("> " + FakeInternet.WEB_ADDRESS
                        + "." + FakeInternet.HTTP_PORT + ": Flags [S]"))
                .anyMatch(l -> l.contains(GATEWAY_MAC + " > " + NS_MAC) && l.contains(FakeInternet.WEB_ADDRESS + "."
                        + FakeInternet.HTTP_PORT + " > ") && l.contains("Flags [S.]"));
    }

    /**
     * {@code -o} once per family: TCP, UDP and TCP over IPv6 leave from the host's second
     * addresses, the only ones the fake internet answers ({@link OutboundRig}); without it the
     * same download gets no answer.
     */
    @Test
    void outboundBindsHostSocketsToTheGivenAddresses(UsernetSandbox net) throws Exception {
        try (OutboundRig rig = new OutboundRig(net)) {
            List<String> marker = run(net, List.of("-o", OutboundRig.OUTBOUND, "-o", OutboundRig.OUTBOUND6));
            try {
                assertThat(get(net, FakeInternet.WEB_ADDRESS, 30).exit()).isZero();
                assertThat(UsernetOutboundTest.udpEchoes(net, FakeInternet.WEB_ADDRESS)).isEqualTo("3");
                assertThat(get(net, "[" + FakeInternet.WEB_ADDRESS6 + "]", 30).exit()).isZero();
            } finally {
                net.stopUsernet();
                PastaProcesses.kill(marker);
            }
            marker = run(net, List.of());
            try {
                Proc.Result control = get(net, FakeInternet.WEB_ADDRESS, 5);
                assertThat(control.exit()).as("the control: from the host's first address nothing comes back: "
                        + control.describe()).isNotZero();
            } finally {
                net.stopUsernet();
                PastaProcesses.kill(marker);
            }
        }
    }

    /** An HTTP download in the guest (TCP: the installed pasta mishandles a client's early half-close). */
    private static Proc.Result get(UsernetSandbox net, String host, int seconds) {
        Proc.Result r = net.guest(STEP, List.of("curl", "-sSfg", "-o", "/dev/null", "--max-time", Integer.toString(seconds),
                "http://" + host + FakeWebServer.DOWNLOAD_PATH + "?bytes=1000"));
        return r;
    }

    /** pasta attached to a fresh guest, no forwarding, {@code extra}; the words that find it. */
    private static List<String> run(UsernetSandbox net, List<String> extra) {
        List<String> options = new ArrayList<>(List.of("-t", "none", "-u", "none", "-T", "none", "-U", "none"));
        options.addAll(extra);
        return PastaProcesses.attach(net, PASTA, options, START);
    }
}
