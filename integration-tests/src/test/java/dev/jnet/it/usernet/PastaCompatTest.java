package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jnet.it.Proc;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, ask 7: pasta's command line as podman 5/6 (containers/common libnetwork/pasta) and
 * rootlesskit 2 (pkg/network/pasta) build it, replayed word for word, then what they rely on
 * afterwards: the foreground process exits 0 once the namespace is online, the addresses and
 * routes there, DNS through the --dns-forward address reaching the fake resolver, the internet,
 * host loopback through the gateway, a published port reachable on the host, and the background
 * process ending with its namespace. The same steps run against the real pasta with
 * {@code JNET_PASTA_BIN=/usr/bin/pasta}.
 */
@UsernetTest
class PastaCompatTest {
    private static final PastaBinary PASTA = PastaBinary.configured();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Two JVM starts for jnet's pasta on a loaded 2-CPU machine. */
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STEP = Duration.ofSeconds(30);
    private static final String PODMAN_DNS = "169.254.1.1";
    private static final String PODMAN_HOST = "169.254.1.2";
    private static final int PUBLISHED = 18080;
    private static final int HOST_SERVICE_PORT = 8081;

    /** rootlesskit 2's pasta driver (default flags: no --disable-host-loopback, no IPv6, no implicit ports). */
    @Test
    void rootlesskit2ArgvGivesTap0ItsAddressDnsHostLoopbackAndTheInternet(UsernetSandbox net) throws Exception {
        List<String> marker = startAsRootlesskit(net);
        try {
            JsonNode link = only(json(net.guest("ip", "-j", "addr", "show", "dev", "tap0")));
            assertThat(link.path("mtu").asInt()).isEqualTo(65520);
            assertThat(link.path("flags").toString()).contains("\"UP\"");
            assertThat(inet(link)).containsExactly("10.0.2.100/24");
            JsonNode route = only(json(net.guest("ip", "-j", "-4", "route", "show", "default")));
            assertThat(route.path("gateway").asText()).isEqualTo("10.0.2.2");
            assertThat(route.path("dev").asText()).isEqualTo("tap0");

            int queries = net.internet().dnsQueries();
            Proc.Result dig = net.guest("dig", "+short", "+time=5", "+tries=2", FakeInternet.WEB_NAME); // resolv.conf: 10.0.2.3
            assertThat(dig.stdout().strip()).as(dig.describe()).isEqualTo(FakeInternet.WEB_ADDRESS);
            assertThat(net.internet().dnsQueries()).isGreaterThan(queries);

            Proc.Result curl = net.guest("curl", "-sS", "-I", "--max-time", "20", "http://" + FakeInternet.WEB_NAME
                    + FakeWebServer.DOWNLOAD_PATH);
            assertThat(curl.stdout()).as(curl.describe()).startsWith("HTTP/1.1 200");

            // the host-loopback server greets at once: read its line (no half-close first)
            Proc.Result lo = net.guestShell(STEP, "exec 3<>/dev/tcp/10.0.2.2/" + UsernetSandbox.HOST_LOOPBACK_PORT
                    + " && timeout 10 head -n1 <&3");
            assertThat(lo.stdout().strip()).as(lo.describe()).isEqualTo(UsernetSandbox.HOST_LOOPBACK_GREETING);
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /** rootlesskit does not stop pasta: it must end when the namespace's process does. */
    @Test
    void rootlesskit2PastaEndsWithTheTargetProcess(UsernetSandbox net) throws Exception {
        Assumptions.assumeTrue(PASTA.isJnet(), "this pasta keeps running after its target process exits (it holds "
                + "the namespace open); newer ones quit");
        List<String> marker = startAsRootlesskit(net);
        try {
            assertThat(PastaProcesses.find(marker)).as("pasta in the background").isNotEmpty();
            net.stopUsernet(); // the guest goes, and with it the namespace
            assertThat(PastaProcesses.awaitGone(marker)).as("pasta ended with its namespace's process").isTrue();
        } finally {
            PastaProcesses.kill(marker);
        }
    }

    /**
     * pasta(1) says UDP ports matching forwarded TCP ports are forwarded too "unless overridden";
     * the real pasta (checked: 2023-03 and this test) binds only TCP for {@code -t PORT} when
     * {@code -u} is not given, and so does jnet's: no UDP socket on the port.
     */
    @Test
    void tcpPortsAloneBindNoUdpPort(UsernetSandbox net) throws Exception {
        net.restartGuestOnly();
        String pid = Long.toString(net.guestPid());
        List<String> argv = List.of("--config-net", "-a", "10.0.2.100", "-n", "24", "-g", "10.0.2.2",
                "-I", "tap0", "--ipv4-only", "-t", Integer.toString(PUBLISHED), pid);
        List<String> marker = List.of("-t", Integer.toString(PUBLISHED), pid);
        try {
            Proc.Result run = net.hostAsUser(START, PASTA.with(argv));
            assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isZero();
            Proc.Result tcp = net.host(STEP, List.of("ss", "-Hltn", "sport = :" + PUBLISHED));
            assertThat(tcp.stdout()).as(tcp.describe()).contains(":" + PUBLISHED);
            Proc.Result udp = net.host(STEP, List.of("ss", "-Hlun", "sport = :" + PUBLISHED));
            assertThat(udp.exit()).as(udp.describe()).isZero();
            assertThat(udp.stdout()).as(udp.describe()).isBlank();
        } finally {
            net.stopUsernet();
            PastaProcesses.kill(marker);
        }
    }

    /** A fresh guest, and pasta started on it with rootlesskit 2's argv; what finds the background pasta. */
    private static List<String> startAsRootlesskit(UsernetSandbox net) {
        net.restartGuestOnly();
        String pid = Long.toString(net.guestPid());
        List<String> argv = List.of("--stderr", "--ns-ifname=tap0", "--mtu=65520", "--config-net",
                "--address=10.0.2.100", "--netmask=24", "--gateway=10.0.2.2", "--dns-forward=10.0.2.3",
                "--ipv4-only", "--tcp-ports=none", "--udp-ports=none", pid);
        List<String> marker = List.of("--dns-forward=10.0.2.3", pid);
        Proc.Result run = net.hostAsUser(START, PASTA.with(argv));
        if (run.exit() != 0) {
            PastaProcesses.kill(marker);
        }
        assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isZero();
        return marker;
    }

    /**
     * podman 5 ({@code podman run -p 18080:80}): its argv, retried without the trailing
     * {@code --map-guest-addr 169.254.1.2} when pasta does not know it, as podman does.
     */
    @Test
    void podman5ArgvWithAPublishedPortServesTheContainerAndEndsWithItsNetns(UsernetSandbox net) throws Exception {
        net.restartGuestOnly();
        try (PodmanNetns pod = PodmanNetns.create(net, "podman5")) {
            List<String> argv = new ArrayList<>(List.of("--config-net", "-t", PUBLISHED + "-" + PUBLISHED + ":80-80",
                    "--dns-forward", PODMAN_DNS, "-u", "none", "-T", "none", "-U", "none", "--no-map-gw", "--quiet",
                    "--netns", pod.path(), "--map-guest-addr", PODMAN_HOST));
            List<String> marker = List.of("--netns", pod.path());
            try {
                Proc.Result run = pod.inPause(START, PASTA.with(argv));
                if (run.exit() != 0 && (run.stdout() + run.stderr()).contains("unrecognized option '--map-guest-addr'")) {
                    run = pod.inPause(START, PASTA.with(argv.subList(0, argv.size() - 2)));
                }
                assertThat(run.exit()).as(PASTA.description() + ": " + run.describe() + pod.log()).isZero();
                checkHostCopy(pod);
                checkDnsForwardAndInternet(net, pod);

                Proc.Running server = pod.startInNetns(List.of("python3", "-m", "http.server", "--bind", "0.0.0.0",
                        "--directory", net.workDir().toString(), "80"));
                try {
                    awaitListening(pod, 80);
                    Files.writeString(net.workDir().resolve("published.txt"), "published\n");
                    Proc.Result get = net.host(STEP, List.of("curl", "-sS", "--max-time", "20",
                            "http://127.0.0.1:" + PUBLISHED + "/published.txt"));
                    assertThat(get.stdout()).as(get.describe()).isEqualTo("published\n");
                } finally {
                    server.kill9();
                }

                Proc.Result del = pod.delete();
                assertThat(del.exit()).as(del.describe()).isZero();
                assertThat(PastaProcesses.awaitGone(marker)).as("pasta ended once podman deleted the netns").isTrue();
            } finally {
                PastaProcesses.kill(marker);
            }
        }
    }

    /**
     * podman 6: the same with {@code --map-guest-addr} before {@code --pid FILE} and
     * {@code --netns}; podman reads the pid file once pasta's foreground process exits, and
     * host.containers.internal (169.254.1.2) reaches the host's own address.
     */
    @Test
    void podman6ArgvWritesThePidFileAndMapsTheGuestAddrToTheHost(UsernetSandbox net) throws Exception {
        net.restartGuestOnly();
        try (PodmanNetns pod = PodmanNetns.create(net, "podman6");
                FakeTcpServer hostService = FakeTcpServer.start(net.hostNetns(), "host-address",
                        new InetSocketAddress(InetAddress.getByName(SandboxNetns.HOST_ADDRESS), HOST_SERVICE_PORT),
                        TcpHandlers.greet("host-address", "hello from the host's address"))) {
            Path pidFile = net.workDir().resolve("podman6-pid").resolve("pasta.pid");
            Files.createDirectories(pidFile.getParent());
            Files.setPosixFilePermissions(pidFile.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            List<String> argv = List.of("--config-net", "--dns-forward", PODMAN_DNS, "-t", "none", "-u", "none",
                    "-T", "none", "-U", "none", "--no-map-gw", "--quiet", "--map-guest-addr", PODMAN_HOST,
                    "--pid", pidFile.toString(), "--netns", pod.path());
            List<String> marker = List.of("--netns", pod.path());
            try {
                Proc.Result run = pod.inPause(START, PASTA.with(argv));
                Assumptions.assumeFalse(!PASTA.isJnet() && run.stderr().contains("unrecognized option '--map-guest-addr'"),
                        "this pasta predates --map-guest-addr (podman 6 needs a newer one)");
                assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isZero();
                long pid = Long.parseLong(Files.readString(pidFile).strip());
                assertThat(PastaProcesses.find(marker)).as("the pid file names the background pasta").contains(pid);
                checkHostCopy(pod);
                checkDnsForwardAndInternet(net, pod);

                Proc.Result c = pod.inNetns(STEP, List.of("python3", net.workDir().resolve("guest-client.py").toString(),
                        "connect", PODMAN_HOST, Integer.toString(HOST_SERVICE_PORT), "5"));
                assertThat(GuestOutput.fields(c)).as(c.describe())
                        .containsEntry("outcome", "connected")
                        .containsEntry("received", "hello from the host's address");

                assertThat(pod.delete().exit()).isZero();
                assertThat(PastaProcesses.awaitGone(marker)).as("pasta ended once podman deleted the netns").isTrue();
            } finally {
                PastaProcesses.kill(marker);
            }
        }
    }

    /** pasta(1) without a target: CMD in a new user and network namespace, online, and its status is pasta's. */
    @Test
    void withoutATargetTheCommandRunsOnlineInItsOwnNamespaceAndItsStatusIsReturned(UsernetSandbox net) {
        net.restartGuestOnly();
        Proc.Result run = net.hostAsUser(START, PASTA.with(List.of("--config-net", "-q", "--", "sh", "-c",
                "ip -4 -o addr show dev up0 && curl -sS -I --max-time 20 http://" + FakeInternet.WEB_ADDRESS
                        + FakeWebServer.DOWNLOAD_PATH + " && exit 3")));
        assertThat(run.exit()).as(PASTA.description() + ": " + run.describe()).isEqualTo(3);
        assertThat(run.stdout()).contains("inet " + SandboxNetns.HOST_ADDRESS + "/24 ").contains("HTTP/1.1 200");
    }

    /** pasta's default: the host's uplink (up0, 198.51.100.2/24, default via .1) copied, MTU 65520. */
    private static void checkHostCopy(PodmanNetns pod) throws Exception {
        JsonNode links = json(pod.inNetns(STEP, List.of("ip", "-j", "addr", "show")));
        JsonNode up0 = null;
        for (JsonNode l : links) {
            if (l.path("ifname").asText().equals("up0")) {
                up0 = l;
            }
        }
        assertThat(up0).as("the namespace's interface is named after the host's: " + links).isNotNull();
        assertThat(up0.path("mtu").asInt()).isEqualTo(65520);
        assertThat(inet(up0)).containsExactly(SandboxNetns.HOST_ADDRESS + "/24");
        JsonNode route = only(json(pod.inNetns(STEP, List.of("ip", "-j", "-4", "route", "show", "default"))));
        assertThat(route.path("gateway").asText()).isEqualTo(SandboxNetns.INTERNET_ADDRESS);
        assertThat(route.path("dev").asText()).isEqualTo("up0");
    }

    private static void checkDnsForwardAndInternet(UsernetSandbox net, PodmanNetns pod) {
        int queries = net.internet().dnsQueries();
        Proc.Result dig = pod.inNetns(STEP, List.of("dig", "+short", "+time=5", "+tries=2", "@" + PODMAN_DNS,
                FakeInternet.WEB_NAME));
        assertThat(dig.stdout().strip()).as(dig.describe()).isEqualTo(FakeInternet.WEB_ADDRESS);
        assertThat(net.internet().dnsQueries()).isGreaterThan(queries);
        Proc.Result curl = pod.inNetns(STEP, List.of("curl", "-sS", "-I", "--max-time", "20",
                "http://" + FakeInternet.WEB_ADDRESS + FakeWebServer.DOWNLOAD_PATH));
        assertThat(curl.stdout()).as(curl.describe()).startsWith("HTTP/1.1 200");
    }

    /** Waits (at most 20 s) until something listens on TCP {@code port} in the namespace. */
    private static void awaitListening(PodmanNetns pod, int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            Proc.Result ss = pod.inNetns(STEP, List.of("ss", "-Hltn", "sport = :" + port));
            if (!ss.stdout().isBlank()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("nothing listens on port " + port + " in the namespace");
    }

    private static JsonNode json(Proc.Result r) throws Exception {
        assertThat(r.exit()).as(r.describe()).isZero();
        return JSON.readTree(r.stdout());
    }

    private static JsonNode only(JsonNode array) {
        assertThat(array.size()).as(array.toString()).isEqualTo(1);
        return array.get(0);
    }

    /** The link's IPv4 addresses as ADDR/PREFIX. */
    private static List<String> inet(JsonNode link) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : link.path("addr_info")) {
            if (a.path("family").asText().equals("inet")) {
                out.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
            }
        }
        return out;
    }
}
