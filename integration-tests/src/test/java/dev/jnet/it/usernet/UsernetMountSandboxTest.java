package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, ask 4: {@code --enable-sandbox} puts the stack in a mount namespace of its own,
 * pivoted into a minimal root (slirp4netns: a tmpfs holding /etc and /run): /home, /root and
 * /var are gone from what the process sees (/proc/PID/root, /proc/PID/mountinfo), its
 * resolv.conf is still there, and it still serves the guest: a download by name (DNS through
 * the stack), a DNS query, and a port forward added through the API socket. The same test runs
 * against slirp4netns; as the unprivileged user and as root. Through jnet usernetd the stack is
 * the daemon's (no root of one namespace): there the daemon's seccomp filter is checked instead.
 */
@UsernetTest
class UsernetMountSandboxTest {
    private static final int GUEST_PORT = 8000;
    private static final String GREETING = "hello from the guest";

    @Test
    void unprivilegedTheStackSeesOnlyAMinimalRootAndStillServes(UsernetSandbox net) throws Exception {
        check(net, false);
    }

    @Test
    void asRootTheStackSeesOnlyAMinimalRootAndStillServes(UsernetSandbox net) throws Exception {
        check(net, true);
    }

    private void check(UsernetSandbox net, boolean asRoot) throws Exception {
        Path api = apiSocket(net, asRoot);
        Path marker = Files.createTempFile(Path.of("/tmp"), "itx-host-only-", "");
        try {
            net.restartUsernet(UsernetSandbox.DEFAULT_MTU, List.of("--enable-sandbox", "--api-socket", api.toString()),
                    List.of(), new UsernetSandbox.Launch(List.of(), asRoot));
            if (net.binary().isDaemon()) {
                // one daemon serves every namespace and opens their API sockets and pcap files where
                // they name them: it cannot live in one namespace's minimal root (a mount namespace
                // is per process). What covers it is its own seccomp filter (no mount, pivot_root,
                // setns, ptrace) and no_new_privs on every thread, whatever the flags
                long daemon = net.stackPid();
                for (String tid : list(Path.of("/proc", Long.toString(daemon), "task"))) {
                    ProcStatus t = ProcStatus.of(daemon, tid);
                    assertThat(t.get("Seccomp")).as("daemon thread %s %s", tid, t.get("Name")).isEqualTo("2");
                    assertThat(t.get("NoNewPrivs")).as("daemon thread %s %s", tid, t.get("Name")).isEqualTo("1");
                }
            } else {
                assertMinimalRoot(net, asRoot, marker);
            }

            Proc.Result down = net.guestShell(UsernetSandbox.DEFAULT_TIMEOUT, "curl -sSf --max-time 50 'http://"
                    + FakeInternet.WEB_NAME + FakeWebServer.DOWNLOAD_PATH + "?bytes=1048576' | sha256sum");
            assertThat(down.exit()).as(down.describe() + net.usernetLog()).isZero();
            assertThat(down.stdout()).startsWith(FakeInternet.downloadSha256(1 << 20) + " ");
            Proc.Result dig = net.guest("dig", "+short", "+time=5", "+tries=2", "@" + UsernetSandbox.DNS,
                    FakeInternet.WEB_NAME);
            assertThat(dig.stdout().strip()).as(dig.describe()).isEqualTo(FakeInternet.WEB_ADDRESS);

            int hostPort = 18080;
            startGuestServer(net);
            String added = call(api, "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":"
                    + "\"127.0.0.1\",\"host_port\":" + hostPort + ",\"guest_addr\":\"\",\"guest_port\":" + GUEST_PORT + "}}");
            assertThat(added).as(net.usernetLog()).matches("\\{\"return\":\\{\"id\":\\d+\\}\\}");
            Proc.Result client = net.host(Duration.ofSeconds(30), List.of("python3", "-c",
                    "import socket; s = socket.create_connection(('127.0.0.1', " + hostPort + "), 20); "
                            + "print(s.recv(100).decode(), end='')"));
            assertThat(client.stdout()).as(client.describe() + net.usernetLog()).isEqualTo(GREETING + "\n");
            assertThat(net.usernetAlive()).isTrue();
        } finally {
            net.restartUsernet(List.of());
            Files.deleteIfExists(marker);
        }
    }

