package dev.jnet.bench;

import dev.jnet.netns.NetnsManager;
import dev.jnet.netns.NsIdentity;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Namespace churn through the jnet library in this JVM: N {@code add}s, then N
 * {@code delete}s, names {@code PREFIX1 .. PREFIXN}. Not a test: it prints one
 * machine-readable line per measurement, for netns-bench.sh.
 *
 * <pre>
 * java -cp 'bench/target/classes:bench/target/lib/*' dev.jnet.bench.NetnsChurn --prefix jb123-j [--n 200]
 *      [--reps 1] [--settle-ms 3000] [--launched-at EPOCH_SECONDS] [--dir /var/run/netns] [--no-verify]
 * </pre>
 *
 * <p>Timed: from creating the manager (first use of the library in this JVM, so JNA and
 * class loading are included, JVM start-up is not) to the end of the last delete. Between
 * the add and delete phases the clock is stopped while every entry is checked to be a live
 * namespace (unless --no-verify). With --reps R the churn is repeated R times in this JVM
 * (rep=1 is the cold run netns-bench.sh compares; later reps show the warmed-up cost), with
 * a pause of --settle-ms before each repeat: the kernel tears deleted namespaces down
 * asynchronously, and that work should not be billed to the next repeat.
 *
 * <p>With {@code --launched-at T} (the wall-clock time, in seconds since the epoch, at
 * which the caller started this JVM) it also prints {@code netns_add_del_N_since_launch}:
 * from T to the end of the first run's last delete (less the verify pass), i.e. JVM start-up
 * included.
 *
 * <p>Output lines: {@code metric=netns_add_N driver=jnet value_ms=X rep=R}, likewise
 * {@code netns_del_N}, {@code netns_add_del_N}, and {@code netns_first_add} (creating the
 * manager and the first add: where the library's one-time initialisation lands). Exit status 1 if anything failed; every namespace this run created is deleted
 * again, on failure too.
 */
public final class NetnsChurn {
    /** When the last run's last delete returned, and how long its untimed verify pass took. */
    private static Instant lastEnd;
    private static long lastUntimedNanos;

    private NetnsChurn() {}

    public static void main(String[] args) {
        String prefix = null;
        int n = 200;
        int reps = 1;
        Path dir = NetnsManager.IPROUTE2_DIR;
        boolean verify = true;
        long settleMillis = 3_000;
        BigDecimal launchedAt = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--prefix" -> prefix = args[++i];
                case "--n" -> n = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--no-verify" -> verify = false;
                case "--settle-ms" -> settleMillis = Long.parseLong(args[++i]);
                case "--launched-at" -> launchedAt = new BigDecimal(args[++i]);
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (prefix == null || prefix.isEmpty()) {
            usage("--prefix is required");
        }
        if (n < 1 || n > 100_000 || reps < 1 || reps > 1_000 || settleMillis < 0) {
            usage("--n must be 1..100000, --reps 1..1000, --settle-ms >= 0");
        }
        List<String> names = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            names.add(prefix + i);
        }
        boolean ok = true;
        for (int rep = 1; rep <= reps && ok; rep++) {
            if (rep > 1) {
                sleep(settleMillis);
            }
            ok = churn(dir, names, verify, rep);
            if (ok && rep == 1 && launchedAt != null) {
                BigDecimal end = BigDecimal.valueOf(lastEnd.getEpochSecond())
                        .add(BigDecimal.valueOf(lastEnd.getNano(), 9));
                long sinceLaunch = end.subtract(launchedAt).movePointRight(9).longValue() - lastUntimedNanos;
                emit("netns_add_del_" + n + "_since_launch", sinceLaunch, rep);
            }
        }
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    private static boolean churn(Path dir, List<String> names, boolean verify, int rep) {
        int n = names.size();
        ArrayDeque<String> added = new ArrayDeque<>(n); // created and not yet deleted
        NetnsManager mgr = null;
        try {
            long t0 = System.nanoTime();
            mgr = NetnsManager.rootful(dir);
            long tFirst = 0;
            for (String name : names) {
                mgr.add(name);
                added.add(name);
                if (tFirst == 0) {
                    tFirst = System.nanoTime();
                }
            }
            long t1 = System.nanoTime();
            if (verify) {
                verify(mgr, names);
            }
            long t2 = System.nanoTime();
            for (String name : names) {
                mgr.delete(name);
                added.removeFirst();
            }
            long t3 = System.nanoTime();
            lastEnd = Instant.now();
            lastUntimedNanos = t2 - t1;
            emit("netns_first_add", tFirst - t0, rep);
            emit("netns_add_" + n, t1 - t0, rep);
            emit("netns_del_" + n, t3 - t2, rep);
            emit("netns_add_del_" + n, (t1 - t0) + (t3 - t2), rep);
            return true;
        } catch (RuntimeException e) {
            System.err.println("netns-churn: failed with " + added.size() + " of ours left to delete: " + e);
            e.printStackTrace();
            return false;
        } finally {
            cleanup(mgr, added);
        }
    }

    /** Every entry must be a live namespace, and all of them different ones (outside the clock). */
    private static void verify(NetnsManager mgr, List<String> names) {
        NsIdentity self = NsIdentity.ofCurrentThread();
        Set<NsIdentity> seen = new HashSet<>();
        for (String name : names) {
            NsIdentity id = NsIdentity.of(mgr.path(name))
                    .orElseThrow(() -> new IllegalStateException("cannot stat namespace " + name));
            if (id.dev() != self.dev() || id.equals(self) || !seen.add(id)) {
                throw new IllegalStateException("namespace " + name + " is not a fresh nsfs file: " + id);
            }
        }
    }

    private static void cleanup(NetnsManager mgr, ArrayDeque<String> added) {
        if (added.isEmpty()) {
            return;
        }
        NetnsManager m = mgr != null ? mgr : NetnsManager.forCurrentUser();
        for (String name : added) {
            try {
                m.delete(name);
            } catch (RuntimeException e) {
                System.err.println("netns-churn: cleanup of " + name + " failed: " + e.getMessage());
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void emit(String metric, long nanos, int rep) {
        System.out.println(String.format(Locale.ROOT, "metric=%s driver=jnet value_ms=%.1f rep=%d",
                metric, nanos / 1e6, rep));
    }

    private static void usage(String why) {
        System.err.println("netns-churn: " + why);
        System.err.println("usage: NetnsChurn --prefix P [--n 200] [--reps 1] [--settle-ms 3000]"
                + " [--launched-at EPOCH_SECONDS] [--dir /var/run/netns] [--no-verify]");
        System.exit(2);
    }
}
