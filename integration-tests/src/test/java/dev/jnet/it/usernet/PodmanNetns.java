package dev.jnet.it.usernet;

import dev.jnet.it.Proc;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace as rootless podman makes one for a container: its pause process is a user
 * and mount namespace of the unprivileged user, and the container's netns is bound to a file
 * (here on a tmpfs of that mount namespace). podman runs pasta from inside those namespaces with
 * {@code --netns FILE}, and ends pasta by deleting the file.
 */
final class PodmanNetns implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final UsernetSandbox net;
    private final Process holder;
    private final Path dir;
    private final Path log;

    private PodmanNetns(UsernetSandbox net, Process holder, Path dir, Path log) {
        this.net = net;
        this.holder = holder;
        this.dir = dir;
        this.log = log;
    }

    static PodmanNetns create(UsernetSandbox net, String name) throws IOException, InterruptedException {
        Path dir = net.workDir().resolve(name);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path log = net.workDir().resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.hostNetns()));
        cmd.addAll(Launcher.asUser(net.userName()));
        cmd.addAll(List.of("unshare", "-Urm", "sh", "-c",
                "mount -t tmpfs tmpfs \"$0\" && touch \"$0/ns\" && unshare --net=\"$0/ns\" true && echo ready"
                        + " && exec sleep 86400", dir.toString()));
        Process p = Launcher.start(new ProcessBuilder(cmd).directory(net.workDir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true));
        PodmanNetns n = new PodmanNetns(net, p, dir, log);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.readString(log).contains("ready")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                n.close();
                throw new IllegalStateException("the podman-like namespace did not come up: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return n;
    }

    /** The netns file podman passes as {@code --netns}. */
    String path() {
        return dir.resolve("ns").toString();
    }

    /** Runs {@code command} in the pause process's user and mount namespaces (where podman runs pasta). */
    Proc.Result inPause(Duration timeout, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", Long.toString(holder.pid()), "-U", "-m",
                "--preserve-credentials", "--"));
        cmd.addAll(command);
        return net.hostAsUser(timeout, cmd);
    }

    /** Runs {@code command} inside the container's network namespace. */
    Proc.Result inNetns(Duration timeout, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + path(), "--"));
        cmd.addAll(command);
        return inPause(timeout, cmd);
    }

    /** As {@link #inNetns}, left running (a server); the caller stops it. */
    Proc.Running startInNetns(List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.hostNetns()));
        cmd.addAll(Launcher.asUser(net.userName()));
        cmd.addAll(List.of("nsenter", "-t", Long.toString(holder.pid()), "-U", "-m", "--preserve-credentials", "--",
                "nsenter", "--net=" + path(), "--"));
        cmd.addAll(command);
        return Proc.start(cmd, net.workDir());
    }

    /**
     * What podman does when the container goes (containers/common pkg/netns): a lazy unmount
     * (MNT_DETACH: pasta may hold the file open) and removal of the netns file.
     */
    Proc.Result delete() {
        return inPause(UsernetSandbox.DEFAULT_TIMEOUT, List.of("sh", "-c", "umount -l \"$0\" && rm \"$0\"", path()));
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable " + log + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        holder.destroyForcibly();
        holder.waitFor(10, TimeUnit.SECONDS);
    }
}
