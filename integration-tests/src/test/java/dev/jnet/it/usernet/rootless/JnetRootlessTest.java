package dev.jnet.it.usernet.rootless;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import dev.jnet.it.usernet.FakeInternet;
import dev.jnet.it.usernet.UsernetBinary;
import dev.jnet.it.usernet.UsernetSandbox;
import dev.jnet.it.usernet.UsernetTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 6, done-when 4 and 6: {@code jnet rootless -- CMD} in the test topology (the stack's
 * "host" is the sandbox's private host namespace, its only way out the fake internet), run as
 * the test user unless a test says root.
 */
@UsernetTest
class JnetRootlessTest {
    /** Lines CMD prints about itself: its user and net namespaces, a background child, its open fds. */
    private static final String SELF_REPORT = "readlink /proc/self/ns/user; readlink /proc/self/ns/net; "
            + "sleep 300 & echo $!; ls /proc/self/fd | tr '\\n' ' '; echo; ";

    @Test
    void cmdsExitStatusIsReturnedAndNothingIsLeftBehind(UsernetSandbox net) throws Exception {
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--", "sh", "-c", SELF_REPORT + "exit 3"))) {
            Proc.Result r = run.run();
            assertThat(r.exit()).as(r.describe()).isEqualTo(3);
            assertThat(r.stderr()).as(r.describe()).isEmpty();
            List<String> lines = r.stdoutLines();
            String userns = lines.get(0);
            String netns = lines.get(1);
            long background = Long.parseLong(lines.get(2).strip());
            assertThat(userns).startsWith("user:[").isNotEqualTo(readlink("/proc/self/ns/user"));
            assertThat(netns).startsWith("net:[");
            // ls's own fds are 0-2 and its directory (3): nothing of jnet's (tap, pidfds, sockets) leaked into CMD
            assertThat(lines.get(3).strip()).isEqualTo("0 1 2 3");
            // the background sleep is killed with the run, and so no process keeps the namespaces alive
            assertThat(alive(background)).as("CMD's background child " + background).isFalse();
            assertThat(processesIn(userns, "user")).as("processes in CMD's user namespace").isEmpty();
            assertThat(processesIn(netns, "net")).as("processes in CMD's network namespace").isEmpty();
            assertThat(run.leftInRuntimeDir()).as("files left in XDG_RUNTIME_DIR").isEmpty();
        }
    }

    @Test
    void cmdsParentIsTheCFrontEndOnTheDaemonPathAndTheJvmOtherwise(UsernetSandbox net) {
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--", "sh", "-c", "cat /proc/$PPID/comm"))) {
            Proc.Result r = run.run();
            assertThat(r.exit()).as(r.describe()).isZero();
            // -DJNET_USERNET_BIN=usernetd: no JVM between the caller and CMD (the daemon serves tap0)
            assertThat(r.stdout().strip()).isEqualTo(UsernetBinary.daemonSelected() ? "jnet-slirp4netn" : "java");
        }
    }

    @Test
    void asRootItStillMakesANewUserNamespace(UsernetSandbox net) {
        try (RootlessRun run = RootlessRun.of(net.hostNetns(), null, List.of("--", "sh", "-c",
                "id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user; exit 5"))) {
            Proc.Result r = run.run();
            assertThat(r.exit()).as(r.describe()).isEqualTo(5);
            assertThat(r.stdoutLines().get(0)).isEqualTo("0");
            assertThat(r.stdoutLines().get(1).strip().split("\\s+")).containsExactly("0", "0", "1");
            assertThat(r.stdoutLines().get(2)).isNotEqualTo(readlink("/proc/self/ns/user"));
        }
    }

    @Test
    void cmdIsRootOnAConfiguredTapWithSubordinateIdsMapped(UsernetSandbox net) throws IOException {
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("sh", "-c",
                "id -u; cat /proc/self/uid_map; ip -o -4 addr show tap0; ip route; ip -o link show tap0; "
                        + "ls /sys/class/net | tr '\\n' ' '"))) {
            Proc.Result r = run.run();
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(r.stdoutLines().get(0)).isEqualTo("0");
            String uid = Proc.run("id", "-u", dev.jnet.it.TestUser.configuredName()).stdout().strip();
            assertThat(r.stdout()).contains("inet 10.0.2.100/24").contains("default via 10.0.2.2 dev tap0").contains("mtu 65520");
            List<String> map = r.stdoutLines().stream().filter(l -> l.matches("\\s*\\d+\\s+\\d+\\s+\\d+\\s*")).toList();
            assertThat(map.get(0).strip().split("\\s+")).containsExactly("0", uid, "1");
            Optional<String> range = Files.readAllLines(Path.of("/etc/subuid")).stream()
                    .filter(l -> l.startsWith(dev.jnet.it.TestUser.configuredName() + ":")).findFirst();
            if (range.isPresent()) { // newuidmap mapped the subordinate range from 1
                String[] f = range.get().split(":");
                assertThat(map.get(1).strip().split("\\s+")).containsExactly("1", f[1], f[2]);
            } else {
                assertThat(map).hasSize(1);
            }
            // /sys shows the new network namespace, not the host's
            assertThat(r.stdoutLines().get(r.stdoutLines().size() - 1).strip()).isEqualTo("lo tap0");
        }
    }

    @Test
    void cmdReachesTheFakeInternetByNameThroughTheStacksDns(UsernetSandbox net) throws Exception {
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--", "sh", "-c",
                "cat /etc/resolv.conf; dig +short +time=5 +tries=2 " + FakeInternet.WEB_NAME + "; "
                        + "curl -sSf --max-time 30 -X POST --data-binary hello http://" + FakeInternet.WEB_NAME + "/upload"))) {
            Proc.Result r = run.run();
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(r.stdoutLines()).containsExactly("nameserver 10.0.2.3", FakeInternet.WEB_ADDRESS,
                    "5 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                            .digest("hello".getBytes(StandardCharsets.US_ASCII))));
            assertThat(net.internet().dnsQueries()).isPositive();
        }
    }

    @Test
    void pcapCapturesCmdsTrafficForTcpdump(UsernetSandbox net) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/tcpdump"))
                || "true".equals(System.getenv("CI")), "tcpdump is not installed");
        Path dir = net.workDir().resolve("rootless-pcap");
        if (!Files.exists(dir)) {
            Files.createDirectory(dir);
            Files.setOwner(dir, java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(dev.jnet.it.TestUser.configuredName()));
        }
        Path file = dir.resolve("r.pcap");
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--pcap", file.toString(), "--", "sh", "-c",
                "curl -sSf --max-time 30 -o /dev/null http://" + FakeInternet.WEB_ADDRESS + "/f?bytes=5000"))) {
            Proc.Result r = run.run();
            assertThat(r.exit()).as(r.describe()).isZero();
        }
        Proc.Result dump = Proc.run(java.time.Duration.ofSeconds(30), List.of("tcpdump", "-n", "-r", file.toString(),
                "tcp port 80"));
        assertThat(dump.exit()).as(dump.describe()).isZero();
        assertThat(dump.stdout()).containsPattern("IP 10\\.0\\.2\\.100\\.\\d+ > " + FakeInternet.WEB_ADDRESS.replace(".", "\\.")
                + "\\.80: Flags \\[S\\]").contains("Flags [F.]");
    }

    @Test
    void sigtermToJnetRootlessIsPassedToCmd(UsernetSandbox net) throws Exception {
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--", "sh", "-c",
                "trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.1; done"))) {
            Proc.Running p = run.start();
            awaitOutput(p, "ready");
            p.process().destroy(); // SIGTERM to the jnet JVM (every wrapper exec'd)
            Proc.Result r = p.await(RootlessRun.TIMEOUT);
            assertThat(r.exit()).as(r.describe()).isEqualTo(7);
            assertThat(r.stdout()).contains("got TERM");
        }
    }

    @Test
    void sigintToJnetRootlessIsPassedToCmd(UsernetSandbox net) throws Exception {
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--", "sh", "-c",
                "trap 'echo got INT; exit 8' INT; echo ready; while :; do sleep 0.1; done"))) {
            Proc.Running p = run.start();
            awaitOutput(p, "ready");
            Proc.Result kill = Proc.run("kill", "-INT", Long.toString(p.process().pid()));
            assertThat(kill.exit()).as(kill.describe()).isZero();
            Proc.Result r = p.await(RootlessRun.TIMEOUT);
            assertThat(r.exit()).as(r.describe()).isEqualTo(8);
            assertThat(r.stdout()).contains("got INT");
        }
    }

    @Test
    void ipv6AndTheNetworkOptionsAreAccepted(UsernetSandbox net) {
        // --ipv6 turns the stack's IPv6 on; the rest shape tap0
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--ipv6", "--mtu", "1500", "--cidr",
                "192.0.2.0/24", "--disable-host-loopback", "--", "sh", "-c", "ip -o -4 addr show tap0; ip -o link show tap0; "
                        + "ip route; cat /etc/resolv.conf"))) {
            Proc.Result r = run.run();
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(r.stdout()).contains("inet 192.0.2.100/24").contains("mtu 1500 ").contains("default via 192.0.2.2 dev tap0")
                    .contains("nameserver 192.0.2.3");
        }
    }

    @Test
    void aSignalEndingCmdIsReportedAs128PlusItsNumber(UsernetSandbox net) {
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--", "sh", "-c", "kill -KILL $$"))) {
            Proc.Result r = run.run();
            assertThat(r.exit()).as(r.describe()).isEqualTo(128 + 9);
        }
    }

    @Test
    void badInputIsOneLineAndANonZeroStatus(UsernetSandbox net) throws InterruptedException {
        record Case(List<String> args, int exit, String line) {}
        for (Case c : List.of(
                new Case(List.of(), 1, "jnet rootless: no command specified (usage: jnet rootless [OPTIONS] -- CMD [ARGS])"),
                new Case(List.of("--"), 1, "jnet rootless: no command specified (usage: jnet rootless [OPTIONS] -- CMD [ARGS])"),
                new Case(List.of("--publish", "70000:80", "--", "true"), 1,
                        "jnet rootless: invalid --publish \"70000:80\": host port \"70000\" is not a port number from 1 to 65535"),
                new Case(List.of("--publish", "8080", "--", "true"), 1,
                        "jnet rootless: invalid --publish \"8080\": expected [HOSTIP:]HPORT:GPORT[/tcp|/udp]"),
                new Case(List.of("--publish", "8080:80", "--publish", "127.0.0.1:8080:81", "--", "true"), 1,
                        "jnet rootless: --publish 127.0.0.1:8080:81/tcp conflicts with --publish 0.0.0.0:8080:80/tcp: "
                                + "both listen on host port 8080/tcp"),
                new Case(List.of("--mtu", "10", "--", "true"), 1, "jnet rootless: MTU must be from 68 to 65521: 10"),
                new Case(List.of("--cidr", "10.0.2.100/24", "--", "true"), 1,
                        "jnet rootless: CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24"),
                new Case(List.of("--frob", "--", "true"), 1, "Unknown option: '--frob' (try \"jnet rootless --help\")"),
                new Case(List.of("--", "/nonexistent/cmd"), 127, "exec of \"/nonexistent/cmd\" failed: No such file or directory"))) {
            try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), c.args())) {
                Proc.Result r = run.run();
                assertThat(r.exit()).as(r.describe()).isEqualTo(c.exit());
                assertThat(r.stderrLines()).as(r.describe()).containsExactly(c.line());
                assertThat(run.leftInRuntimeDir()).isEmpty();
            }
        }
    }

    @Test
    void publishedPortServesTheHost(UsernetSandbox net) throws Exception {
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--publish", "18080:80", "--", "sh", "-c",
                "python3 -c 'import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); "
                        + "s.bind((\"0.0.0.0\", 80)); s.listen(1); print(\"listening\", flush=True); c, a = s.accept(); "
                        + "c.sendall(b\"hello from the guest\\n\"); c.close()'"))) {
            Proc.Running p = run.start();
            awaitOutput(p, "listening");
            Proc.Result host = net.host("curl", "-sS", "--max-time", "20", "telnet://127.0.0.1:18080");
            assertThat(host.stdout()).as(host.describe()).isEqualTo("hello from the guest\n");
            Proc.Result r = p.await(RootlessRun.TIMEOUT);
            assertThat(r.exit()).as(r.describe()).isZero();
        }
    }

    @Test
    void aHostPortInUseIsOneLineAndNothingRuns(UsernetSandbox net) throws Exception {
        // the sandbox's host-loopback server holds 127.0.0.1:8080 of the host namespace
        String taken = "127.0.0.1:" + UsernetSandbox.HOST_LOOPBACK_PORT;
        try (RootlessRun run = RootlessRun.asTestUser(net.hostNetns(), List.of("--publish", taken + ":80", "--",
                "sh", "-c", "echo ran"))) {
            Proc.Result r = run.run();
            assertThat(r.exit()).as(r.describe()).isEqualTo(1);
            assertThat(r.stdout()).isEmpty();
            assertThat(r.stderrLines()).hasSize(1);
            assertThat(r.stderr()).startsWith("jnet rootless: --publish " + taken + ":80/tcp: ").contains("in use");
            assertThat(run.leftInRuntimeDir()).isEmpty();
        }
    }

    private static void awaitOutput(Proc.Running p, String line) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + RootlessRun.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (p.stdoutSoFar().lines().anyMatch(line::equals)) {
                return;
            }
            if (!p.process().isAlive()) {
                throw new AssertionError("jnet rootless ended before printing \"" + line + "\": " + p.process().exitValue());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no \"" + line + "\" within " + RootlessRun.TIMEOUT);
    }

    private static String readlink(String path) {
        try {
            return Files.readSymbolicLink(Path.of(path)).toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether {@code pid} runs (a zombie waiting for its reaper does not count); waits a little for reaping. */
    private static boolean alive(long pid) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            String state = state(pid);
            if (state == null || state.equals("Z")) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static String state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException e) {
            return null;
        }
    }

    /** Live processes whose {@code kind} namespace is {@code ns} (as readlink prints it). */
    private static List<Long> processesIn(String ns, String kind) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            return Files.readSymbolicLink(p.resolve("ns").resolve(kind)).toString().equals(ns);
                        } catch (IOException gone) {
                            return false;
                        }
                    })
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .filter(pid -> !"Z".equals(state(pid)))
                    .toList();
        }
    }
}
