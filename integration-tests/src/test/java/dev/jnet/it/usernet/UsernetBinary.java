package dev.jnet.it.usernet;

import dev.jnet.it.Dist;
import java.util.Arrays;
import java.util.List;

/**
 * Which slirp4netns-compatible program the sandbox runs, as a command prefix to which
 * {@code --configure --mtu N --ready-fd FD [flags] PID tap0} is appended:
 * <ol>
 * <li>{@code JNET_USERNET_BIN} (system property, else environment variable), split at blanks,
 * so {@code /usr/bin/slirp4netns} and {@code "/path/jnet usernet"} both work;</li>
 * <li>else {@code jnet usernet} of the CLI this build made, behind the stage that opens the tap
 * before the JVM (as ./jnet runs it): the staged copy the other
 * integration tests run, because the unprivileged user can read it, unlike a build tree
 * under /root (the repository's {@code bin/slirp4netns} runs {@code ./jnet} there).</li>
 * </ol>
 * The program must exec, not fork, the process that does the work: its pid is what the tests
 * watch (fd counts) and signal.
 */
public record UsernetBinary(List<String> command, String description, boolean isJnet) {
    public static final String PROPERTY = "JNET_USERNET_BIN";

    /** {@code JNET_USERNET_BIN=usernetd}: the C front end (as bin/slirp4netns runs it) in front of {@code jnet usernetd}. */
    public static final String DAEMON = "usernetd";

    /**
     * The front end of this build, starting its daemon from the staged jars with a short idle
     * exit (so that no daemon outlives the test by much): {@code env} execs, the pid stays the
     * front end's.
     */
    public static UsernetBinary daemon() {
        return daemon(null, List.of(), "");
    }

    /**
     * As {@link #daemon()}, with the daemon in {@code runtimeDir} (its {@code XDG_RUNTIME_DIR}:
     * a daemon of its own; null for the default) and these JVM options and class path entries
     * appended (a test's stack factory, say).
     */
    public static UsernetBinary daemon(java.nio.file.Path runtimeDir, List<String> jvmOptions, String extraClassPath) {
        return daemon(runtimeDir, jvmOptions, extraClassPath, List.of());
    }

    /**
     * As {@link #daemon(java.nio.file.Path, List, String)}, with {@code jnetJavaOpts} in the front
     * end's {@code JNET_JAVA_OPTS}: the front end adds them to the daemon it starts.
     */
    public static UsernetBinary daemon(java.nio.file.Path runtimeDir, List<String> jvmOptions, String extraClassPath,
            List<String> jnetJavaOpts) {
        Dist dist = Dist.get();
        List<String> d = new java.util.ArrayList<>(List.of(dist.java().toString(), "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-Djnet.helper=" + dist.helper()));
        d.addAll(jvmOptions);
        d.addAll(List.of("-cp", dist.dir() + "/*" + (extraClassPath.isEmpty() ? "" : ":" + extraClassPath),
                "dev.jnet.cli.Main", "usernetd", "--idle-exit", "2"));
        List<String> cmd = new java.util.ArrayList<>(List.of("env"));
        if (runtimeDir != null) {
            cmd.add("XDG_RUNTIME_DIR=" + runtimeDir);
        }
        if (!jnetJavaOpts.isEmpty()) {
            cmd.add("JNET_JAVA_OPTS=" + String.join(" ", jnetJavaOpts));
        }
        cmd.add("JNET_USERNETD=" + String.join(" ", d));
        cmd.add(dist.frontEnd().toString());
        return new UsernetBinary(cmd, PROPERTY + "=" + DAEMON + " (front end + jnet usernetd)", true);
    }

    /** Whether {@code JNET_USERNET_BIN=usernetd} selects the daemon path. */
    public static boolean daemonSelected() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(PROPERTY);
        }
        return v != null && v.strip().equals(DAEMON);
    }

    /** Whether this is the front end + daemon path ({@link #daemon}). */
    public boolean isDaemon() {
        return command.stream().anyMatch(a -> a.startsWith("JNET_USERNETD="));
    }

    static UsernetBinary configured() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(PROPERTY);
        }
        if (v != null && v.strip().equals(DAEMON)) {
            return daemon();
        }
        if (v != null && !v.isBlank()) {
            List<String> cmd = Arrays.asList(v.strip().split("\\s+"));
            // "/path/jnet usernet" or a staged "java ... dev.jnet.cli.Main usernet" is jnet; anything else (slirp4netns) is not
            boolean jnet = cmd.get(cmd.size() - 1).equals("usernet") || cmd.contains("dev.jnet.cli.Main");
            return new UsernetBinary(cmd, PROPERTY + "=" + v.strip(), jnet);
        }
        // as ./jnet starts usernet: the stage that opens the tap before the JVM, the full JIT (no
        // C1-only start-up tuning): it runs long and moves data
        Dist dist = Dist.get();
        List<String> cmd = new java.util.ArrayList<>(dist.usernetStage());
        cmd.addAll(List.of(dist.java().toString(), "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-Djnet.helper=" + dist.helper(), "-cp", dist.dir() + "/*", "dev.jnet.cli.Main", "usernet"));
        return new UsernetBinary(cmd, "jnet usernet (staged build)", true);
    }
}
