package dev.jnet.it.usernet.rootless;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import dev.jnet.it.usernet.UsernetSandbox;
import dev.jnet.it.usernet.rootless.ConsumerRun.Binary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A podman set-up for the test user: its own home (vfs storage) and runtime directory. */
final class PodmanHome implements AutoCloseable {
    /** The image {@link #create} imports: busybox-static and a /greet script. */
    static final String IMAGE = "localhost/rlx-busybox";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    final ConsumerRun run = new ConsumerRun();

    static PodmanHome create(UsernetSandbox net, String greeting) throws Exception {
        PodmanHome h = new PodmanHome();
        try {
            h.run.writeHomeFile(".config/containers/storage.conf", "[storage]\ndriver = \"vfs\"\n");
            h.configure(Binary.SLIRP4NETNS);
            Path root = h.run.home().resolve("image");
            Files.createDirectories(root.resolve("bin"));
            Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
            for (String applet : List.of("sh", "cat", "wget", "nc", "echo", "sleep", "ip", "true")) {
                Files.createSymbolicLink(root.resolve("bin").resolve(applet), Path.of("busybox"));
            }
            Files.createDirectories(root.resolve("etc"));
            Files.writeString(root.resolve("greet"), "#!/bin/sh\necho " + greeting + "\n");
            root.resolve("greet").toFile().setExecutable(true, false);
            Proc.Result tar = Proc.run(TIMEOUT, List.of("tar", "-C", root.toString(), "-cf",
                    h.run.home().resolve("image.tar").toString(), "."));
            assertThat(tar.exit()).as(tar.describe()).isZero();
            Proc.run("chown", "-R", dev.jnet.it.TestUser.configuredName(), root.toString(),
                    h.run.home().resolve("image.tar").toString());
            Proc.Result imp = Proc.run(TIMEOUT, h.podman(net, "import", h.run.home().resolve("image.tar").toString(), IMAGE));
            assertThat(imp.exit()).as(imp.describe()).isZero();
            return h;
        } catch (Exception | Error e) {
            h.close();
            throw e;
        }
    }

    /** Points podman's slirp4netns at {@code binary} (through a recording entry); forgets earlier calls. */
    void configure(Binary binary) throws Exception {
        Files.deleteIfExists(run.home().resolve("slirp4netns-calls.log"));
        run.writeHomeFile(".config/containers/containers.conf", "[engine]\n"
                + "network_cmd_path = \"" + run.entry(binary) + "\"\n"
                + "cgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n");
    }

    /**
     * podman as the user in the host namespace, inside a private mount namespace with cgroup2 on
     * /sys/fs/cgroup (crun refuses the cgroup-v1 tmpfs this machine kind has; design notes sec. 8).
     */
    List<String> podman(UsernetSandbox net, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", net.hostNetns(), "unshare", "-m",
                "--propagation", "private", "sh", "-c", "mount -t cgroup2 none /sys/fs/cgroup && exec \"$@\"", "sh"));
        cmd.addAll(run.asUser(List.of("podman", "--cgroup-manager=cgroupfs")));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Override
    public void close() {
        run.close(); // kills podman's pause process (catatonit) of this runtime directory too
    }
}
