package dev.jnet.userns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The id maps of a new user namespace, as rootlesskit and podman write them: the caller becomes
 * 0 inside, and its subordinate ranges from /etc/subuid and /etc/subgid follow from 1 (written
 * by the setuid helpers newuidmap/newgidmap, the only way an unprivileged user may map more than
 * itself). Without a range, or without those helpers, only the caller is mapped.
 *
 * @param uids uid_map lines, caller first
 * @param gids gid_map lines, caller first
 */
public record IdMapping(List<Extent> uids, List<Extent> gids) {
    /** Kernel limit on the lines of one map (user_namespaces(7)). */
    static final int MAX_EXTENTS = 340;
    private static final Path SUBUID = Path.of("/etc/subuid");
    private static final Path SUBGID = Path.of("/etc/subgid");
    private static final List<Path> HELPER_DIRS = List.of(Path.of("/usr/bin"), Path.of("/bin"), Path.of("/usr/sbin"),
            Path.of("/usr/local/bin"));

    /** One map line: {@code count} ids from {@code inside} in the namespace are {@code outside} and on outside it. */
    public record Extent(long inside, long outside, long count) {
        @Override
        public String toString() {
            return inside + " " + outside + " " + count;
        }
    }

    public IdMapping {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
        if (uids.isEmpty() || gids.isEmpty()) {
            throw new IllegalArgumentException("an id map needs at least the caller's line");
        }
    }

    /** The caller alone: {@code 0 uid 1}, {@code 0 gid 1}. */
    public static IdMapping single(int uid, int gid) {
        return new IdMapping(List.of(new Extent(0, uid, 1)), List.of(new Extent(0, gid, 1)));
    }

    /**
     * The caller ({@code uid}, {@code gid}, user {@code name}) at 0, then the ranges that the
     * subuid and subgid lines give the user (by name or by uid, as shadow's tools read them).
     * Both ranges are needed: with only one, the caller alone is mapped.
     */
    public static IdMapping of(int uid, int gid, String name, List<String> subuidLines, List<String> subgidLines) {
        List<Extent> subUids = ranges(subuidLines, name, uid);
        List<Extent> subGids = ranges(subgidLines, name, uid);
        if (subUids.isEmpty() || subGids.isEmpty()) {
            return single(uid, gid);
        }
        List<Extent> uids = new ArrayList<>(List.of(new Extent(0, uid, 1)));
        uids.addAll(subUids);
        List<Extent> gids = new ArrayList<>(List.of(new Extent(0, gid, 1)));
        gids.addAll(subGids);
        return new IdMapping(uids, gids);
    }

    /** For this process's user, from /etc/subuid and /etc/subgid, if newuidmap and newgidmap are installed. */
    public static IdMapping forCurrentUser(int uid, int gid, String name) {
        if (helper("newuidmap") == null || helper("newgidmap") == null) {
            return single(uid, gid);
        }
        return of(uid, gid, name, lines(SUBUID), lines(SUBGID));
    }

    /** Whether writing this mapping needs newuidmap/newgidmap (anything beyond the caller itself). */
    public boolean subordinate() {
        return uids.size() > 1 || gids.size() > 1;
    }

    /**
     * Writes the maps of process {@code pid}, which must be in a new user namespace with none
     * written yet, owned by us: through newgidmap and newuidmap, or for the caller alone directly
     * into /proc/PID (allowed to the namespace's owner; unprivileged, gid_map needs setgroups denied).
     *
     * @throws IdMappingException with the tool's or the kernel's reason
     */
    public void apply(long pid, boolean privileged) {
        if (subordinate()) {
            run("newgidmap", pid, gids);
            run("newuidmap", pid, uids);
            return;
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!privileged) {
            write(proc.resolve("setgroups"), "deny");
        }
        write(proc.resolve("gid_map"), gids.get(0) + "\n");
        write(proc.resolve("uid_map"), uids.get(0) + "\n");
    }

    private static List<Extent> ranges(List<String> lines, String name, int uid) {
        List<Extent> out = new ArrayList<>();
        long next = 1;
        for (String line : lines) {
            String[] f = line.strip().split(":");
            if (f.length != 3 || !(f[0].equals(name) || f[0].equals(Integer.toString(uid)))) {
                continue;
            }
            long start;
            long count;
            try {
                start = Long.parseLong(f[1]);
                count = Long.parseLong(f[2]);
            } catch (NumberFormatException e) {
                continue; // as newuidmap: a malformed line grants nothing
            }
            if (start < 0 || count <= 0 || start + count > 0xFFFF_FFFFL || next + count > 0xFFFF_FFFFL
                    || out.size() == MAX_EXTENTS - 1) {
                continue;
            }
            out.add(new Extent(next, start, count));
            next += count;
        }
        return out;
    }

    private static void run(String tool, long pid, List<Extent> map) {
        List<String> cmd = new ArrayList<>(List.of(helper(tool).toString(), Long.toString(pid)));
        for (Extent e : map) {
            cmd.addAll(List.of(Long.toString(e.inside()), Long.toString(e.outside()), Long.toString(e.count())));
        }
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IdMappingException(tool + " did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                throw new IdMappingException(out.isEmpty() ? tool + " exited with status " + p.exitValue()
                        : out.lines().reduce((a, b) -> b).orElse(out));
            }
        } catch (IOException e) {
            throw new IdMappingException("running " + tool + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IdMappingException("interrupted running " + tool);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IdMappingException("writing " + file + ": " + (e.getMessage() == null ? e : e.getMessage()));
        }
    }

    private static Path helper(String name) {
        for (Path d : HELPER_DIRS) {
            Path p = d.resolve(name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    /** Writing the maps failed; the message is the reason (newuidmap's last line, or the kernel's). */
    public static final class IdMappingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        IdMappingException(String message) {
            super(message);
        }
    }
}
