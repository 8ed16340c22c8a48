package dev.jnet.it.usernet;

import dev.jnet.it.Proc;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The rootless "container": an {@code unshare -unUr} process of the unprivileged user, started
 * inside the host namespace and kept alive by sleep; its pid is what the usernet binary is
 * given. It also unshares a mount namespace (-m) only to bind the guest's own resolv.conf
 * (nameserver 10.0.2.3) and hosts file over /etc: commands entered with {@code nsenter -m}
 * then resolve names through the stack, as a real container would.
 */
final class Guest implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final String user;
    private final Process process;
    private final Path log;
    private final Path workDir;

    private Guest(String user, Process process, Path log, Path workDir) {
        this.user = user;
        this.process = process;
        this.log = log;
        this.workDir = workDir;
    }

    /** Starts the guest; {@code resolvConf} and {@code hosts} must be readable by {@code user}. */
    static Guest start(String hostNetns, String user, Path resolvConf, Path hosts, Path workDir, Path log) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", hostNetns));
        cmd.addAll(Launcher.asUser(user));
        cmd.addAll(List.of("unshare", "-unUrm", "sh", "-c",
                "mount --bind \"$0\" /etc/resolv.conf && mount --bind \"$1\" /etc/hosts && exec sleep 86400",
                resolvConf.toString(), hosts.toString()));
        Process p = Launcher.start(new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true));
        Guest g = new Guest(user, p, log, workDir);
        try {
            g.awaitSleeping();
            return g;
        } catch (RuntimeException | Error e) {
            g.close();
            throw e;
        }
    }

    /** ip netns exec, setpriv, env, unshare and sh all exec: the guest is ready once its pid runs sleep. */
    private void awaitSleeping() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Path comm = Path.of("/proc", Long.toString(process.pid()), "comm");
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the guest exited " + process.exitValue() + ": " + log());
            }
            try {
                if (Files.readString(comm).strip().equals("sleep")) {
                    return;
                }
            } catch (IOException raced) {
                // exiting: the next round reports it
            }
            sleepBriefly();
        }
        throw new IllegalStateException("the guest did not start within " + START_TIMEOUT + ": " + log());
    }

    /** The pid whose user and network namespaces are the guest's. */
    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Runs {@code command} inside the guest's user, network and mount namespaces, as its root (the user). */
    Proc.Result run(Duration timeout, List<String> command) {
        List<String> cmd = new ArrayList<>(Launcher.asUser(user));
        cmd.addAll(List.of("nsenter", "-t", Long.toString(pid()), "-U", "-n", "-m", "--preserve-credentials", "--"));
        cmd.addAll(command);
        return Proc.start(cmd, workDir).await(timeout);
    }

    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable " + log + ": " + e + ")";
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
