package dev.jnet.it.cni;

import static dev.jnet.it.cni.CniSandbox.sh;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rootful podman (Debian's 4.3) with its CNI backend and a conflist whose first plugin is
 * jnet-bridge (then the reference portmap): the container fetches from a fake TEST-NET host and
 * serves a published port that the fake host reaches. podman runs inside the test's host
 * namespace and a private mount namespace with cgroup2 mounted (design notes sec. 8), with its
 * storage, network configs and IPAM state in a temporary directory.
 *
 * <p>This machine kind's root lacks CAP_SYS_RESOURCE: containers get limits below the current
 * ones (--ulimit) and no cgroup (--cgroups=disabled: crun's device filter would raise RLIMIT_MEMLOCK).
 */
@RequiresRoot
class CniPodmanTest {
    private static final String NETWORK = "jnet-it-podman";
    private static final String IMAGE = "localhost/jnet-cni-busybox";
    private static final String GREETING = "greetings from the container";

    private CniSandbox box;
    private Proc.Running fakeServer;
    private Proc.Running container;

    @BeforeEach
    void setUp() throws Exception {
        CniSandbox.require(Proc.run("sh", "-c", "command -v podman && command -v crun && test -x /bin/busybox")
                .exit() == 0, "podman, crun and busybox-static are not installed");
        box = new CniSandbox("d");
    }

    @AfterEach
    void tearDown() {
        if (container != null) {
            Proc.killTree(container.process());
        }
        if (fakeServer != null) {
            Proc.killTree(fakeServer.process());
        }
        if (box != null) {
            box.close();
        }
    }

    @Test
    void podmanWithTheCniBackendRunsAContainerOnJnetBridgeThatReachesAFakeHostAndServesAPublishedPort()
            throws Exception {
        Path t = box.tmp;
        // the fake host: 198.51.100.2 in its own namespace, wired to the host namespace, serving one file
        String fake = box.container("fake");
        sh("ip", "-n", box.host, "link", "add", "fk0", "type", "veth", "peer", "name", "eth0", "netns", fake);
        sh("ip", "-n", box.host, "addr", "add", "198.51.100.1/24", "dev", "fk0");
        sh("ip", "-n", box.host, "link", "set", "fk0", "up");
        sh("ip", "-n", fake, "addr", "add", "198.51.100.2/24", "dev", "eth0");
        sh("ip", "-n", fake, "link", "set", "eth0", "up");
        Files.createDirectories(t.resolve("www"));
        Files.writeString(t.resolve("www/hello"), "hello from the fake host\n");
        fakeServer = Proc.start(List.of("ip", "netns", "exec", fake, "python3", "-m", "http.server", "-d",
                t.resolve("www").toString(), "-b", "198.51.100.2", "8000"), null);

        // podman's configuration: CNI backend, our plugin directory first, the conflist
        Files.createDirectories(t.resolve("net"));
        Files.writeString(t.resolve("containers.conf"), "[network]\n"
                + "network_backend = \"cni\"\n"
                + "cni_plugin_dirs = [\"" + box.plugin.getParent() + "\", \"" + CniSandbox.REFERENCE_DIR + "\"]\n"
                + "network_config_dir = \"" + t.resolve("net") + "\"\n"
                + "[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n");
        Files.writeString(t.resolve("net").resolve(NETWORK + ".conflist"), "{\"cniVersion\":\"1.0.0\",\"name\":\""
                + NETWORK + "\",\"plugins\":[{\"type\":\"" + box.type() + "\",\"bridge\":\"jcni-pod0\","
                + "\"isGateway\":true,\"isDefaultGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\","
                + "\"ranges\":[[{\"subnet\":\"10.200.130.0/24\"}]],\"dataDir\":\"" + t.resolve("ipam") + "\"}},"
                + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}\n");
        // the image: busybox-static and a greeting
        Path img = t.resolve("img");
        Files.createDirectories(img.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), img.resolve("bin/busybox"));
        for (String applet : List.of("sh", "wget", "nc", "echo", "ip")) {
            Files.createSymbolicLink(img.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(img.resolve("greet"), "#!/bin/sh\necho " + GREETING + "\n");
        img.resolve("greet").toFile().setExecutable(true, false);
        sh("tar", "-C", img.toString(), "-cf", t.resolve("img.tar").toString(), ".");
        Proc.Result imp = Proc.run(Duration.ofSeconds(120), podman("import", t.resolve("img.tar").toString(), IMAGE));
        assertThat(imp.exit()).as(imp.describe()).isZero();
        Proc.Result nets = Proc.run(Duration.ofSeconds(60), podman("network", "ls"));
        assertThat(nets.stdout()).as(nets.describe()).contains(NETWORK).contains(box.type());

        container = Proc.start(podman("run", "--rm", "--cgroups=disabled", "--ulimit", "nofile=1024:1024",
                "--ulimit", "nproc=1024:1024", "--network", NETWORK, "-p", "18081:80", IMAGE, "sh", "-c",
                "ip -4 -o addr show eth0; wget -q -O - http://198.51.100.2:8000/hello; echo listening; "
                        + "nc -l -p 80 -e /greet"), t.toFile().toPath());
        awaitLine(container, "listening");
        String got = null;
        for (int i = 0; i < 20 && (got == null || !got.contains(GREETING)); i++) {
            Proc.Result r = Proc.run("ip", "netns", "exec", fake, "sh", "-c", "echo | timeout 5 busybox nc 198.51.100.1 18081");
            got = r.stdout();
            if (!got.contains(GREETING)) {
                Thread.sleep(250);
            }
        }
        Proc.Result run = container.await(Duration.ofSeconds(60));
        assertThat(run.exit()).as(run.describe()).isZero();
        assertThat(run.stdout()).contains("inet 10.200.130.").contains("hello from the fake host");
        assertThat(got).as(run.describe()).contains(GREETING);

        // --rm: podman ran DEL down the chain; nothing of the container is left
        assertThat(box.reservations(NETWORK)).isEmpty();
        assertThat(box.firewall()).doesNotContain("10.200.130.").doesNotContain("18081");
        assertThat(CniSandbox.links(box.host)).allMatch(n -> !n.startsWith("veth"));
    }

    /** podman as root in the test's host namespace and a private mount namespace with cgroup2. */
    private List<String> podman(String... args) {
        Path t = box.tmp;
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", box.host, "unshare", "-m", "--propagation",
                "private", "sh", "-c", "mount -t cgroup2 none /sys/fs/cgroup && exec \"$@\"", "sh",
                "env", "CONTAINERS_CONF=" + t.resolve("containers.conf"), "podman", "--root", t.resolve("root").toString(),
                "--runroot", t.resolve("runroot").toString(), "--storage-driver", "vfs", "--tmpdir",
                t.resolve("tmp").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void awaitLine(Proc.Running p, String line) throws InterruptedException {
        long end = System.nanoTime() + 90_000_000_000L;
        while (System.nanoTime() < end) {
            if (p.stdoutSoFar().lines().anyMatch(line::equals)) {
                return;
            }
            if (!p.process().isAlive()) {
                Proc.Result r = p.await(Duration.ofSeconds(5));
                throw new AssertionError("podman ended before \"" + line + "\"\n" + r.describe());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no \"" + line + "\" from podman within 90 s; so far:\n" + p.stdoutSoFar());
    }
}
