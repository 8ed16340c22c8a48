package dev.jnet.it.usernet.rootless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.Proc;
import dev.jnet.it.usernet.FakeInternet;
import dev.jnet.it.usernet.UsernetSandbox;
import dev.jnet.it.usernet.UsernetTest;
import dev.jnet.it.usernet.rootless.ConsumerRun.Binary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, "proven with the real consumers": rootlesskit and podman, as the test user in the
 * sandbox's host namespace, pointed at jnet's slirp4netns entry; each scenario also runs against
 * the real slirp4netns, which validates the scenario itself.
 */
@UsernetTest
class RootlessConsumersTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int PUBLISHED = 18080;
    private static final String GREETING = "hello from the guest";
    /**
     * A one-shot TCP server on port 80 (python3 of the host's file system, as rootlesskit's child
     * sees it); it says whom it served, for a failure's message.
     */
    private static final String PY_SERVER = "python3 -c 'import socket; s = socket.socket(); "
            + "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((\"0.0.0.0\", 80)); s.listen(1); "
            + "print(\"listening\", flush=True); c, a = s.accept(); c.sendall(b\"" + GREETING + "\\n\"); c.close(); "
            + "print(\"served\", a, flush=True)'";
    private static final String IMAGE = PodmanHome.IMAGE;

    private static PodmanHome podman;

    @AfterAll
    static void removePodmanHome() {
        if (podman != null) {
            podman.close();
            podman = null;
        }
    }

    // ---- rootlesskit ----

    @Test
    void rootlesskitChildReachesTheFakeInternetThroughJnet(UsernetSandbox net) throws Exception {
        rootlesskitChildReachesTheFakeInternet(net, Binary.JNET);
    }

    @Test
    void rootlesskitChildReachesTheFakeInternetThroughSlirp4netns(UsernetSandbox net) throws Exception {
        rootlesskitChildReachesTheFakeInternet(net, Binary.SLIRP4NETNS);
    }

    @Test
    void rootlesskitPublishesAPortThroughJnet(UsernetSandbox net) throws Exception {
        rootlesskitPublishesAPort(net, Binary.JNET);
    }

    @Test
    void rootlesskitPublishesAPortThroughSlirp4netns(UsernetSandbox net) throws Exception {
        rootlesskitPublishesAPort(net, Binary.SLIRP4NETNS);
    }

    private static void rootlesskitChildReachesTheFakeInternet(UsernetSandbox net, Binary binary) throws Exception {
        requireRootlesskit();
        try (ConsumerRun user = new ConsumerRun()) {
            Proc.Result r = net.host(TIMEOUT, user.asUser(rootlesskit(user, binary, List.of(), "sh", "-c",
                    "cat /etc/resolv.conf; ip -o -4 addr show tap0; " + uploadHello("curl -sSf --max-time 30 -X POST "
                            + "--data-binary hello"))));
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(r.stdout()).contains("nameserver 10.0.2.3").contains("inet 10.0.2.100/24")
                    .contains("5 " + sha256("hello"));
            // rootlesskit asks --help, then runs it on the tap it made (without --configure)
            assertThat(user.calls()).first().isEqualTo("--help");
            assertThat(user.calls()).anyMatch(c -> c.startsWith("--mtu 65520 -r 3 --disable-host-loopback ")
                    && c.endsWith(" tap0"));
            assertThat(user.leftoversAfterIdleExit()).as("processes left").isEmpty();
        }
    }

    private static void rootlesskitPublishesAPort(UsernetSandbox net, Binary binary) throws Exception {
        requireRootlesskit();
        try (ConsumerRun user = new ConsumerRun()) {
            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.hostNetns()));
            cmd.addAll(user.asUser(rootlesskit(user, binary, List.of("--port-driver=slirp4netns",
                    "-p", "127.0.0.1:" + PUBLISHED + ":80/tcp"), "sh", "-c", PY_SERVER)));
            Proc.Running kit = Proc.start(cmd, user.home());
            awaitLine(kit, "listening");
            String got;
            try {
                got = fetchFromHost(net, "telnet://127.0.0.1:" + PUBLISHED);
            } catch (AssertionError e) {
                // say what rootlesskit (and the port driver's calls to the stack) reported meanwhile
                kit.kill9();
                Proc.Result r = kit.await(TIMEOUT);
                throw new AssertionError(e.getMessage() + "\nrootlesskit: " + r.describe()
                        + "\ncalls: " + user.calls(), e);
            }
            assertThat(got).isEqualTo(GREETING + "\n");
            Proc.Result r = kit.await(TIMEOUT);
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(user.calls()).anyMatch(c -> c.contains("--api-socket") && c.endsWith(" tap0"));
        }
    }

    private static List<String> rootlesskit(ConsumerRun user, Binary binary, List<String> extra, String... command)
            throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of("rootlesskit", "--net=slirp4netns",
                "--slirp4netns-binary=" + user.entry(binary), "--state-dir=" + user.runtimeDir().resolve("rk"),
                "--disable-host-loopback"));
        cmd.addAll(extra);
        cmd.addAll(List.of(command));
        return cmd;
    }

    // ---- podman ----

    @Test
    void podmanContainerReachesTheFakeInternetAndItsPublishedPortAnswersThroughJnet(UsernetSandbox net) throws Exception {
        podmanScenario(net, Binary.JNET);
    }

    @Test
    void podmanContainerReachesTheFakeInternetAndItsPublishedPortAnswersThroughSlirp4netns(UsernetSandbox net)
            throws Exception {
        podmanScenario(net, Binary.SLIRP4NETNS);
    }

    /**
     * {@code podman run --network slirp4netns -p 18080:80}: the container uploads to the fake
     * internet by name, then serves one greeting on port 80, which the host fetches at 127.0.0.1:18080
     * (podman's default port handler, rootlessport, needs no API socket of the network program).
     */
    private static void podmanScenario(UsernetSandbox net, Binary binary) throws Exception {
        PodmanHome home = podman(net);
        home.configure(binary);
        Proc.Running run = Proc.start(home.podman(net, "run", "--rm", "--network", "slirp4netns",
                "-p", PUBLISHED + ":80", IMAGE, "sh", "-c", "cat /etc/resolv.conf; "
                        + uploadHello("wget -q -O - --post-data=hello") + "; echo listening; nc -l -p 80 -e /greet"),
                home.run.home());
        awaitLine(run, "listening");
        String got = fetchFromHost(net, "telnet://127.0.0.1:" + PUBLISHED);
        Proc.Result r = run.await(TIMEOUT);
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("nameserver 10.0.2.3").contains("5 " + sha256("hello"));
        assertThat(got).isEqualTo(GREETING + "\n");
        // podman ran the configured entry: --help first, then on the netns file it made
        List<String> calls = home.run.calls();
        assertThat(calls).contains("--help");
        // ... and with --enable-sandbox (found in --help): the container's network ran in the minimal root
        assertThat(calls.get(calls.size() - 1)).contains("--netns-type=path").contains(" -c ").contains("--enable-sandbox")
                .endsWith(" tap0");
    }

    /** The class's podman home: storage, the imported busybox image, containers.conf. Made once. */
    private static synchronized PodmanHome podman(UsernetSandbox net) throws Exception {
        assumeTrue(Proc.run("sh", "-c", "command -v podman && test -x /bin/busybox").exit() == 0,
                "podman and busybox-static are not installed");
        if (podman == null) {
            podman = PodmanHome.create(net, GREETING);
        }
        return podman;
    }

    // ---- shared ----

    private static void requireRootlesskit() throws Exception {
        assumeTrue(Proc.run("sh", "-c", "command -v rootlesskit").exit() == 0, "rootlesskit is not installed");
        String user = dev.jnet.it.TestUser.configuredName();
        assumeTrue(Files.readAllLines(Path.of("/etc/subuid")).stream().anyMatch(l -> l.startsWith(user + ":")),
                "rootlesskit needs a subuid range for " + user);
    }

    private static String uploadHello(String client) {
        return client + " http://" + FakeInternet.WEB_NAME + "/upload";
    }

    /**
     * Fetches from the host namespace, retrying (bounded) only while nothing listens yet (curl's
     * exit 7, "Couldn't connect": the forward is being set up). The guest servers are one-shot,
     * so the first attempt that connected is the answer: an empty or failed one fails at once
     * with what curl said, instead of retrying against a server that has gone.
     */
    private static String fetchFromHost(UsernetSandbox net, String url) throws InterruptedException {
        final int couldNotConnect = 7;
        Proc.Result last = null;
        for (int i = 0; i < 80; i++) {
            last = net.host(TIMEOUT, List.of("curl", "-sS", "--max-time", "10", url));
            if (last.exit() != couldNotConnect) {
                if (last.stdout().isEmpty()) {
                    throw new AssertionError("attempt " + (i + 1) + " connected to " + url + " and got nothing: "
                            + last.describe());
                }
                return last.stdout();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("nothing listens at " + url + " after 80 attempts: " + last.describe());
    }

    private static void awaitLine(Proc.Running p, String line) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (p.stdoutSoFar().lines().anyMatch(line::equals)) {
                return;
            }
            if (!p.process().isAlive()) {
                Proc.Result r = p.await(Duration.ofSeconds(5));
                throw new AssertionError("ended before printing \"" + line + "\": " + r.describe());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no \"" + line + "\" within " + TIMEOUT);
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII)));
    }
}
