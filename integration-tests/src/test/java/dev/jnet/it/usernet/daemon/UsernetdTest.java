package dev.jnet.it.usernet.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import dev.jnet.it.usernet.FakeInternet;
import dev.jnet.it.usernet.UsernetBinary;
import dev.jnet.it.usernet.UsernetSandbox;
import dev.jnet.it.usernet.UsernetSandbox.Neighbour;
import dev.jnet.it.usernet.UsernetTest;
import dev.jnet.linux.BuildId;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several namespaces served by one {@code jnet usernetd} through the C front end
 * (bin/slirp4netns's path): they share the process and nothing else. Each test has a daemon of
 * its own (its own runtime directory), running {@link ThrowingStack} so that one namespace can
 * make its own pipeline throw. jnet only: slirp4netns has no daemon.
 */
@UsernetTest
class UsernetdTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String OTHER_BUILD = "0123456789abcdef";
    private static final String SMALL = "http://" + FakeInternet.WEB_NAME + "/f?bytes=100000";

    private Path runtimeDir;
    private Path apiDir;
    private UsernetBinary binary;

    @BeforeEach
    void ownDaemon(UsernetSandbox net) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(net.runsJnet(),
                "jnet usernetd is jnet's own: slirp4netns has no daemon (" + net.binary().description() + ")");
        runtimeDir = userDir(net.workDir().resolve("xdg-" + System.nanoTime()));
        apiDir = userDir(runtimeDir.resolve("api"));
        // the stack through JNET_JAVA_OPTS, as a user passes JVM options: the front end hands them
        // to the daemon it starts (aNamespaceWhoseFramesMakeItsStackThrowIsClosedAlone fails without them)
        binary = UsernetBinary.daemon(runtimeDir, List.of(), testClasses(),
                List.of("-Djnet.usernet.stack=" + ThrowingStack.class.getName()));
    }

    @AfterEach
    void daemonGone() throws InterruptedException {
        // the tests stop their front ends; the daemon then exits after its idle grace (2 s here)
        assertThat(awaitNoDaemon(Duration.ofSeconds(20))).as("daemon processes left").isEmpty();
        assertThat(socketFiles()).as("socket files left").isEmpty();
        // the lock and an empty log go with the daemon (they used to stay, one set per host netns)
        assertThat(daemonFilesLeft()).as("daemon files left").isEmpty();
    }

    /** usernetd-* files in the daemon's directory, a log that says something excepted. */
    private List<Path> daemonFilesLeft() {
        List<Path> found = new ArrayList<>();
        Path dir = runtimeDir.resolve("jnet");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "usernetd-*")) {
                for (Path p : ds) {
                    if (!(p.toString().endsWith(".log") && Files.size(p) > 0)) {
                        found.add(p);
                    }
                }
            } catch (IOException e) {
                throw new AssertionError("listing " + dir, e);
            }
        }
        return found;
    }

    @Test
    void aForwardAddedThroughOneNamespacesApiIsInvisibleToAnother(UsernetSandbox net) throws Exception {
        Path apiA = apiDir.resolve("a.sock");
        Path apiB = apiDir.resolve("b.sock");
        Neighbour a = net.startNeighbour(binary, List.of("--api-socket", apiA.toString()));
        Neighbour b = net.startNeighbour(binary, List.of("--api-socket", apiB.toString()));
        assertThat(daemonPids()).as("one daemon serves both").hasSize(1);

        String added = call(apiA, "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":"
                + "\"127.0.0.1\",\"host_port\":18080,\"guest_addr\":\"\",\"guest_port\":8080}}");
        assertThat(added).matches("\\{\"return\":\\{\"id\":\\d+\\}\\}");
        assertThat(call(apiA, "{\"execute\":\"list_hostfwd\"}")).contains("\"host_port\":18080");
        assertThat(call(apiB, "{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":[]}");

        assertThat(a.stopUsernet()).isZero();
        assertThat(b.stopUsernet()).isZero();
        assertThat(apiA).as("removed when its namespace detached").doesNotExist();
        assertThat(apiB).doesNotExist();
    }

    @Test
    void anotherUidCannotUseTheDaemon(UsernetSandbox net) throws Exception {
        Neighbour a = net.startNeighbour(binary, List.of());
        Path socket = socketFiles().get(0);

        // root passes the 0700 directory; SO_PEERCRED is the second wall
        Proc.Result r = Proc.run(Duration.ofSeconds(30), List.of("python3", "-c",
                "import socket,sys\n"
                        + "s=socket.socket(socket.AF_UNIX,socket.SOCK_SEQPACKET)\n"
                        + "s.connect(sys.argv[1])\n"
                        + "try: s.send(b'attach\\0NEW\\0/\\0--help')\n"
                        + "except BrokenPipeError: pass\n"
                        + "f=s.recv(65536).split(b'\\0')\n"
                        + "print(f[0].decode(), f[1].decode(), f[3].decode(), end='')\n",
                socket.toString()));
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stdout()).isEqualTo("exit 1 jnet usernetd: refused: the peer (pid " + pidOf(r) + ") runs as uid 0, "
                + "this daemon serves only uid " + TestUser.lookupUid().orElseThrow() + "\n");

        // the front end of another user does not even get there: the directory is not its own
        // (an attach, not --help: the front end answers --help itself; no such PID, in case it got further)
        Proc.Result fe = Proc.run(Duration.ofSeconds(30), List.of("env", "XDG_RUNTIME_DIR=" + runtimeDir,
                binary.command().get(binary.command().size() - 1), "2147483647", "tap0"));
        assertThat(fe.exit()).isEqualTo(1);
        assertThat(fe.stderr()).isEqualTo("jnet usernet: " + runtimeDir.resolve("jnet")
                + " must be a directory of uid 0 with mode 0700\n");
        assertThat(a.stopUsernet()).isZero();
    }

    @Test
    void aFrontEndOfAnotherBuildNeitherAttachesToThisDaemonNorRunsOneOfThisBuild(UsernetSandbox net) throws Exception {
        Neighbour a = net.startNeighbour(binary, List.of());
        List<Long> daemon = daemonPids();
        assertThat(daemon).hasSize(1);
        // the same front end's source, compiled as another build would be
        Path other = Files.createDirectories(net.workDir().resolve("other-build"));
        Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path c = Path.of(System.getProperty("jnet.helper")).resolveSibling("../src/main/c").normalize();
        Proc.Result cc = Proc.run(Duration.ofSeconds(60), List.of("env", "JNET_BUILD_ID=" + OTHER_BUILD, "sh",
                c.resolve("build.sh").toString(), c.resolve("jnet-slirp4netns.c").toString(),
                other.resolve("jnet-slirp4netns").toString()));
        assertThat(cc.exit()).as(cc.describe()).isZero();

        // same user, same runtime directory and host namespace, same daemon command: its own socket
        // name finds no daemon, and the daemon it starts (this build's) refuses to run for it
        List<String> cmd = new ArrayList<>(binary.command());
        cmd.set(cmd.size() - 1, other.resolve("jnet-slirp4netns").toString());
        cmd.addAll(List.of(Long.toString(net.guestPid()), "tap1"));
        Proc.Result r = net.hostAsUser(TIMEOUT, cmd);
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("jnet usernet: jnet usernetd is build " + BuildId.value() + ", this front end build "
                + OTHER_BUILD + ": they do not talk to each other (rebuild both, or point JNET_USERNETD at this build's jnet)\n");
        List<Long> left = daemonPids();
        for (int i = 0; i < 100 && !left.equals(daemon); i++) { // the refusing JVM is on its way out
            Thread.sleep(100);
            left = daemonPids();
        }
        assertThat(left).as("the running daemon alone, and still").isEqualTo(daemon);
        assertThat(a.usernetAlive()).isTrue();
        assertThat(net.guest("ip", "link", "show", "tap1").exit()).as("no tap opened for the other build").isNotZero();
        assertThat(a.stopUsernet()).isZero();
    }

    @Test
    void aNamespaceWhoseFramesMakeItsStackThrowIsClosedAlone(UsernetSandbox net) throws Exception {
        Neighbour a = net.startNeighbour(binary, List.of());
        Neighbour b = net.startNeighbour(binary, List.of());
        List<Long> daemon = daemonPids();

        Proc.Result boom = a.guestShell(TIMEOUT, "printf '" + ThrowingStack.MAGIC + "' > /dev/udp/"
                + FakeInternet.WEB_ADDRESS + "/" + FakeInternet.UDP_ECHO_PORT);
        assertThat(boom.exit()).as(boom.describe()).isZero();
        for (int i = 0; i < 100 && a.usernetAlive(); i++) {
            Thread.sleep(100);
        }
        assertThat(a.usernetAlive()).as("the front end of the failed namespace exits").isFalse();
        assertThat(a.stopUsernet()).isEqualTo(1);
        assertThat(a.usernetLog()).contains("jnet usernet: the tap failed: the stack failed on a frame from the guest: "
                + "java.lang.IllegalStateException: test: a frame that makes this stack throw");

        assertThat(daemonPids()).as("the daemon serves on").isEqualTo(daemon);
        Proc.Result curl = b.guestShell(TIMEOUT, "curl -sSf --max-time 30 " + SMALL + " | wc -c");
        assertThat(curl.exit()).as(curl.describe() + b.usernetLog()).isZero();
        assertThat(curl.stdout().strip()).isEqualTo("100000");
        assertThat(b.stopUsernet()).isZero();
    }

    @Test
    void aFloodedNamespaceLeavesAnothersDownloadIntact(UsernetSandbox net) throws Exception {
        Path apiA = apiDir.resolve("a.sock");
        Path apiB = apiDir.resolve("b.sock");
        Neighbour a = net.startNeighbour(binary, List.of("--api-socket", apiA.toString()));
        Neighbour b = net.startNeighbour(binary, List.of("--api-socket", apiB.toString()));
        Path flood = net.writeGuestFile("flood.py", FLOOD.getBytes(StandardCharsets.US_ASCII));
        // the flood ends by itself after 120 s at the latest; the test stops it sooner
        CompletableFuture<Proc.Result> flooding = CompletableFuture.supplyAsync(
                () -> a.guestShell(Duration.ofSeconds(150), "exec python3 " + flood + " 120"));
        Thread.sleep(1000); // the flood is on

        long start = System.nanoTime();
        Proc.Result down = b.guestShell(TIMEOUT, "curl -sSf --max-time 80 http://" + FakeInternet.WEB_NAME + "/f | sha256sum");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(down.exit()).as(down.describe() + b.usernetLog()).isZero();
        assertThat(down.stdout()).startsWith(FakeInternet.downloadSha256() + " ");
        System.out.printf("UsernetdTest: 64 MiB in the neighbour of a flooded namespace: %d ms (%.2f Gbit/s)%n", millis,
                FakeInternet.DOWNLOAD_SIZE * 8.0 / millis / 1e6);

        // the flooder's new flows ran over its open budget while its neighbour downloaded: its tap
        // was held (the loop slept); the downloader opened one connection and never was
        assertThat(new dev.jnet.usernet.api.ApiClient(apiA).getStats().get("link_holds")).as("holds of the flooder")
                .isPositive();
        assertThat(new dev.jnet.usernet.api.ApiClient(apiB).getStats().get("link_holds")).as("holds of the neighbour")
                .isZero();
        assertThat(a.usernetAlive()).as("the flooded namespace is still served").isTrue();
        assertThat(a.stopUsernet()).isZero(); // its guest's flood then fails to send: it ends
        flooding.get(60, TimeUnit.SECONDS);
        assertThat(b.stopUsernet()).isZero();
    }

    @Test
    void afterTheDaemonIsKilledEveryFrontEndReattachesAndNewConnectionsWork(UsernetSandbox net) throws Exception {
        Neighbour a = net.startNeighbour(binary, List.of());
        Neighbour b = net.startNeighbour(binary, List.of());
        List<Long> before = daemonPids();
        assertThat(before).hasSize(1);
        CompletableFuture<Proc.Result> inFlight = CompletableFuture.supplyAsync(() -> a.guestShell(TIMEOUT,
                "curl -sS --max-time 60 --limit-rate 2M -o /dev/null http://" + FakeInternet.WEB_NAME + "/f"));
        Thread.sleep(1000); // under traffic

        long killed = System.nanoTime();
        Proc.run(Duration.ofSeconds(10), List.of("kill", "-KILL", Long.toString(before.get(0))));
        for (Neighbour n : List.of(a, b)) {
            long ms = firstGoodCurl(n, killed);
            System.out.printf("UsernetdTest: a new curl worked %d ms after SIGKILL of the daemon%n", ms);
        }
        assertThat(a.usernetAlive()).as("front ends outlive the daemon").isTrue();
        assertThat(b.usernetAlive()).isTrue();
        List<Long> after = daemonPids();
        assertThat(after).hasSize(1).doesNotContainAnyElementsOf(before);
        Proc.Result lost = inFlight.get(90, TimeUnit.SECONDS);
        assertThat(lost.exit()).as("the old daemon's connection is lost: " + lost.describe()).isNotZero();

        assertThat(a.stopUsernet()).isZero();
        assertThat(b.stopUsernet()).isZero();
    }

    /** Milliseconds from {@code since} to the first curl of the namespace that worked (bounded: 30 tries). */
    private static long firstGoodCurl(Neighbour n, long since) throws InterruptedException {
        Proc.Result last = null;
        for (int i = 0; i < 30; i++) {
            last = n.guestShell(Duration.ofSeconds(30), "curl -sSf --max-time 2 " + SMALL + " | wc -c");
            if (last.exit() == 0 && last.stdout().strip().equals("100000")) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no curl worked after the daemon was killed: " + last.describe() + n.usernetLog());
    }

    /**
     * UDP to many ports, TCP SYNs to many ports (raw socket) and garbage Ethernet frames (packet
     * socket on tap0), round robin, as fast as python goes, for argv[1] seconds at most.
     */
    private static final String FLOOD = String.join("\n",
            "import errno, os, socket, struct, sys, time",
            "end = time.time() + float(sys.argv[1])",
            "dst = '" + FakeInternet.WEB_ADDRESS + "'",
            "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
            "t = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)",
            "p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)",
            "p.bind(('tap0', 0))",
            "src = socket.inet_aton('10.0.2.100'); d = socket.inet_aton(dst)",
            "def csum(b):",
            "    if len(b) % 2: b += b'\\0'",
            "    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))",
            "    s = (s >> 16) + (s & 0xffff); s += s >> 16",
            "    return ~s & 0xffff",
            "i = 0",
            "while time.time() < end:",
            "    i += 1",
            "    port = 1024 + i % 60000",
            "    try:",
            "        u.sendto(b'x' * 64, (dst, port))",
            "        h = struct.pack('!HHIIBBHHH', 40000 + i % 20000, port, i, 0, 5 << 4, 2, 64240, 0, 0)",
            "        c = csum(src + d + struct.pack('!BBH', 0, 6, len(h)) + h)",
            "        t.sendto(h[:16] + struct.pack('!H', c) + h[18:], (dst, 0))",
            "        p.send(os.urandom(60 + i % 1400))",
            "    except OSError as e:",
            "        if e.errno in (errno.ENXIO, errno.ENODEV, errno.ENETDOWN, errno.ENETUNREACH):",
            "            break  # the tap is gone: its namespace was detached",
            "");

    private List<Long> daemonPids() {
        List<Long> pids = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            Path proc = Path.of("/proc", Long.toString(p.pid()));
            try {
                String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
                String environ = Files.readString(proc.resolve("environ"));
                if (cmdline.contains(" usernetd ") && environ.contains("XDG_RUNTIME_DIR=" + runtimeDir + "\0")) {
                    pids.add(p.pid());
                }
            } catch (IOException | RuntimeException gone) {
                // exited, or not ours to read
            }
        });
        return pids;
    }

    private List<Long> awaitNoDaemon(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> left = daemonPids();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            left = daemonPids();
        }
        return left;
    }

    private List<Path> socketFiles() {
        List<Path> found = new ArrayList<>();
        Path dir = runtimeDir.resolve("jnet");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.sock")) {
                ds.forEach(found::add);
            } catch (IOException e) {
                throw new AssertionError("listing " + dir, e);
            }
        }
        return found;
    }

    /** The pid python reported itself as, from its own reply (SO_PEERCRED's pid is the client's). */
    private static String pidOf(Proc.Result r) {
        String s = r.stdout();
        int i = s.indexOf("(pid ");
        return i < 0 ? "?" : s.substring(i + 5, s.indexOf(')', i));
    }

    private static String call(Path api, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(api));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            while (ch.read(buf) >= 0) {
                if (!buf.hasRemaining()) {
                    throw new AssertionError("reply too long");
                }
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    private static Path userDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.setOwner(dir, FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(TestUser.configuredName()));
        return dir;
    }

    private static String testClasses() {
        try {
            return Path.of(ThrowingStack.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
