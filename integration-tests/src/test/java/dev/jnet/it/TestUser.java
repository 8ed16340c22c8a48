package dev.jnet.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The unprivileged user rootless tests run as ({@code $JNET_TEST_USER}, default {@code tester}),
 * with a fresh private {@code XDG_RUNTIME_DIR} per test. {@link #close()} ends every process of
 * this user that runs our staged helper, and removes the runtime directory.
 */
public final class TestUser implements AutoCloseable {
    public static final String DEFAULT_NAME = "tester";
    public static final String HOLDER_NAME = "jnet-holder";

    private final String name;
    private final int uid;
    private final int gid;
    private final Path runtimeDir;
    private final Dist dist;

    private TestUser(String name, int uid, int gid, Path runtimeDir, Dist dist) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
        this.runtimeDir = runtimeDir;
        this.dist = dist;
    }

    /** The configured user's name. */
    public static String configuredName() {
        String n = System.getenv("JNET_TEST_USER");
        return n == null || n.isBlank() ? DEFAULT_NAME : n;
    }

    /** The configured user's uid, if the account exists and is not root. */
    public static Optional<Integer> lookupUid() {
        Proc.Result r = Proc.run("id", "-u", configuredName());
        if (r.exit() != 0) {
            return Optional.empty();
        }
        int uid = Integer.parseInt(r.stdout().strip());
        return uid == 0 ? Optional.empty() : Optional.of(uid);
    }

    /** Sets up the user for one test: a new 0700 runtime directory it owns. */
    public static TestUser create(Dist dist) {
        String name = configuredName();
        int uid = lookupUid().orElseThrow(() -> new IllegalStateException("no unprivileged user " + name));
        int gid = Integer.parseInt(Proc.run("id", "-g", name).stdout().strip());
        try {
            Path dir = Files.createTempDirectory("jit-xdg-");
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            Files.setOwner(dir, users.lookupPrincipalByName(name));
            Files.getFileAttributeView(dir, PosixFileAttributeView.class)
                    .setGroup(users.lookupPrincipalByGroupName(Proc.run("id", "-gn", name).stdout().strip()));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            return new TestUser(name, uid, gid, dir, dist);
        } catch (IOException e) {
            throw new UncheckedIOException("creating the runtime directory of " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** This test's {@code XDG_RUNTIME_DIR}. */
    public Path runtimeDir() {
        return runtimeDir;
    }

    /** Where rootless jnet records namespaces: {@code $XDG_RUNTIME_DIR/netns}. */
    public Path netnsDir() {
        return runtimeDir.resolve("netns");
    }

    /** {@code command} run as this user with a minimal, fixed environment. */
    public List<String> wrap(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of(
                "setpriv", "--reuid=" + name, "--regid=" + name, "--init-groups",
                "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp",
                "XDG_RUNTIME_DIR=" + runtimeDir));
        cmd.addAll(command);
        return cmd;
    }

    /** Pids of this user's processes named jnet-holder, zombies included, as {@code pgrep -u USER -x jnet-holder}. */
    public Set<Long> holderPids() {
        Proc.Result r = Proc.run("pgrep", "-u", name, "-x", HOLDER_NAME);
        if (r.exit() != 0 && r.exit() != 1) {
            throw new IllegalStateException(r.describe());
        }
        Set<Long> pids = new TreeSet<>();
        r.stdoutLines().forEach(l -> pids.add(Long.parseLong(l.strip())));
        return pids;
    }

    /**
     * Waits (bounded) until none of this user's jnet-holder processes is outside {@code allowed},
     * and returns the ones that are. A killed holder is a zombie until init reaps it.
     */
    public Set<Long> awaitHoldersExactly(Set<Long> allowed, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Set<Long> extra = new TreeSet<>(holderPids());
            extra.removeAll(allowed);
            if (extra.isEmpty() || System.nanoTime() > deadline) {
                return extra;
            }
            Thread.sleep(50);
        }
    }

    /** Live processes of this user started from our staged helper (holders and helpers in flight). */
    public List<ProcessHandle> ourProcesses() {
        String helper = dist.helper().toString();
        List<ProcessHandle> ours = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (uidOf(p.pid()) == uid && cmdline(p.pid()).startsWith(helper)) {
                ours.add(p);
            }
        });
        return ours;
    }

    /** The holder pid a record file names, read as root (the record is 0600, the user's). */
    public long holderPidOf(String netns) throws IOException {
        for (String line : Files.readAllLines(netnsDir().resolve(netns))) {
            if (line.startsWith("pid=")) {
                return Long.parseLong(line.substring(4).strip());
            }
        }
        throw new IOException("no pid= in record " + netnsDir().resolve(netns));
    }

    static int uidOf(long pid) {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc", Long.toString(pid)), "unix:uid")).intValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    /** Kills what this test started as the user and removes its runtime directory. */
    @Override
    public void close() {
        for (int round = 0; round < 3; round++) {
            List<ProcessHandle> ours = ourProcesses();
            if (ours.isEmpty()) {
                break;
            }
            for (ProcessHandle p : ours) {
                p.destroyForcibly();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        killRecordedHolders();
        Dist.deleteTree(runtimeDir);
    }

    /** Holders named by records (started by a staged helper too, but checked on their own in case). */
    private void killRecordedHolders() {
        if (!Files.isDirectory(netnsDir())) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(netnsDir())) {
            for (Path rec : ds) {
                if (rec.getFileName().toString().startsWith(".")) {
                    continue;
                }
                try {
                    long pid = holderPidOf(rec.getFileName().toString());
                    if (uidOf(pid) == uid && cmdline(pid).startsWith(dist.helper().toString())) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // unreadable record: nothing to kill
                }
            }
        } catch (IOException ignored) {
            // the directory went away
        }
    }
}
