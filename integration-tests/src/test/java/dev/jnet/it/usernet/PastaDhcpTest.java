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
import org.junit.jupiter.api.Test;

/**
 * pasta's DHCP server and {@code --no-dhcp} (issue 13, ask 7; pasta(1): "-a: Assign IPv4 addr
 * via DHCP (yiaddr)", "--no-dhcp: Disable the DHCP server"). A DHCP client in the namespace is
 * offered the namespace's one address (the sandbox host's {@value SandboxNetns#HOST_ADDRESS}),
 * the gateway as router and the MTU; with {@code --no-dhcp} nothing answers. The same steps run
 * against the real pasta with {@code JNET_PASTA_BIN=/usr/bin/pasta}.
 */
@UsernetTest
class PastaDhcpTest {
    private static final PastaBinary PASTA = PastaBinary.configured();
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration DHCP_TIMEOUT = Duration.ofSeconds(60);
    /** udhcpc's script: prints the lease it was given, changes nothing. */
    private static final String SCRIPT = """
            #!/bin/sh
            if [ "$1" = bound ]; then
                echo "LEASE ip=$ip"
                echo "LEASE subnet=$subnet"
                echo "LEASE router=$router"
                echo "LEASE mtu=$mtu"
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

    /** pasta --config-net on the sandbox's guest, no forwarding, {@code extra}; the words that find it. */
    private static List<String> run(UsernetSandbox net, List<String> extra) {
        net.restartGuestOnly();
        String pid = Long.toString(net.guestPid());
        List<String> argv = new ArrayList<>(List.of("--config-net", "-I", "tap0", "-t", "none", "-u", "none", "-T",
                "none", "-U", "none", "-4"));
        argv.addAll(extra);
        argv.add(pid);
        List<String> marker = List.of("-U", "none", "-4", pid);
        Proc.Result run = net.hostAsUser(START, PASTA.with(argv));
        if (run.exit() != 0) {
            PastaProcesses.kill(marker);
        }
        assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isZero();
        return marker;
    }

    /** busybox udhcpc on tap0, {@code tries} discovers a second apart, quitting after a lease. */
    private static Proc.Result udhcpc(UsernetSandbox net, int tries) throws Exception {
        Path script = net.writeGuestFile("pasta-udhcpc.sh", SCRIPT.getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return net.guest(DHCP_TIMEOUT, List.of("busybox", "udhcpc", "-f", "-q", "-n", "-t", Integer.toString(tries),
                "-T", "1", "-O", "mtu", "-i", "tap0", "-s", script.toString()));
    }
}
