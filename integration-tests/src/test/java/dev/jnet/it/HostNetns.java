package dev.jnet.it;

import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Root's iproute2 namespace directory as one test sees it. Every name a test makes comes from
 * {@link #name} and starts with {@link #PREFIX} ({@code jit-<pid>-}), so {@link #close()} can remove all of them
 * (mounts, files, /etc/netns directories) whatever the test did, and leave other people's alone.
 */
public final class HostNetns implements AutoCloseable {
    /** Where iproute2 (and rootful jnet) keep namespaces; /var/run/netns resolves here. */
    public static final Path DIR = resolveDir();
    public static final Path ETC_NETNS = Path.of("/etc/netns");
    /** {@code jit-<pid>-}; {@code -Djnet.it.prefix=P} replaces "jit-" (several test runs sharing a machine). */
    public static final String PREFIX = System.getProperty("jnet.it.prefix", "jit-") + ProcessHandle.current().pid() + "-";

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static Path resolveDir() {
        try {
            return Path.of("/var/run").toRealPath().resolve("netns");
        } catch (IOException e) {
            return Path.of("/var/run/netns");
        }
    }

    /** A fresh name, unique in this run: {@code jit-<pid>-<n>-<tag>}. */
    public String name(String tag) {
        return PREFIX + COUNTER.incrementAndGet() + "-" + tag;
    }

    /** Device and inode of an nsfs file: equal exactly when two paths are one namespace. */
    public record NsId(long dev, long ino) {
        public static NsId of(Path p) {
            try {
                return new NsId(((Number) Files.getAttribute(p, "unix:dev")).longValue(),
                        ((Number) Files.getAttribute(p, "unix:ino")).longValue());
            } catch (IOException e) {
                throw new UncheckedIOException("stat " + p, e);
            }
        }
    }

    /** The test JVM's own (the host's) network namespace. */
    public static NsId hostNetns() {
        return NsId.of(Path.of("/proc/self/ns/net"));
    }

    public static Path path(String name) {
        return DIR.resolve(name);
    }

    /** Names in {@link #DIR}. */
    public static Set<String> entries() {
        Set<String> names = new TreeSet<>();
        if (!Files.isDirectory(DIR)) {
            return names;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(DIR)) {
            ds.forEach(p -> names.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + DIR, e);
        }
        return names;
    }

    /** Lines of /proc/self/mountinfo whose mount point is {@link #DIR} or below it. */
    public static List<String> mountsUnderDir() {
        List<String> out = new ArrayList<>();
        for (String line : mountinfo()) {
            String mp = mountPoint(line);
            if (mp.equals(DIR.toString()) || mp.startsWith(DIR + "/")) {
                out.add(line);
            }
        }
        return out;
    }

    /** How many mounts sit on {@code DIR/name} (1 for a namespace, 0 for a plain file). */
    public static long mountCount(String name) {
        String target = path(name).toString();
        return mountinfo().stream().filter(l -> mountPoint(l).equals(target)).count();
    }

    public static List<String> mountinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Field 5 of a mountinfo line, with its octal escapes undone. */
    public static String mountPoint(String mountinfoLine) {
        String s = mountinfoLine.split(" ")[4];
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The state of {@link #DIR}: its entries and the mounts on and under it. */
    public record Snapshot(Set<String> entries, List<String> mounts) {
        public static Snapshot take() {
            return new Snapshot(HostNetns.entries(), HostNetns.mountsUnderDir());
        }

        /**
         * What changed between this and {@code later}, restricted to entries {@code relevant}
         * accepts and mounts on DIR itself or on such an entry: other people may be using
         * /run/netns at the same time, and their namespaces are not our business.
         */
        public List<String> changesFor(Snapshot later, Predicate<String> relevant) {
            List<String> changes = new ArrayList<>();
            diff(entries, later.entries, "entry", relevant, changes);
            Predicate<String> relevantMount = line -> {
                String mp = mountPoint(line);
                return mp.equals(DIR.toString()) || (mp.startsWith(DIR + "/")
                        && relevant.test(mp.substring(DIR.toString().length() + 1)));
            };
            for (String m : mounts) {
                if (relevantMount.test(m) && !later.mounts.contains(m)) {
                    changes.add("mount gone: " + m);
                }
            }
            for (String m : later.mounts) {
                if (relevantMount.test(m) && !mounts.contains(m)) {
                    changes.add("mount added: " + m);
                }
            }
            return changes;
        }

        private static void diff(Set<String> before, Set<String> after, String what, Predicate<String> relevant,
                List<String> changes) {
            for (String e : before) {
                if (relevant.test(e) && !after.contains(e)) {
                    changes.add(what + " gone: " + e);
                }
            }
            for (String e : after) {
                if (relevant.test(e) && !before.contains(e)) {
                    changes.add(what + " added: " + e);
                }
            }
        }
    }

    /** Whether {@code entry} is one of this run's names. */
    public static boolean ours(String entry) {
        return entry.startsWith(PREFIX);
    }

    /** Removes every namespace and /etc/netns directory of this run (any test's), however half-made. */
    @Override
    public void close() {
        for (String e : entries()) {
            if (ours(e)) {
                remove(path(e));
            }
        }
        if (Files.isDirectory(ETC_NETNS)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(ETC_NETNS)) {
                for (Path p : ds) {
                    if (ours(p.getFileName().toString())) {
                        Dist.deleteTree(p);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cleaning " + ETC_NETNS, e);
            }
        }
    }

    /** As {@code ip netns del}: lazily unmount (every stacked mount), then unlink. */
    static void remove(Path p) {
        for (int i = 0; i < 10; i++) {
            try {
                Syscalls.umount2(p.toString(), Syscalls.MNT_DETACH);
            } catch (SyscallException notMounted) {
                break;
            }
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + p, e);
        }
    }
}
