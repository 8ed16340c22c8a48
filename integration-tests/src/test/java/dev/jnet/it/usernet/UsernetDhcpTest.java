package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, ask 1: a guest started without {@code -c} (tap down, no address) runs busybox
 * udhcpc and gets libslirp's lease (10.0.2.15, router .2, DNS .3, a day), configures itself
 * from it and reaches the fake internet by name; with {@code --cidr} the lease follows the network.
 */
@UsernetTest
class UsernetDhcpTest {
    private static final Duration DHCP_TIMEOUT = Duration.ofSeconds(60);
    private static final int MTU = 1500;
    /** udhcpc calls it with deconfig, then bound: it records the lease and applies it. */
    private static final String SCRIPT = """
            #!/bin/sh
            case "$1" in
            deconfig)
                ip link set "$interface" up
                ip -4 addr flush dev "$interface"
                ;;
            bound|renew)
                echo "LEASE ip=$ip"
                echo "LEASE subnet=$subnet"
                echo "LEASE router=$router"
                echo "LEASE dns=$dns"
                echo "LEASE lease=$lease"
                echo "LEASE serverid=$serverid"
                echo "LEASE mtu=$mtu"
                ip -4 addr add "$ip/$subnet" dev "$interface"
                ip -4 route add default via "$router" dev "$interface"
                ;;
            esac
            """;

    @Test
    void udhcpcGetsTheSlirpLeaseAndTheGuestReachesTheInternet(UsernetSandbox net) throws Exception {
        Map<String, String> lease = udhcpc(net);
        assertThat(lease)
                .containsEntry("ip", "10.0.2.15")
                .containsEntry("subnet", "255.255.255.0")
                .containsEntry("router", UsernetSandbox.GATEWAY)
                .containsEntry("dns", UsernetSandbox.DNS)
                .containsEntry("serverid", UsernetSandbox.GATEWAY)
                .containsEntry("lease", Integer.toString(24 * 3600)); // libslirp's LEASE_TIME

        Proc.Result addr = net.guest("ip", "-o", "-4", "addr", "show", "dev", UsernetProcess.TAP);
        assertThat(addr.stdout()).as(addr.describe()).contains("inet 10.0.2.15/24 ");
        Proc.Result web = net.guest(DHCP_TIMEOUT, List.of("curl", "-sSf", "-I", "--max-time", "30",
                "http://" + FakeInternet.WEB_NAME + FakeWebServer.DOWNLOAD_PATH));
        assertThat(web.exit()).as(web.describe() + net.usernetLog()).isZero();
        assertThat(web.stdout()).startsWith("HTTP/1.1 200");
    }

    @Test
    void theLeaseCarriesTheLinkMtu(UsernetSandbox net) throws Exception {
        // option 26 (interface MTU, RFC 2132 5.1): jnet sends the configured --mtu; libslirp sends none
        Assumptions.assumeTrue(net.runsJnet(), "libslirp's DHCP server sends no interface MTU (option 26)");
        assertThat(udhcpc(net)).containsEntry("mtu", Integer.toString(MTU));
    }

    /** {@code --cidr}: the lease, router and DNS follow the network (libslirp: network + 15, .2, .3). */
    @Test
    void theLeaseFollowsCidr(UsernetSandbox net) throws Exception {
        assertThat(udhcpc(net, List.of("--cidr", "10.0.3.0/24")))
                .containsEntry("ip", "10.0.3.15")
                .containsEntry("subnet", "255.255.255.0")
                .containsEntry("router", "10.0.3.2")
                .containsEntry("dns", "10.0.3.3")
                .containsEntry("serverid", "10.0.3.2");
    }

    private static Map<String, String> udhcpc(UsernetSandbox net) throws Exception {
        return udhcpc(net, List.of());
    }

    /** A fresh guest without {@code -c}, usernet with {@code flags}; udhcpc's lease as the script saw it (applied to tap0). */
    private static Map<String, String> udhcpc(UsernetSandbox net, List<String> flags) throws Exception {
        net.restartUsernet(MTU, flags, List.of(), UsernetSandbox.Launch.UNCONFIGURED);
        Proc.Result bare = net.guest("ip", "-o", "-4", "addr", "show", "dev", UsernetProcess.TAP);
        assertThat(bare.stdout()).as("no -c: no address before DHCP").doesNotContain("inet ");
        Path scriptFile = net.writeGuestFile("udhcpc.sh", SCRIPT.getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(scriptFile, PosixFilePermissions.fromString("rwxr-xr-x"));
        Proc.Result dhcp = net.guest(DHCP_TIMEOUT, List.of("busybox", "udhcpc", "-f", "-q", "-n", "-t", "5", "-T", "2",
                "-O", "mtu", "-i", UsernetProcess.TAP, "-s", scriptFile.toString()));
        assertThat(dhcp.exit()).as(dhcp.describe() + net.usernetLog()).isZero();
        Map<String, String> lease = lease(dhcp.stdout());
        assertThat(lease).as(dhcp.describe()).containsKey("ip");
        return lease;
    }

    /** The LEASE key=value lines a udhcpc script printed. */
    static Map<String, String> lease(String stdout) {
        Map<String, String> env = new HashMap<>();
        for (String line : stdout.split("\n")) {
            if (line.startsWith("LEASE ")) {
                String kv = line.substring("LEASE ".length());
                int eq = kv.indexOf('=');
                env.put(kv.substring(0, eq), kv.substring(eq + 1).strip());
            }
        }
        return env;
    }
}
