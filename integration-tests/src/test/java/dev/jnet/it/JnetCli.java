package dev.jnet.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code jnet} command, run as a separate process from the staged distribution:
 * as root, or ({@link #as}) as the unprivileged test user.
 */
public final class JnetCli {
    private final Dist dist;
    private final TestUser user;

    JnetCli(Dist dist, TestUser user) {
        this.dist = dist;
        this.user = user;
    }

    /** The same CLI run as {@code user} (rootless). */
    public JnetCli as(TestUser user) {
        return new JnetCli(dist, user);
    }

    public Dist dist() {
        return dist;
    }

    /** The full command line for {@code jnet ARGS...}. */
    public List<String> commandLine(String... args) {
        List<String> jvm = new ArrayList<>();
        if (user != null) {
            // JNA unpacks its native library: keep that inside the test's private directory
            jvm.add("-Djna.tmpdir=" + user.runtimeDir().resolve("jna"));
        }
        List<String> cmd = new ArrayList<>(dist.javaCommand(jvm));
        cmd.addAll(List.of(args));
        return user == null ? cmd : user.wrap(cmd);
    }

    /** Runs {@code jnet ARGS...} to its end (failing the test after {@link Proc#DEFAULT_TIMEOUT}). */
    public Proc.Result run(String... args) {
        return run(Proc.DEFAULT_TIMEOUT, args);
    }

    public Proc.Result run(Duration timeout, String... args) {
        return start(args).await(timeout);
    }

    /** Starts {@code jnet ARGS...}; for a user, setpriv and env exec, so the pid is the JVM's. */
    public Proc.Running start(String... args) {
        return Proc.start(commandLine(args), dist.dir());
    }
}
