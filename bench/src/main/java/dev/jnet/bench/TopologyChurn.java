package dev.jnet.bench;

import dev.jnet.junit.ImpairedLink;
import dev.jnet.junit.Netns;
import dev.jnet.junit.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How long a test's topology takes to come up and go away in a warm JVM: three namespaces, a
 * veth pair between the first two, an impaired link (10% loss) between the last two, an IPv4
 * address on each end, and everything closed again. Prints one line per round and the median,
 * for rootful (when root) and rootless topologies: {@code java ... TopologyChurn WARMUP ROUNDS}.
 */
public final class TopologyChurn {
    private TopologyChurn() {}

    static long once(boolean rootless, Path dir) {
        long t0 = System.nanoTime();
        try (Topology t = Topology.create(rootless, dir)) {
            Netns a = t.namespace("a");
            Netns b = t.namespace("b");
            Netns c = t.namespace("c");
            t.veth(a, "eth0", b, "eth0");
            ImpairedLink link = t.impairedLink(b, "eth1", c, "eth0");
            link.loss(0.10);
            a.address("eth0", "10.0.1.1/24");
            b.address("eth0", "10.0.1.2/24").address("eth1", "10.0.2.1/24");
            c.address("eth0", "10.0.2.2/24");
        }
        return System.nanoTime() - t0;
    }

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path dir = Files.createTempDirectory("topology-bench");
        boolean root = dev.jnet.linux.Syscalls.geteuid() == 0;
        for (boolean rootless : root ? new boolean[] {false, true} : new boolean[] {true}) {
            String mode = rootless ? "rootless" : "rootful";
            for (int i = 0; i < warmup; i++) {
                once(rootless, dir);
            }
            long[] ms = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                ms[i] = once(rootless, dir) / 1_000;
                System.out.printf("%s round %d: %.1f ms%n", mode, i + 1, ms[i] / 1000.0);
            }
            Arrays.sort(ms);
            System.out.printf("%s: 3 namespaces + veth + impaired link, up and down, warm JVM: median %.1f ms, "
                    + "min %.1f, max %.1f (%d rounds after %d warm-up)%n", mode, ms[rounds / 2] / 1000.0,
                    ms[0] / 1000.0, ms[rounds - 1] / 1000.0, rounds, warmup);
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }
}
