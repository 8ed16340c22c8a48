package dev.jnet.it.usernet;

import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * A running usernet topology (see {@link UsernetTopology}): the namespaces, the fake internet,
 * a server on the host namespace's 127.0.0.1, the guest, and the usernet program connecting
 * them. Everything it starts it ends in {@link #close}, whatever state a failure left.
 */
public final class UsernetSandbox implements AutoCloseable {
    /** The MTU rootlesskit and podman give slirp4netns; the default run uses it. */
    public static final int DEFAULT_MTU = 65520;
    public static final String GATEWAY = "10.0.2.2";
    public static final String DNS = "10.0.2.3";
    public static final String GUEST_ADDRESS = "10.0.2.100";
    /** Port of the server on the host namespace's loopback (reached from the guest at 10.0.2.2). */
    public static final int HOST_LOOPBACK_PORT = 8080;
    public static final String HOST_LOOPBACK_GREETING = "hello from host loopback";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    /** A JVM-based usernet starts in about a second; a loaded 2-core machine takes longer. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final String CLIENT = "guest-client.py";
    private static final String WORK_PREFIX = "itx-work-";

    private final String user = TestUser.configuredName();
    private final UsernetBinary binary = UsernetBinary.configured();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private Path workDir;
    private SandboxNetns netns;
    private FakeInternet internet;
    private FakeTcpServer hostLoopback;
    private Guest guest;
    private UsernetProcess usernet;
    private int runs;

    private UsernetSandbox() {}

    /** Builds the topology and starts usernet with the default flags. */
    static UsernetSandbox create() throws Exception {
        UsernetSandbox s = new UsernetSandbox();
        try {
            s.build();
            return s;
        } catch (Exception | Error e) {
            try {
                s.close();
            } catch (RuntimeException c) {
                e.addSuppressed(c);
            }
            throw e;
        }
    }

    private void build() throws Exception {
        removeStaleWorkDirs();
        workDir = Files.createTempDirectory(WORK_PREFIX + ProcessHandle.current().pid() + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // what the guest's mount namespace shows as /etc/resolv.conf and /etc/hosts
        writeGuestFile("resolv.conf", ("nameserver " + DNS + "\n").getBytes(StandardCharsets.US_ASCII));
        writeGuestFile("hosts", "127.0.0.1 localhost\n::1 localhost\n".getBytes(StandardCharsets.US_ASCII));
        try (InputStream in = UsernetSandbox.class.getResourceAsStream(CLIENT)) {
            if (in == null) {
                throw new IllegalStateException(CLIENT + " is not on the test class path");
            }
            writeGuestFile(CLIENT, in.readAllBytes());
        }
        netns = keep(SandboxNetns.create());
        internet = keep(FakeInternet.start(netns.internet()));
        hostLoopback = keep(FakeTcpServer.start(netns.host(), "host-loopback",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), HOST_LOOPBACK_PORT),
                TcpHandlers.greet("host-loopback", HOST_LOOPBACK_GREETING)));
        restartUsernet(DEFAULT_MTU, List.of());
    }

    /** Work directories ({@code itx-work-<pid>-*} in the temp directory) of JVMs that were killed. */
    private static void removeStaleWorkDirs() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, WORK_PREFIX + "*")) {
            for (Path p : ds) {
                String[] parts = p.getFileName().toString().substring(WORK_PREFIX.length()).split("-");
                if (parts[0].matches("\\d+") && ProcessHandle.of(Long.parseLong(parts[0])).isEmpty()) {
                    deleteTree(p);
                }
            }
        }
    }

    private <T extends AutoCloseable> T keep(T r) {
        resources.add(r);
        return r;
    }

    /** A file the guest can read, in the sandbox's work directory (removed with it). */
    public Path writeGuestFile(String name, byte[] content) {
        Path p = workDir.resolve(name);
        try {
            Files.write(p, content);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + p, e);
        }
        return p;
    }

    /**
     * A fresh guest and a fresh usernet run with these settings: a new guest, so that nothing a
     * previous run left in it (tap device, ARP and route entries, sockets) blurs the next one.
     */
    public void restartUsernet(int mtu, List<String> flags) {
        restartUsernet(mtu, flags, List.of());
    }

    /**
     * As {@link #restartUsernet(int, List)}, with extra JVM options for a jnet usernet (e.g.
     * {@code -Djnet.usernet.faults=...}); a foreign binary cannot take them: refused.
     */
    public void restartUsernet(int mtu, List<String> flags, List<String> jvmOptions) {
        restartUsernet(mtu, flags, jvmOptions, Launch.DEFAULT);
    }

    /**
     * How usernet is started, besides its flags.
     *
     * @param wrapper commands in front of it that exec it, run as root before the switch to
     *                the sandbox's user (e.g. {@code prlimit --nofile=1024:1024 --})
     * @param asRoot  stay root instead of running as the sandbox's unprivileged user
     * @param configure pass {@code --configure} (tap up with .100, default route); without it the
     *                guest configures itself (DHCP)
     */
    public record Launch(List<String> wrapper, boolean asRoot, boolean configure) {
        public static final Launch DEFAULT = new Launch(List.of(), false);
        /** No {@code -c}: the tap comes up unconfigured, as for a guest that runs a DHCP client. */
        public static final Launch UNCONFIGURED = new Launch(List.of(), false, false);

        public Launch {
            wrapper = List.copyOf(wrapper);
        }

        public Launch(List<String> wrapper, boolean asRoot) {
            this(wrapper, asRoot, true);
        }
    }

    /** As {@link #restartUsernet(int, List, List)}, started as {@code launch} says. */
    public void restartUsernet(int mtu, List<String> flags, List<String> jvmOptions, Launch launch) {
        if (!jvmOptions.isEmpty() && !binary.isJnet()) {
            throw new IllegalStateException("JVM options " + jvmOptions + " for a foreign binary: " + binary.description());
        }
        stopUsernet();
        runs++;
        guest = Guest.start(netns.host(), user, workDir.resolve("resolv.conf"), workDir.resolve("hosts"), workDir,
                workDir.resolve("guest-" + runs + ".log"));
        usernet = UsernetProcess.start(netns.host(), user, binary, guest.pid(), mtu, flags, jvmOptions, launch,
                workDir.resolve("usernet-" + runs + ".log"), READY_TIMEOUT);
    }

    /**
     * A fresh guest with no usernet program attached: for tests that attach one themselves (the
     * pasta tests run pasta's command line against the guest's pid).
     */
    public void restartGuestOnly() {
        stopUsernet();
        runs++;
        guest = Guest.start(netns.host(), user, workDir.resolve("resolv.conf"), workDir.resolve("hosts"), workDir,
                workDir.resolve("guest-" + runs + ".log"));
    }

    /** Runs {@code command} as the sandbox's unprivileged user in the host namespace (as rootlesskit runs its helpers). */
    public Proc.Result hostAsUser(Duration timeout, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns.host()));
        cmd.addAll(Launcher.asUser(user));
        cmd.addAll(command);
        return Proc.start(cmd, workDir).await(timeout);
    }

    /**
     * Another guest in this sandbox's host namespace, served by {@code binary} with {@code flags}
     * (MTU {@link #DEFAULT_MTU}): several namespaces side by side, e.g. on one jnet usernetd.
     * Stopped and removed with the sandbox.
     */
    public Neighbour startNeighbour(UsernetBinary binary, List<String> flags) {
        runs++;
        Guest g = keep(Guest.start(netns.host(), user, workDir.resolve("resolv.conf"), workDir.resolve("hosts"), workDir,
                workDir.resolve("guest-" + runs + ".log")));
        UsernetProcess u = keep(UsernetProcess.start(netns.host(), user, binary, g.pid(), DEFAULT_MTU, flags, List.of(),
                Launch.DEFAULT, workDir.resolve("usernet-" + runs + ".log"), READY_TIMEOUT));
        return new Neighbour(g, u);
    }

    /** A guest and the process serving it, from {@link #startNeighbour}. */
    public static final class Neighbour {
        private final Guest guest;
        private final UsernetProcess usernet;

        Neighbour(Guest guest, UsernetProcess usernet) {
            this.guest = guest;
            this.usernet = usernet;
        }

        public Proc.Result guestShell(Duration timeout, String script) {
            return guest.run(timeout, List.of("bash", "-c", "set -o pipefail; " + script));
        }

        /** The process the consumer started (for the daemon path: the C front end). */
        public long usernetPid() {
            return usernet.pid();
        }

        public boolean usernetAlive() {
            return usernet.isAlive();
        }

        public String usernetLog() {
            return usernet.log();
        }

        /** SIGTERM; the exit status (-1: it had to be killed). */
        public int stopUsernet() {
            return usernet.stop();
        }
    }

    public void restartUsernet(List<String> flags) {
        restartUsernet(DEFAULT_MTU, flags);
    }

    /** The default run (MTU {@link #DEFAULT_MTU}, no flags), restarted only if it is not what runs. */
    public void ensureDefaultUsernet() {
        if (usernet == null || !usernet.isAlive() || !guest.isAlive() || usernet.mtu() != DEFAULT_MTU
                || !usernet.flags().isEmpty() || !usernet.jvmOptions().isEmpty()
                || !usernet.launch().equals(Launch.DEFAULT)) {
            restartUsernet(DEFAULT_MTU, List.of());
        }
    }

    /** Stops usernet (SIGTERM) and the guest; returns usernet's exit status (-1: killed, or none ran). */
    public int stopUsernet() {
        int status = -1;
        if (usernet != null) {
            status = usernet.stop();
            usernet.close();
            usernet = null;
        }
        if (guest != null) {
            guest.close();
            guest = null;
        }
        return status;
    }

    /** Runs {@code command} inside the guest as its root (the unprivileged user), from the work directory. */
    public Proc.Result guest(Duration timeout, List<String> command) {
        if (guest == null) {
            throw new IllegalStateException("no guest: usernet is stopped");
        }
        return guest.run(timeout, command);
    }

    public Proc.Result guest(String... command) {
        return guest(DEFAULT_TIMEOUT, List.of(command));
    }

    /** Runs a bash script inside the guest with pipefail, so a pipeline fails when any part does. */
    public Proc.Result guestShell(Duration timeout, String script) {
        return guest(timeout, List.of("bash", "-c", "set -o pipefail; " + script));
    }

    /** Runs a subcommand of the guest-side Python client (see guest-client.py). */
    public Proc.Result guestClient(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", workDir.resolve(CLIENT).toString()));
        cmd.addAll(List.of(args));
        return guest(timeout, cmd);
    }

    /** Runs {@code command} as root inside the host namespace ({@code ip netns exec}). */
    public Proc.Result host(Duration timeout, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns.host()));
        cmd.addAll(command);
        return Proc.start(cmd, workDir).await(timeout);
    }

    public Proc.Result host(String... command) {
        return host(DEFAULT_TIMEOUT, List.of(command));
    }

    public FakeInternet internet() {
        return internet;
    }

    /** The server on 127.0.0.1:{@link #HOST_LOOPBACK_PORT} of the host namespace. */
    public FakeTcpServer hostLoopback() {
        return hostLoopback;
    }

    /** The unprivileged user the guest and usernet run as. */
    public String userName() {
        return user;
    }

    public String hostNetns() {
        return netns.host();
    }

    public String internetNetns() {
        return netns.internet();
    }

    /** The guest's pid (the one usernet was given). */
    public long guestPid() {
        if (guest == null) {
            throw new IllegalStateException("no guest: usernet is stopped");
        }
        return guest.pid();
    }

    private void running() {
        if (usernet == null || guest == null) {
            throw new IllegalStateException("usernet is stopped");
        }
    }

    /** The usernet process (to signal it or look at /proc/PID). */
    public long usernetPid() {
        running();
        return usernet.pid();
    }

    public boolean usernetAlive() {
        return usernet != null && usernet.isAlive();
    }

    /**
     * Open fds of the process that runs the stack now: the usernet process, or through the front
     * end ({@code -DJNET_USERNET_BIN=usernetd}) the daemon serving it (the front end's own fds
     * never change while it serves).
     */
    public long usernetFdCount() {
        running();
        if (!binary.isDaemon()) {
            return usernet.fdCount();
        }
        long pid = stackPid();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("listing the fds of jnet usernetd pid " + pid, e);
        }
    }

    /** The process that runs the stack: the usernet process, or through the front end its one daemon. */
    public long stackPid() {
        if (!binary.isDaemon()) {
            return usernetPid();
        }
        List<Long> daemons = usernetdPids();
        if (daemons.size() != 1) {
            throw new IllegalStateException("not one jnet usernetd serving front end " + usernetPid() + ": " + daemons);
        }
        return daemons.get(0);
    }

    /** What usernet has printed in this run (its command line first). */
    public String usernetLog() {
        return usernet == null ? "(stopped)" : usernet.log();
    }

    public UsernetBinary binary() {
        return binary;
    }

    /**
     * Through the front end ({@code -DJNET_USERNET_BIN=usernetd}): the pids of the jnet usernetd
     * processes serving it, i.e. running as its user in its network namespace (one, normally).
     */
    public List<Long> usernetdPids() {
        Path front = Path.of("/proc", Long.toString(usernetPid()));
        List<Long> pids = new ArrayList<>();
        try {
            String netns = Files.readSymbolicLink(front.resolve("ns/net")).toString();
            Object uid = Files.getAttribute(front, "unix:uid");
            String runtimeDir = runtimeDirOf(front);
            ProcessHandle.allProcesses().forEach(p -> {
                Path proc = Path.of("/proc", Long.toString(p.pid()));
                try {
                    String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
                    if (cmdline.contains(" usernetd ") && uid.equals(Files.getAttribute(proc, "unix:uid"))
                            && netns.equals(Files.readSymbolicLink(proc.resolve("ns/net")).toString())
                            && runtimeDir.equals(runtimeDirOf(proc))) {
                        pids.add(p.pid());
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited, or not ours to read
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + front, e);
        }
        return pids;
    }

    /** The XDG_RUNTIME_DIR entry of a process's environment ("" without one): where its daemon lives. */
    private static String runtimeDirOf(Path proc) throws IOException {
        for (String e : Files.readString(proc.resolve("environ")).split("\0")) {
            if (e.startsWith("XDG_RUNTIME_DIR=")) {
                return e;
            }
        }
        return "";
    }

    /** Whether the program under test is jnet's usernet (else a foreign one such as slirp4netns). */
    public boolean runsJnet() {
        return binary.isJnet();
    }

    /**
     * The stack's counters and tables (SIGUSR1, see {@link UsernetStats}), or empty for a
     * foreign binary (real slirp4netns has no such query): callers skip only that check.
     */
    public Optional<Map<String, Long>> usernetStats() {
        running();
        return binary.isJnet() ? Optional.of(usernet.stats()) : Optional.empty();
    }

    /** TCP connections plus UDP/DNS/ICMP flows usernet holds, where it can be asked ({@link #usernetStats}). */
    public OptionalLong openConnections() {
        return usernetStats().map(s -> OptionalLong.of(UsernetStats.hostFlows(s))).orElse(OptionalLong.empty());
    }

    /** Resident set size of the process that runs the stack ({@link #stackPid}) in KiB (VmRSS of /proc/PID/status). */
    public long usernetRssKib() {
        return ProcStatus.of(stackPid()).kib("VmRSS");
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    public void close() {
        List<Throwable> failures = new ArrayList<>();
        try {
            stopUsernet();
        } catch (RuntimeException e) {
            failures.add(e);
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        resources.clear();
        if (workDir != null) {
            try {
                deleteTree(workDir);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            IllegalStateException e = new IllegalStateException("usernet sandbox clean-up failed", failures.get(0));
            failures.subList(1, failures.size()).forEach(e::addSuppressed);
            throw e;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + root, e);
        }
    }
}