    /** A directory for the API socket that the user running the stack may write. */
    /** The stack process sees a minimal root (tmpfs), not the host's /home, /root, /var. */
    private static void assertMinimalRoot(UsernetSandbox net, boolean asRoot, Path marker) throws Exception {
        long pid = net.usernetPid();
        Path root = Path.of("/proc", Long.toString(pid), "root");
        List<String> top = list(root);
        System.out.println((asRoot ? "root" : "unprivileged") + ", " + net.binary().description() + ": / holds " + top);
        assertThat(top).as("/ of the sandboxed stack").doesNotContain("home", "root", "var", "work")
                .isNotEmpty();
        List<String[]> mounts = mountinfo(pid);
        String[] rootMount = mounts.stream().filter(m -> m[4].equals("/")).reduce((a, b) -> b).orElseThrow();
        assertThat(fsType(rootMount)).as("the root's file system").isEqualTo("tmpfs");
        assertThat(mounts).as("mount points").noneMatch(m -> m[4].equals("/home") || m[4].startsWith("/home/")
                || m[4].equals("/root") || m[4].equals("/var") || m[4].startsWith("/var/"));
        // the host namespace's resolv.conf (ip netns exec binds it over /etc/resolv.conf)
        assertThat(Files.readString(root.resolve("etc/resolv.conf")))
                .isEqualTo("nameserver " + FakeInternet.DNS_ADDRESS + "\n");
        if (net.runsJnet()) {
            // jnet's root holds only what the JVM needs: no /home, /root, /var, /srv, /opt, /mnt, /boot
            assertThat(top).isSubsetOf("bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run",
                    "sbin", "tmp", "usr");
            assertThat(list(root.resolve("dev"))).isSubsetOf("null", "zero", "random", "urandom");
            // a private /tmp: the host's shows through only where something is bound (jars, the API directory)
            assertThat(list(root.resolve("tmp"))).doesNotContain(marker.getFileName().toString());
        }
    }

    private static Path apiSocket(UsernetSandbox net, boolean asRoot) throws IOException {
        Path dir = net.workDir().resolve(asRoot ? "api-root" : "api-user");
        if (!Files.exists(dir)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            if (!asRoot) {
                Files.setOwner(dir, FileSystems.getDefault().getUserPrincipalLookupService()
                        .lookupPrincipalByName(TestUser.configuredName()));
            }
        }
        return dir.resolve("usernet.sock");
    }

    /** One connection, one greeting: a guest server of a few lines (no name lookups). */
    private static void startGuestServer(UsernetSandbox net) throws InterruptedException {
        String server = "import socket\n"
                + "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                + "s.bind(('0.0.0.0', " + GUEST_PORT + ")); s.listen(); s.settimeout(60)\n"
                + "c, _ = s.accept(); c.sendall(b'" + GREETING + "\\n'); c.close()\n";
        Path script = net.writeGuestFile("greet-once.py", server.getBytes(StandardCharsets.US_ASCII));
        Proc.Result r = net.guestShell(Duration.ofSeconds(10), "/usr/bin/python3 " + script + " </dev/null >/dev/null 2>&1 &");
        assertThat(r.exit()).as(r.describe()).isZero();
        for (int i = 0; i < 100; i++) {
            if (!net.guest("ss", "-Hltn", "sport = :" + GUEST_PORT).stdout().isBlank()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the guest server did not listen");
    }

    private static String call(Path api, String request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(api));
            ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ByteBuffer buf = ByteBuffer.allocate(4096);
            while (ch.read(buf) >= 0 && buf.hasRemaining()) {
                // until the server closes
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** /proc/PID/mountinfo lines split at blanks: [4] is the mount point. */
    private static List<String[]> mountinfo(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "mountinfo")).stream()
                .map(l -> l.split(" ")).toList();
    }

    /** The file system type: the field after the " - " separator. */
    private static String fsType(String[] mount) {
        for (int i = 0; i < mount.length - 1; i++) {
            if (mount[i].equals("-")) {
                return mount[i + 1];
            }
        }
        throw new IllegalArgumentException(String.join(" ", mount));
    }
}
