package dev.jnet.it.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnet.it.Proc;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private world for CNI tests: a "host" namespace where the plugins run (the bridge, its veth
 * ends, forwarding and every firewall rule land there, and go with it) and container
 * namespaces, all made and removed by the test. The plugin is exec'd exactly as a runtime execs
 * it: CNI_* environment, network configuration on stdin, result or error object on stdout.
 *
 * <p>The plugin under test is bin/cni/jnet-bridge; {@code JNET_CNI_PLUGIN=/usr/lib/cni/bridge}
 * runs the same tests against the reference plugin, to check a test itself.
 */
final class CniSandbox implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path REFERENCE_DIR = Path.of("/usr/lib/cni");

    final String prefix;
    final String host;
    final Path tmp;
    final Path plugin;
    private final List<String> namespaces = new ArrayList<>();

    /** A call's outcome: exit status and what the plugin printed (null when nothing). */
    record Call(int exit, JsonNode out, String stdout, String stderr) {
        String describe() {
            return "exit " + exit + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }

        Call ok() {
            assertThat(exit).as(describe()).isZero();
            return this;
        }

        /** Failed as the spec says: non-zero, an error object with a code and a message on stdout. */
        Call failed() {
            assertThat(exit).as(describe()).isNotZero();
            assertThat(out).as(describe()).isNotNull();
            assertThat(out.path("code").asInt()).as(describe()).isPositive();
            assertThat(out.path("msg").asText()).as(describe()).isNotEmpty();
            // spec 1.0.0 puts cniVersion in the error object too; Debian's reference plugins (1.1.1) do not
            if (!isReference()) {
                assertThat(out.has("cniVersion")).as(describe()).isTrue();
            }
            return this;
        }
    }

    CniSandbox(String tag) throws IOException {
        requireTools();
        this.prefix = "jc" + ProcessHandle.current().pid() % 100000 + tag;
        this.host = prefix + "-h";
        this.tmp = Files.createTempDirectory("jnet-cni-it-");
        this.plugin = pluginUnderTest();
        addNetns(host);
        sh("ip", "-n", host, "link", "set", "lo", "up");
    }

    /** The plugin binary: jnet-bridge, or what JNET_CNI_PLUGIN names. */
    static Path pluginUnderTest() {
        String env = System.getenv("JNET_CNI_PLUGIN");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("jnet.repo", ".."), "bin", "cni", "jnet-bridge").toAbsolutePath().normalize();
    }

    static boolean isReference() {
        return pluginUnderTest().startsWith(REFERENCE_DIR);
    }

    /** Prerequisites: missing ones skip the test, or fail it under CI=true (CI must not pass by running nothing). */
    static void requireTools() {
        List<String> missing = new ArrayList<>();
        for (String t : List.of("host-local", "portmap", "bridge")) {
            if (!Files.isExecutable(REFERENCE_DIR.resolve(t))) {
                missing.add(REFERENCE_DIR.resolve(t) + " (Debian package containernetworking-plugins)");
            }
        }
        if (Proc.run("sh", "-c", "command -v nft || command -v iptables").exit() != 0) {
            missing.add("nft or iptables");
        }
        require(missing.isEmpty(), "missing " + missing);
    }

    static void require(boolean ok, String why) {
        if (ok) {
            return;
        }
        if ("true".equalsIgnoreCase(String.valueOf(System.getenv("CI")).strip())) {
            fail("CI=true and a prerequisite is missing: " + why);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(false, "skipped: " + why);
    }

    String addNetns(String name) {
        sh("ip", "netns", "add", name);
        namespaces.add(name);
        return name;
    }

    /** A container namespace (lo up, as a runtime leaves it after the loopback plugin). */
    String container(String tag) {
        String name = addNetns(prefix + "-" + tag);
        sh("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    void deleteNetns(String name) {
        sh("ip", "netns", "del", name);
        namespaces.remove(name);
    }

    static String nsPath(String name) {
        return "/run/netns/" + name;
    }

    /** The plugin's type as a config names it. */
    String type() {
        return plugin.getFileName().toString();
    }

    /** CNI_PATH: the plugin's directory first, then the reference plugins (IPAM, portmap). */
    String cniPath() {
        return plugin.getParent() + ":" + REFERENCE_DIR;
    }

    /**
     * A bridge network config: subnet {@code 10.200.N.0/24} from host-local (its state in the
     * sandbox), gateway and masquerading on.
     */
    ObjectNode conf(String version, String network, String bridge, int subnet) {
        ObjectNode c = JSON.createObjectNode();
        c.put("cniVersion", version);
        c.put("name", network);
        c.put("type", type());
        c.put("bridge", bridge);
        c.put("isGateway", true);
        c.put("isDefaultGateway", true);
        c.put("ipMasq", true);
        ObjectNode ipam = c.putObject("ipam");
        ipam.put("type", "host-local");
        ipam.put("subnet", "10.200." + subnet + ".0/24");
        ipam.put("dataDir", tmp.resolve("ipam").toString());
        return c;
    }

    /** host-local's reservations for {@code network}: the files named after addresses. */
    List<String> reservations(String network) throws IOException {
        Path d = tmp.resolve("ipam").resolve(network);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f.:]+")).sorted().toList();
        }
    }

    Call call(String command, String containerId, String netns, String ifname, JsonNode conf) {
        return exec(plugin, command, containerId, netns, ifname, conf, Map.of());
    }

    /** Execs {@code bin} in the host namespace as a runtime does. {@code netns} null: no CNI_NETNS. */
    Call exec(Path bin, String command, String containerId, String netns, String ifname, JsonNode conf,
            Map<String, String> extraEnv) {
        try {
            Path in = Files.createTempFile(tmp, "stdin-", ".json");
            Files.write(in, JSON.writeValueAsBytes(conf));
            Path out = Files.createTempFile(tmp, "stdout-", ".json");
            Path err = Files.createTempFile(tmp, "stderr-", ".txt");
            ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", host, bin.toString())
                    .redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("CNI_"));
            env.put("CNI_COMMAND", command);
            if (containerId != null) {
                env.put("CNI_CONTAINERID", containerId);
            }
            if (netns != null) {
                env.put("CNI_NETNS", netns);
            }
            if (ifname != null) {
                env.put("CNI_IFNAME", ifname);
            }
            env.put("CNI_PATH", cniPath());
            env.putAll(extraEnv);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                Proc.killTree(p);
                fail("plugin %s %s did not finish in 120 s", bin, command);
            }
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            JsonNode json = stdout.isBlank() ? null : JSON.readTree(stdout);
            return new Call(p.exitValue(), json, stdout, stderr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code conf} with {@code prevResult} set (what a runtime passes to CHECK, DEL and the next plugin). */
    static ObjectNode withPrev(ObjectNode conf, JsonNode prev) {
        ObjectNode c = conf.deepCopy();
        c.set("prevResult", prev);
        return c;
    }

    /** Runs a command; fails the test with its output when it fails. */
    static Proc.Result sh(String... cmd) {
        Proc.Result r = Proc.run(cmd);
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }

    /** The link names in namespace {@code ns}. */
    static List<String> links(String ns) {
        List<String> out = new ArrayList<>();
        for (String l : sh("ip", "-n", ns, "-o", "link").stdoutLines()) {
            String name = l.split(":\\s+")[1];
            out.add(name.contains("@") ? name.substring(0, name.indexOf('@')) : name);
        }
        return out;
    }

    /**
     * Waits until {@code ns} has no link {@code name}: a deleted namespace's devices go
     * asynchronously (the kernel's cleanup_net), a moment after {@code ip netns del}.
     */
    static void awaitGone(String ns, String name) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (links(ns).contains(name) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(links(ns)).doesNotContain(name);
    }

    /** The host namespace's nat rules, nftables and iptables alike (empty when there are none). */
    String firewall() {
        StringBuilder s = new StringBuilder();
        Proc.Result nft = Proc.run("ip", "netns", "exec", host, "sh", "-c", "command -v nft >/dev/null && nft list ruleset");
        if (nft.exit() == 0) {
            s.append(nft.stdout());
        }
        Proc.Result ipt = Proc.run("ip", "netns", "exec", host, "sh", "-c",
                "command -v iptables-save >/dev/null && iptables-save -t nat");
        if (ipt.exit() == 0) {
            for (String l : ipt.stdoutLines()) {
                if (l.startsWith("-A") || (l.startsWith(":") && !l.matches(":(PREROUTING|INPUT|OUTPUT|POSTROUTING) .*"))) {
                    s.append(l).append('\n');
                }
            }
        }
        return s.toString();
    }

    @Override
    public void close() {
        for (String ns : new ArrayList<>(namespaces)) {
            Proc.run("ip", "netns", "del", ns);
        }
        namespaces.clear();
        try (Stream<Path> s = Files.walk(tmp)) {
            s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException ignored) {
            // temp files: best effort
        }
    }
}
