package dev.jnet.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the minimal root of a sandboxed process holds (see jnet-sandbox.c), as steps for the
 * stage: binds at the paths they have on the host, fresh tmpfs directories, and the symlinks a
 * path goes through ({@code /lib64 -> usr/lib64} for the ELF interpreter, {@code /etc/resolv.conf
 * -> ../run/...}), so that every path the process was given still resolves. A pure plan: the
 * file system is asked through {@link Lookup}, so tests give a fake one.
 */
public final class SandboxRoot {
    /** How a path appears in the new root. */
    public enum Kind {
        READ_ONLY("--ro"), READ_WRITE("--rw"), DEVICE("--dev"), PROC("--proc"), TMPFS("--tmpfs"), SYMLINK("--symlink");

        final String option;

        Kind(String option) {
            this.option = option;
        }
    }

    /** One step: {@code target} is the link's content for {@link Kind#SYMLINK}, else null. */
    public record Entry(Kind kind, String path, String target) {}

    /** The file system as the plan needs to see it. */
    public interface Lookup {
        /** Whether {@code path} exists (without following a final symlink). */
        boolean exists(String path);

        /** The content of the symlink {@code path}, or null when it is not a symlink. */
        String readLink(String path);

        /** The real file system. */
        static Lookup real() {
            return new Lookup() {
                @Override
                public boolean exists(String path) {
                    return Files.exists(Path.of(path), LinkOption.NOFOLLOW_LINKS);
                }

                @Override
                public String readLink(String path) {
                    Path p = Path.of(path);
                    if (!Files.isSymbolicLink(p)) {
                        return null;
                    }
                    try {
                        return Files.readSymbolicLink(p).toString();
                    } catch (IOException e) {
                        return null;
                    }
                }
            };
        }
    }

    /** Linux's limit on symlinks followed in one lookup (ELOOP after 40). */
    private static final int MAX_LINKS = 40;

    private final Lookup fs;
    private final Map<String, Entry> mounts = new LinkedHashMap<>();
    private final Map<String, Entry> links = new LinkedHashMap<>();

    public SandboxRoot(Lookup fs) {
        this.fs = fs;
    }

    /** {@code path} (resolved: the symlinks on the way are kept) bound read-only; missing paths are left out. */
    public SandboxRoot readOnly(String path) {
        return mount(Kind.READ_ONLY, path);
    }

    /** The directory holding {@code file} (resolved first), read-only: it sees a file replaced by rename. */
    public SandboxRoot readOnlyDirOf(String file) {
        String real = resolve(file);
        return real == null ? this : mount(Kind.READ_ONLY, parent(real));
    }

    /** The directory {@code file} is to be made in (resolved), read-write: a socket, a capture file. */
    public SandboxRoot readWriteDirOf(String file) {
        String dir = resolve(parent(normalize(file)));
        return dir == null ? this : mount(Kind.READ_WRITE, dir);
    }

    public SandboxRoot device(String path) {
        return mount(Kind.DEVICE, path);
    }

    public SandboxRoot proc(String path) {
        return mount(Kind.PROC, path);
    }

    public SandboxRoot tmpfs(String path) {
        mounts.put(normalize(path), new Entry(Kind.TMPFS, normalize(path), null));
        return this;
    }

    /** Only the symlinks on the way to {@code path} (the ELF interpreter's path, found through them by the kernel). */
    public SandboxRoot linksTo(String path) {
        resolve(path);
        return this;
    }

    private SandboxRoot mount(Kind kind, String path) {
        String real = resolve(path);
        if (real != null) {
            Entry old = mounts.get(real);
            // read-write wins over read-only for the same directory
            if (old == null || old.kind() == Kind.READ_ONLY && kind == Kind.READ_WRITE) {
                mounts.put(real, new Entry(kind, real, null));
            }
        }
        return this;
    }

    /**
     * The real path of {@code path} (no symlink in it), recording every symlink met on the way;
     * null when it does not exist or loops.
     */
    String resolve(String path) {
        Deque<String> todo = new ArrayDeque<>(components(normalize(path)));
        List<String> done = new ArrayList<>();
        int followed = 0;
        while (!todo.isEmpty()) {
            String c = todo.removeFirst();
            if (c.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            done.add(c);
            String here = join(done);
            if (!fs.exists(here)) {
                return null;
            }
            String link = fs.readLink(here);
            if (link != null) {
                if (++followed > MAX_LINKS) {
                    return null;
                }
                links.putIfAbsent(here, new Entry(Kind.SYMLINK, here, link));
                done.remove(done.size() - 1);
                if (link.startsWith("/")) {
                    done.clear();
                }
                List<String> target = components(link);
                for (int i = target.size() - 1; i >= 0; i--) {
                    todo.addFirst(target.get(i));
                }
            }
        }
        return join(done);
    }

    /**
     * The steps in the order the stage performs them: mounts parents first (a tmpfs /tmp before
     * what is bound below it), then the symlinks that do not lie inside a bound directory (those
     * are there already); a mount inside another of the same kind is left out.
     */
    public List<Entry> entries() {
        List<Entry> sorted = new ArrayList<>(mounts.values());
        sorted.sort(Comparator.comparing(Entry::path, SandboxRoot::compareByComponents));
        List<Entry> out = new ArrayList<>();
        for (Entry e : sorted) {
            Entry covering = covering(out, e.path());
            if (covering != null && covering.kind() == e.kind()) {
                continue;
            }
            out.add(e);
        }
        List<Entry> symlinks = new ArrayList<>();
        for (Entry l : links.values()) {
            Entry covering = covering(out, l.path());
            if (covering == null || covering.kind() == Kind.TMPFS) {
                symlinks.add(l);
            }
        }
        symlinks.sort(Comparator.comparing(Entry::path, SandboxRoot::compareByComponents));
        out.addAll(symlinks);
        return out;
    }

    /** The stage's arguments for these steps (before its {@code --}). */
    public List<String> stageArguments() {
        List<String> args = new ArrayList<>();
        for (Entry e : entries()) {
            args.add(e.kind().option);
            if (e.kind() == Kind.SYMLINK) {
                args.add(e.target());
            }
            args.add(e.path());
        }
        return args;
    }

    /** The innermost mount in {@code mounts} that contains {@code path} (equal or an ancestor), or null. */
    private static Entry covering(List<Entry> mounts, String path) {
        Entry best = null;
        for (Entry m : mounts) {
            if (isWithin(path, m.path()) && (best == null || m.path().length() > best.path().length())) {
                best = m;
            }
        }
        return best;
    }

    static boolean isWithin(String path, String dir) {
        return path.equals(dir) || dir.equals("/") || path.startsWith(dir + "/");
    }

    /** "/a/b" before "/a/b/c" before "/a/bc": parents first, then siblings by name. */
    private static int compareByComponents(String a, String b) {
        List<String> x = components(a);
        List<String> y = components(b);
        for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
            int c = x.get(i).compareTo(y.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.size(), y.size());
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String c : path.split("/")) {
            if (!c.isEmpty() && !c.equals(".")) {
                out.add(c);
            }
        }
        return out;
    }

    private static String join(List<String> components) {
        return components.isEmpty() ? "/" : "/" + String.join("/", components);
    }

    /** {@code path} made absolute (against the working directory) with "." and "//" removed. */
    static String normalize(String path) {
        String abs = path.startsWith("/") ? path : System.getProperty("user.dir") + "/" + path;
        return join(components(abs));
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? "/" : path.substring(0, slash);
    }
}
