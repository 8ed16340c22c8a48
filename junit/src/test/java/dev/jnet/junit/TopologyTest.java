package dev.jnet.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.linux.Syscalls;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Topologies against the real kernel: rootful (as root) and rootless (a user namespace of their own). */
class TopologyTest {
    @TempDir
    Path dir;

    static Topology topology(boolean rootless, Path dir) {
        if (rootless) {
            assumeTrue(UserNamespaces.unavailableReason().isEmpty(), () -> UserNamespaces.unavailableReason().get());
        } else {
            assumeTrue(Syscalls.geteuid() == 0, "rootful topologies need root");
        }
        return Topology.create(rootless, dir);
    }

    static String run(Netns ns, String... cmd) throws Exception {
        Process p = ns.start(new ProcessBuilder().redirectErrorStream(true), cmd);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s in %s:%n%s", String.join(" ", cmd), ns.name(), out).isZero();
        return out;
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void vethAndBridgeCarryIpv4AndIpv6(boolean rootless) throws Exception {
        try (Topology t = topology(rootless, dir)) {
            Netns a = t.namespace("a");
            Netns b = t.namespace("b");
            Netns sw = t.namespace("switch");
            t.veth(a, "eth0", sw, "pa");
            t.veth(b, "eth0", sw, "pb");
            t.bridge(sw, "br0", "pa", "pb");
            a.address("eth0", "10.0.0.1/24").address("eth0", "fd00::1/64");
            b.address("eth0", "10.0.0.2/24").address("eth0", "fd00::2/64");
            assertThat(run(a, "ping", "-c1", "-W5", "10.0.0.2")).contains("1 received");
            assertThat(run(a, "ping", "-6", "-c1", "-W5", "fd00::2")).contains("1 received");
            assertThat(run(b, "ip", "-o", "link", "show", "eth0")).contains("eth0@");
            assertThat(run(sw, "ip", "-o", "link", "show", "master", "br0")).contains("pa@").contains("pb@");
        }
    }

    /** ICMP types of the IPv4 frames in a pcap file (Ethernet), in file order. */
    static java.util.List<Integer> icmpTypes(Path pcap) throws Exception {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(pcap)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
        java.util.List<Integer> types = new java.util.ArrayList<>();
        for (int p = 24; p + 16 <= b.limit(); ) {
            int incl = b.getInt(p + 8);
            int f = p + 16;
            if (incl >= 34 && (b.getShort(f + 12) & 0xFFFF) == 0x0008 && b.get(f + 23) == 1) { // IPv4, ICMP
                int ihl = (b.get(f + 14) & 0x0F) * 4;
                types.add(b.get(f + 14 + ihl) & 0xFF);
            }
            p = f + incl;
        }
        return types;
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void vethFramesAreCapturedBothWays(boolean rootless) throws Exception {
        Path pcap;
        try (Topology t = topology(rootless, dir)) {
            Netns a = t.namespace("a");
            Netns b = t.namespace("b");
            t.veth(a, "eth0", b, "eth1");
            a.address("eth0", "10.3.0.1/24");
            b.address("eth1", "10.3.0.2/24");
            assertThat(run(a, "ping", "-c2", "-i0.2", "-W5", "10.3.0.2")).contains("2 received");
            assertThat(t.captures()).hasSize(1);
            pcap = t.captures().get(0);
            assertThat(pcap).isEqualTo(dir.resolve("veth-a-eth0--b-eth1.pcap"));
        }
        // closed: flushed; two echo requests (8) out and two replies (0) in
        assertThat(icmpTypes(pcap)).containsExactly(8, 0, 8, 0);
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void javaCodeInsideANamespaceOwnsItsSockets(boolean rootless) throws Exception {
        try (Topology t = topology(rootless, dir)) {
            Netns a = t.namespace("a");
            Netns b = t.namespace("b");
            t.veth(a, "eth0", b, "eth0");
            a.address("eth0", "10.1.0.1/24");
            b.address("eth0", "10.1.0.2/24");
            Process server = b.start(new ProcessBuilder(), "python3", "-c",
                    "import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                    + "s.bind(('10.1.0.2',7000))\ns.listen()\nprint('up',flush=True)\nc,_=s.accept()\n"
                    + "c.sendall(b'hello from b')\nc.close()");
            assertThat(new String(server.getInputStream().readNBytes(3), StandardCharsets.US_ASCII)).isEqualTo("up\n");
            Netns.SerializableCallable<String> client = () -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("10.1.0.2", 7000), 5000);
                    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                }
            };
            String got = rootless ? a.callInChildJvm(client) : a.call(client);
            assertThat(got).isEqualTo("hello from b");
            assertThat(server.waitFor()).isZero();
        }
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void aChildJvmRethrowsTheTasksException(boolean rootless) {
        try (Topology t = topology(rootless, dir)) {
            Netns a = t.namespace("a");
            assertThatThrownBy(() -> a.callInChildJvm(() -> {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress("10.9.9.9", 0)); // no such address in a fresh namespace
                    return "bound";
                }
            })).isInstanceOf(java.net.BindException.class);
        }
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void closeLeavesNoProcessAndNoNamespace(boolean rootless) throws Exception {
        Topology t = topology(rootless, dir);
        Netns a = t.namespace("a");
        Process sleeper = a.start(new ProcessBuilder(), "sleep", "600");
        long inode = (Long) Files.getAttribute(a.path(), "unix:ino");
        ProcessHandle holder = ProcessHandle.of(Long.parseLong(a.path().getName(1).toString())).orElseThrow();
        t.close();
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(holder.isAlive()).isFalse();
        assertThat(Files.exists(a.path())).isFalse();
        // no process of this machine is in that namespace any more
        try (var procs = Files.list(Path.of("/proc"))) {
            assertThat(procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).filter(p -> {
                try {
                    return ((Long) Files.getAttribute(p.resolve("ns/net"), "unix:ino")) == inode;
                } catch (Exception e) {
                    return false;
                }
            }).toList()).isEmpty();
        }
        assertThatThrownBy(() -> t.namespace("b")).hasMessage("the topology is closed");
        t.close(); // idempotent
    }

    @ParameterizedTest(name = "rootless={0}")
    @ValueSource(booleans = {false, true})
    void rootlessCodeOnAThreadIsRefusedWithTheWayOut(boolean rootless) throws Exception {
        assumeTrue(rootless);
        try (Topology t = topology(true, dir)) {
            Netns a = t.namespace("a");
            assertThatThrownBy(() -> a.call(() -> 1)).hasMessageContaining("use callInChildJvm");
            // an unknown device is one clear error naming it
            assertThatThrownBy(() -> a.address("nosuch0", "10.0.0.1/24")).hasMessageContaining("nosuch0");
        }
    }

    static String readAll(InputStream in) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toString(StandardCharsets.UTF_8);
    }
}
