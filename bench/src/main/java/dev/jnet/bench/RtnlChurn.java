package dev.jnet.bench;

import dev.jnet.netns.NetnsManager;
import dev.jnet.rtnl.LinkKind;
import dev.jnet.rtnl.LinkSpec;
import dev.jnet.rtnl.RtnlHandle;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import dev.jnet.wiring.ConnectOptions;
import dev.jnet.wiring.NetnsConnector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * rtnetlink work through the jnet library in this JVM, driven line by line from stdin so that
 * rtnl-bench.sh can interleave it with {@code ip -batch} runs: the first command is the cold run
 * (first use of the request code in this JVM), later ones are warm. Not a test: one
 * machine-readable line per command on stdout.
 *
 * <pre>
 * java -cp 'bench/target/classes:bench/target/lib/*' dev.jnet.bench.RtnlChurn [--dir /var/run/netns]
 *      [--state-dir DIR] [--launched-at EPOCH_SECONDS]
 * stdin:  veth NS N                 N veth pairs vK/pK in the existing namespace NS, one batch
 *         connect NSPREFIX HOSTPREFIX N
 *                                   N x (netns add NSPREFIXk + connect, host end HOSTPREFIXk,
 *                                   10.200.0.0/16 /30s: host .4k+1, namespace .4k+2)
 *         quit
 * stdout: ready setup_ms=S since_launch_ms=L        (once, after the library is set up)
 *         result case=veth n=N value_ms=T open_ms=O failures=0 user_ms=U sys_ms=S runq_ms=Q
 *         result case=connect n=N value_ms=T user_ms=U sys_ms=S runq_ms=Q
 *         error MESSAGE                             (the command failed; the driver goes on)
 * </pre>
 *
 * <p>Set-up, before {@code ready} and outside every clock: the namespace manager, a host
 * handle (JNA and the netlink socket code load here) and the connector. veth: the handle in
 * NS is opened outside the clock ({@code open_ms}), then the clock runs from the first
 * {@code addLink} to the return of {@code endBatch}, i.e. the last acknowledgement; the
 * requests are pipelined ({@link RtnlHandle#beginBatch}). connect: from the first
 * {@code netns add} to the return of the last {@code connect}. The caller checks the result
 * (link and namespace counts, a ping) and cleans up; this driver deletes nothing. user_ms and
 * sys_ms are the CPU time of the requesting thread over the timed span (the kernel's work for
 * the requests is its sys time; JIT compiler threads and the namespace workers are not in it);
 * runq_ms is how long it waited, runnable, for a CPU.
 */
public final class RtnlChurn {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final NetnsManager manager;
    private final RtnlHandle host;
    private final NetnsConnector connector;

    private RtnlChurn(Path dir, Path stateDir) {
        manager = NetnsManager.rootful(dir);
        host = RtnlHandle.open();
        connector = new NetnsConnector(manager, host, stateDir);
        host.link("lo"); // one request, so that the socket code has run once before ready
    }

    public static void main(String[] args) throws IOException {
        Path dir = NetnsManager.IPROUTE2_DIR;
        Path stateDir = NetnsConnector.ROOTFUL_STATE_DIR;
        BigDecimal launchedAt = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--state-dir" -> stateDir = Path.of(args[++i]);
                case "--launched-at" -> launchedAt = new BigDecimal(args[++i]);
                default -> usage("unknown argument " + args[i]);
            }
        }
        long t0 = System.nanoTime();
        RtnlChurn churn = new RtnlChurn(dir, stateDir);
        long setup = System.nanoTime() - t0;
        String since = "";
        if (launchedAt != null) {
            Instant now = Instant.now();
            BigDecimal end = BigDecimal.valueOf(now.getEpochSecond()).add(BigDecimal.valueOf(now.getNano(), 9));
            since = " since_launch_ms=" + ms(end.subtract(launchedAt).movePointRight(9).longValue());
        }
        reply("ready setup_ms=" + ms(setup) + since);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            if (w[0].equals("quit")) {
                break;
            }
            try {
                reply(churn.run(w));
            } catch (RuntimeException e) {
                reply("error " + e.toString().replace('\n', ' '));
            }
        }
        churn.host.close();
    }

    private String run(String[] w) {
        if (w[0].equals("veth") && w.length == 3) {
            return veth(w[1], count(w[2]));
        }
        if (w[0].equals("connect") && w.length == 4) {
            return connect(w[1], w[2], count(w[3]));
        }
        throw new IllegalArgumentException("unknown command: " + String.join(" ", w));
    }

    private String veth(String ns, int n) {
        LinkSpec[] specs = new LinkSpec[n]; // built before the clock: the request is what is timed
        for (int i = 0; i < n; i++) {
            specs[i] = LinkSpec.of("v" + i, new LinkKind.Veth("p" + i));
        }
        long t0 = System.nanoTime();
        RtnlHandle h;
        try {
            h = RtnlHandle.open(manager, ns);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("opening a handle in " + ns + ": " + e, e);
        }
        try (h) {
            long t1 = System.nanoTime();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long user0 = THREADS.getCurrentThreadUserTime();
            long wait0 = runQueueWait();
            h.beginBatch();
            for (LinkSpec s : specs) {
                h.addLink(s);
            }
            List<RtnlHandle.BatchFailure> failures = h.endBatch();
            long t2 = System.nanoTime();
            long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            long user = THREADS.getCurrentThreadUserTime() - user0;
            long wait = runQueueWait() - wait0;
            if (!failures.isEmpty()) {
                RtnlHandle.BatchFailure f = failures.get(0);
                throw new IllegalStateException(failures.size() + " of " + n + " veth adds failed, first (#" + f.index()
                        + "): " + f.error().getMessage());
            }
            return "result case=veth n=" + n + " value_ms=" + ms(t2 - t1) + " open_ms=" + ms(t1 - t0) + " failures=0"
                    + " user_ms=" + ms(user) + " sys_ms=" + ms(cpu - user) + " runq_ms=" + ms(wait);
        }
    }

    private String connect(String nsPrefix, String hostPrefix, int n) {
        if (n > 16_384) {
            throw new IllegalArgumentException("at most 16384 /30s fit in 10.200.0.0/16");
        }
        long t0 = System.nanoTime();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long user0 = THREADS.getCurrentThreadUserTime();
        long wait0 = runQueueWait();
        for (int k = 0; k < n; k++) {
            String name = nsPrefix + k;
            manager.add(name);
            connector.connect(name, ConnectOptions.defaults().withHostIfname(hostPrefix + k)
                    .withAddresses(slash30(k, 1), slash30(k, 2)));
        }
        long t1 = System.nanoTime();
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long user = THREADS.getCurrentThreadUserTime() - user0;
        long wait = runQueueWait() - wait0;
        return "result case=connect n=" + n + " value_ms=" + ms(t1 - t0) + " user_ms=" + ms(user) + " sys_ms="
                + ms(cpu - user) + " runq_ms=" + ms(wait);
    }

    /**
     * How long this thread has waited, runnable, for a CPU (ns; schedstat's second field), or 0
     * where the kernel does not say. Other processes and this JVM's own compiler threads both
     * cause such waits.
     */
    private static long runQueueWait() {
        try {
            String[] f = Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split(" ");
            return Long.parseLong(f[1]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Host {@code which} (1 or 2) of the k-th /30 of 10.200.0.0/16, as rtnl-bench.sh numbers them. */
    static IpPrefix slash30(int k, int which) {
        return new IpPrefix(IpAddress.ipv4(0x0AC8_0000 + k * 4 + which), 30);
    }

    private static int count(String s) {
        int n = Integer.parseInt(s);
        if (n < 1 || n > 100_000) {
            throw new IllegalArgumentException("count must be 1..100000: " + s);
        }
        return n;
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static void reply(String s) {
        System.out.println(s);
        System.out.flush();
    }

    private static void usage(String why) {
        System.err.println("rtnl-churn: " + why);
        System.err.println("usage: RtnlChurn [--dir /var/run/netns] [--state-dir /run/jnet] [--launched-at EPOCH_SECONDS]");
        System.exit(2);
    }
}
