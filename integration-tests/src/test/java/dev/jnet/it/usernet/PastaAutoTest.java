package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, ask 7: pasta's {@code auto} forwarding (its default) and its splice of host-loopback
 * clients to the namespace's loopback. {@code -t auto}: what listens in the namespace, also
 * later, is listened on at the host's same port, and no longer once it goes; {@code -T auto}:
 * what listens on the host, on the namespace's loopback; a host-loopback client of a {@code -t}
 * forward reaches a guest server bound to 127.0.0.1 only, a client from another host address
 * does not (it goes through the tap to the guest's address); {@code -T} with {@code -- CMD}.
 * The same steps run against the real pasta with {@code JNET_PASTA_BIN=/usr/bin/pasta}.
 */
@UsernetTest
class PastaAutoTest {
    private static final PastaBinary PASTA = PastaBinary.configured();
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final List<String> ADDRESSES = List.of("--config-net", "-a", "10.0.2.100", "-n", "24", "-g", "10.0.2.2",
            "-I", "tap0", "--ipv4-only");
    private static final int AUTO_PORT = 18211;
    private static final int LOOPBACK_ONLY_PORT = 18212;
    private static final int GUEST_ADDRESS_PORT = 18213;
    private static final int HOST_PORT = 18214;
    private static final int DEFAULT_PORT = 18215;
    private static final int CMD_PORT = 18216;
    private static final String BODY = "served in the namespace\n";
    private static final String SERVER = "import functools, http.server, socketserver, sys\n"
            + "socketserver.TCPServer.allow_reuse_address = True\n"
            + "h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[3])\n"
            + "socketserver.TCPServer((sys.argv[1], int(sys.argv[2])), h).serve_forever()\n";
    /** Scans run every second: a port follows its listener within a few. */
    private static final int AWAIT_ROUNDS = 50;
    private static final long AWAIT_STEP_MS = 200;

    @Test
    void tcpAutoFollowsWhatTheNamespaceListensOnAndHostLoopbackClientsReachItsLoopback(UsernetSandbox net)
            throws Exception {
        List<String> marker = start(net, List.of("-t", "auto"));
        try {
            Proc.Running server = guestHttpServer(net, "127.0.0.1", AUTO_PORT); // bound after pasta started
            try {
                assertThat(await(() -> listening(net.guest(STEP, ssListening(AUTO_PORT)), AUTO_PORT)))
                        .as("the guest's server listens").isTrue();
                assertThat(await(() -> listening(net.host(STEP, ssListening(AUTO_PORT)), AUTO_PORT)))
                        .as("the host listens on " + AUTO_PORT + " within 10 s").isTrue();
                // the guest's server is on its loopback only: reached through the namespace's loopback
                Proc.Result get = net.host(STEP, curl("127.0.0.1", AUTO_PORT));
                assertThat(get.stdout()).as(get.describe()).isEqualTo(BODY);
            } finally {
                server.kill9();
            }
            assertThat(await(() -> !listening(net.host(STEP, ssListening(AUTO_PORT)), AUTO_PORT)))
                    .as("the host port closes with the guest's server").isTrue();
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    @Test
    void hostLoopbackClientsAreSplicedToTheNamespaceLoopbackAndOthersGoThroughTheTap(UsernetSandbox net)
            throws Exception {
        List<String> marker = start(net, List.of("-t", LOOPBACK_ONLY_PORT + "," + GUEST_ADDRESS_PORT, "-u", "none", "-T",
                "none", "-U", "none"));
        Proc.Running loopbackOnly = guestHttpServer(net, "127.0.0.1", LOOPBACK_ONLY_PORT);
        Proc.Running guestAddressOnly = guestHttpServer(net, "10.0.2.100", GUEST_ADDRESS_PORT);
        try {
            for (int port : List.of(LOOPBACK_ONLY_PORT, GUEST_ADDRESS_PORT)) {
                assertThat(await(() -> listening(net.guest(STEP, ssListening(port)), port))).as("guest server " + port)
                        .isTrue();
            }
            Proc.Result spliced = net.host(STEP, curl("127.0.0.1", LOOPBACK_ONLY_PORT));
            assertThat(spliced.stdout()).as(spliced.describe()).isEqualTo(BODY);
            // not from the host's loopback: through the tap, where nothing listens on this port
            Proc.Result other = net.host(STEP, curl(SandboxNetns.HOST_ADDRESS, LOOPBACK_ONLY_PORT));
            assertThat(other.exit()).as(other.describe()).isNotZero();
            assertThat(other.stdout()).as(other.describe()).isEmpty();
            // nothing on the namespace's loopback at this port: jnet goes through the tap to the
            // guest's address; pasta resets the client ("Empty reply from server": its splice
            // does not fall back), so a server bound to the guest's address only is unreachable
            // from the host's loopback with pasta
            Assumptions.assumeTrue(PASTA.isJnet(), "pasta does not fall back from its loopback splice to the tap");
            Proc.Result tap = net.host(STEP, curl("127.0.0.1", GUEST_ADDRESS_PORT));
            assertThat(tap.stdout()).as(tap.describe()).isEqualTo(BODY);
        } finally {
            loopbackOnly.kill9();
            guestAddressOnly.kill9();
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    @Test
    void tcpNsAutoFollowsWhatTheHostListensOn(UsernetSandbox net) throws Exception {
        List<String> marker = start(net, List.of("-T", "auto"));
        try {
            // the sandbox's host-loopback server listened before pasta started
            assertThat(await(() -> listening(net.guest(STEP, ssListening(UsernetSandbox.HOST_LOOPBACK_PORT)),
                    UsernetSandbox.HOST_LOOPBACK_PORT))).isTrue();
            try (FakeTcpServer later = FakeTcpServer.start(net.hostNetns(), "host-later",
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), HOST_PORT),
                    TcpHandlers.greet("host-later", "hello from later"))) {
                assertThat(await(() -> listening(net.guest(STEP, ssListening(HOST_PORT)), HOST_PORT)))
                        .as("the namespace listens on " + HOST_PORT + " within 10 s").isTrue();
                Proc.Result lo = net.guestShell(STEP, "exec 3<>/dev/tcp/127.0.0.1/" + HOST_PORT
                        + " && timeout 10 head -n1 <&3");
                assertThat(lo.stdout().strip()).as(lo.describe()).isEqualTo("hello from later");
            }
            assertThat(await(() -> !listening(net.guest(STEP, ssListening(HOST_PORT)), HOST_PORT)))
                    .as("the namespace's port closes with the host's server").isTrue();
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /** No -t/-u/-T/-U: pasta(1)'s default is auto, both ways. */
    @Test
    void withoutPortOptionsBothDirectionsAreAuto(UsernetSandbox net) throws Exception {
        List<String> marker = start(net, List.of());
        Proc.Running server = guestHttpServer(net, "0.0.0.0", DEFAULT_PORT);
        try {
            assertThat(await(() -> listening(net.host(STEP, ssListening(DEFAULT_PORT)), DEFAULT_PORT)))
                    .as(() -> "-t auto by default; " + listeners(net)).isTrue();
            Proc.Result get = net.host(STEP, curl("127.0.0.1", DEFAULT_PORT));
            assertThat(get.stdout()).as(get.describe()).isEqualTo(BODY);
            Proc.Result lo = net.guestShell(STEP, "exec 3<>/dev/tcp/127.0.0.1/" + UsernetSandbox.HOST_LOOPBACK_PORT
                    + " && timeout 10 head -n1 <&3");
            assertThat(lo.stdout().strip()).as("-T auto by default: " + lo.describe())
                    .isEqualTo(UsernetSandbox.HOST_LOOPBACK_GREETING);
        } finally {
            server.kill9();
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /** {@code -T} when pasta runs the command itself: its namespace's loopback reaches the host's. */
    @Test
    void tcpNsSpecsWorkForACommand(UsernetSandbox net) throws Exception {
        net.restartGuestOnly();
        try (FakeTcpServer host = FakeTcpServer.start(net.hostNetns(), "host-cmd",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), CMD_PORT),
                TcpHandlers.greet("host-cmd", "hello, command"))) {
            for (List<String> ports : List.of(List.of("-T", Integer.toString(CMD_PORT)), List.of("-T", "auto"))) {
                List<String> argv = new ArrayList<>(List.of("--config-net", "-q", "-t", "none", "-u", "none", "-U", "none"));
                argv.addAll(ports);
                argv.addAll(List.of("--", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + CMD_PORT
                        + " && timeout 10 head -n1 <&3 && exit 7"));
                Proc.Result run = net.hostAsUser(START, PASTA.with(argv));
                assertThat(run.exit()).as(PASTA.description() + " " + ports + ": " + run.describe()).isEqualTo(7);
                assertThat(run.stdout().strip()).as(run.describe()).isEqualTo("hello, command");
            }
        }
    }

    /** A fresh guest and pasta on it (addresses as rootlesskit gives them, then {@code ports}); what finds pasta. */
    private static List<String> start(UsernetSandbox net, List<String> ports) throws Exception {
        net.restartGuestOnly();
        Files.writeString(net.workDir().resolve("index.txt"), BODY);
        String pid = Long.toString(net.guestPid());
        List<String> argv = new ArrayList<>(ADDRESSES);
        argv.addAll(ports);
        argv.add(pid);
        List<String> marker = List.of("--ipv4-only", ports.isEmpty() ? pid : ports.get(ports.size() - 1), pid);
        Proc.Result run = net.hostAsUser(START, PASTA.with(argv));
        assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isZero();
        return marker;
    }

    /**
     * An HTTP server in the guest, bound to {@code address}, serving the work directory; runs
     * until killed. A plain TCPServer: http.server's HTTPServer looks its address up in DNS
     * (getfqdn) before it listens, which takes the resolver's timeout here (the guest's
     * resolv.conf names the stack's DNS address, not forwarded in these runs).
     */
    private static Proc.Running guestHttpServer(UsernetSandbox net, String address, int port) {
        List<String> cmd = new ArrayList<>(Launcher.asUser(net.userName()));
        cmd.addAll(List.of("nsenter", "-t", Long.toString(net.guestPid()), "-U", "-n", "-m", "--preserve-credentials",
                "--", "python3", "-c", SERVER, address, Integer.toString(port), net.workDir().toString()));
        return Proc.start(cmd, net.workDir());
    }

    /** What listens on the host and in the guest, for a failure's message. */
    private static String listeners(UsernetSandbox net) {
        return "host: " + net.host(STEP, List.of("ss", "-Hltnp")).stdout() + "guest: "
                + net.guest(STEP, List.of("ss", "-Hltnp")).stdout();
    }

    private static List<String> ssListening(int port) {
        return List.of("ss", "-Hltn", "sport = :" + port);
    }

    private static boolean listening(Proc.Result ss, int port) {
        return ss.exit() == 0 && ss.stdout().contains(":" + port + " ");
    }

    private static List<String> curl(String address, int port) {
        return List.of("curl", "-sS", "--max-time", "10", "http://" + address + ":" + port + "/index.txt");
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Whether {@code check} holds within 10 s. */
    private static boolean await(Check check) throws Exception {
        for (int i = 0; i < AWAIT_ROUNDS; i++) {
            if (check.holds()) {
                return true;
            }
            Thread.sleep(AWAIT_STEP_MS);
        }
        return false;
    }
}
