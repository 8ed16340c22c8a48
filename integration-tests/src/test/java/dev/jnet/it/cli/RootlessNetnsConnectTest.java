package dev.jnet.it.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.it.TestUser;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code jnet netns connect R} by the unprivileged test user: one command puts rootless namespace R
 * online through a usernet process that outlives it (tap0 on a /24 nothing in R overlaps, a
 * default route, TCP to the host's loopback through the gateway), and {@code disconnect} ends
 * that process and leaves R's addresses and routes as they were. Traffic goes only to the
 * gateway and to a server of this test on the host's loopback.
 */
@RequiresRoot(testUser = true)
@JnetIntegrationTest
class RootlessNetnsConnectTest {
    private static final Pattern CONNECTED =
            Pattern.compile("(\\S+): tap0 10\\.0\\.(\\d+)\\.100/24 via 10\\.0\\.(\\d+)\\.2 \\(usernet, pid (\\d+)\\)");
    private static final long EXIT_WAIT_MILLIS = 10_000;

    private static Proc.Result ok(JnetCli jnet, String... args) {
        Proc.Result r = jnet.run(args);
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }

    /** R's addresses and routes (IPv6 link-local ones aside), as ip inside R shows them. */
    private static List<String> addressesAndRoutes(JnetCli jnet, String ns) {
        return ok(jnet, "netns", "exec", ns, "sh", "-c", "ip -o addr; ip route show table all; ip -6 route show table all")
                .stdoutLines().stream().filter(l -> !l.contains("fe80:")).toList();
    }

    /** Whether process {@code pid} ends (or is a zombie) within {@link #EXIT_WAIT_MILLIS}. */
    private static boolean exits(long pid) throws InterruptedException {
        long end = System.currentTimeMillis() + EXIT_WAIT_MILLIS;
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        while (System.currentTimeMillis() < end) {
            try {
                String s = Files.readString(stat);
                if (s.substring(s.lastIndexOf(')') + 2).startsWith("Z")) {
                    return true;
                }
            } catch (java.io.IOException e) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    @Test
    void connectPutsTheNamespaceOnlineAndDisconnectUndoesIt(JnetCli root, TestUser user, HostNetns host) throws Exception {
        JnetCli jnet = root.as(user);
        String r = host.name("rcon");
        ok(jnet, "netns", "add", r);
        // 10.0.2.0/24 (slirp4netns's) is taken inside: the uplink must pick another /24
        ok(jnet, "-n", r, "link", "add", "d0", "type", "veth", "peer", "name", "d1");
        ok(jnet, "-n", r, "addr", "add", "10.0.2.1/24", "dev", "d0");
        ok(jnet, "-n", r, "link", "set", "lo", "up");
        List<String> before = addressesAndRoutes(jnet, r);

        Proc.Result c = ok(jnet, "netns", "connect", r);
        Matcher m = CONNECTED.matcher(c.stdout().trim());
        assertThat(m.matches()).as(c.describe()).isTrue();
        assertThat(m.group(1)).isEqualTo(r);
        String net = "10.0." + m.group(2);
        assertThat(m.group(2)).isNotEqualTo("2").isEqualTo(m.group(3));
        long pid = Long.parseLong(m.group(4));
        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("usernet outlives connect").isPresent();
        assertThat(((Number) Files.getAttribute(Path.of("/proc", Long.toString(pid)), "unix:uid")).intValue())
                .isEqualTo(user.uid());
        Path record = user.runtimeDir().resolve("jnet/uplinks/" + r);
        assertThat(Files.readString(record)).contains("pid=" + pid, "network=" + net + ".0/24");
        assertThat(ok(jnet, "netns", "exec", r, "ip", "route", "show", "default").stdout().trim())
                .isEqualTo("default via " + net + ".2 dev tap0");
        assertThat(ok(jnet, "netns", "exec", r, "ping", "-c1", "-W5", net + ".2").stdout()).contains("1 received");

        // TCP through usernet: the gateway is the host's loopback
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(30_000);
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("hello from the host\n".getBytes(StandardCharsets.US_ASCII));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Proc.Result py = ok(jnet, "netns", "exec", r, "python3", "-c", "import socket; s = socket.create_connection(('"
                    + net + ".2', " + server.getLocalPort() + "), timeout=20); print(s.makefile().readline().strip())");
            assertThat(py.stdout().trim()).isEqualTo("hello from the host");
            served.join();
        }

        Proc.Result again = jnet.run("netns", "connect", r);
        assertThat(again.exit()).as(again.describe()).isEqualTo(1);
        assertThat(again.stderrLines()).containsExactly("Namespace \"" + r + "\" is already connected (usernet process "
                + pid + "); \"jnet netns disconnect " + r + "\" first");

        Proc.Result d = ok(jnet, "netns", "disconnect", r);
        assertThat(d.stdout() + d.stderr()).isEmpty();
        assertThat(exits(pid)).as("usernet process %d after disconnect", pid).isTrue();
        assertThat(record).doesNotExist();
        assertThat(addressesAndRoutes(jnet, r)).as("R after disconnect").isEqualTo(before);
        Proc.Result twice = jnet.run("netns", "disconnect", r);
        assertThat(twice.exit()).isEqualTo(1);
        assertThat(twice.stderrLines()).containsExactly("Namespace \"" + r + "\" is not connected (no " + record + ")");

        // options that make veth wiring need root; a missing namespace reads as ip's
        Proc.Result opts = jnet.run("netns", "connect", r, "--addr", "10.9.0.1/24", "--peer-addr", "10.9.0.2/24");
        assertThat(opts.exit()).as(opts.describe()).isEqualTo(255);
        assertThat(opts.stderrLines()).hasSize(1);
        String zz = host.name("zz");
        Proc.Result missing = jnet.run("netns", "connect", zz);
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.stderrLines())
                .containsExactly("Cannot open network namespace \"" + zz + "\": No such file or directory");

        // deleting a connected namespace ends its usernet too
        Matcher m2 = CONNECTED.matcher(ok(jnet, "netns", "connect", r).stdout().trim());
        assertThat(m2.matches()).isTrue();
        ok(jnet, "netns", "del", r);
        assertThat(exits(Long.parseLong(m2.group(4)))).as("usernet after netns del").isTrue();
    }
}
