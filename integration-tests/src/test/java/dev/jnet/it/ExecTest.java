package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code jnet netns exec} behaves as {@code ip netns exec}: status, /etc/netns files, own /sys, stdio. */
@RequiresRoot
@JnetIntegrationTest
class ExecTest {
    private String ns;

    @BeforeEach
    void addNamespace(JnetCli jnet, HostNetns host) {
        ns = host.name("exec");
        Proc.Result add = jnet.run("netns", "add", ns);
        assertThat(add.exit()).as(add.describe()).isZero();
    }

    @Test
    void exitStatusIsTheCommands(JnetCli jnet) {
        Proc.Result r = jnet.run("netns", "exec", ns, "sh", "-c", "exit 7");
        assertThat(r.exit()).as(r.describe()).isEqualTo(7);
        assertThat(r.stdout() + r.stderr()).as(r.describe()).isEmpty();

        Proc.Result ok = jnet.run("netns", "exec", ns, "true");
        assertThat(ok.exit()).as(ok.describe()).isZero();

        Proc.Result killed = jnet.run("netns", "exec", ns, "sh", "-c", "kill -9 $$");
        assertThat(killed.exit()).as("128 + SIGKILL, as a shell reports it: " + killed.describe()).isEqualTo(137);
    }

    @Test
    void commandGetsOurStdoutAndStderrAndItsOwnOptions(JnetCli jnet) {
        // "-c" and "-o" belong to the command, not to jnet
        Proc.Result r = jnet.run("netns", "exec", ns, "sh", "-c", "echo out; echo err >&2; ip -o link >/dev/null");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stdout()).as(r.describe()).isEqualTo("out\n");
        assertThat(r.stderr()).as(r.describe()).isEqualTo("err\n");
    }

    @Test
    void missingCommandExits127LikeAShell(JnetCli jnet) {
        Proc.Result r = jnet.run("netns", "exec", ns, "jit-no-such-command");
        assertThat(r.exit()).as(r.describe()).isEqualTo(127);
        assertThat(r.stderrLines()).as(r.describe()).hasSize(1);
        assertThat(r.stderr()).as(r.describe()).contains("jit-no-such-command");
    }

    @Test
    void filesOfEtcNetnsNameReplaceTheirEtcNamesakes(JnetCli jnet) throws Exception {
        Path hostResolv = Path.of("/etc/resolv.conf");
        byte[] hostBefore = Files.readAllBytes(hostResolv);
        List<String> mountsBefore = mountsOn(hostResolv);
        Path dir = HostNetns.ETC_NETNS.resolve(ns);
        String content = "nameserver 192.0.2.53\n";
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("resolv.conf"), content);

            Proc.Result r = jnet.run("netns", "exec", ns, "cat", "/etc/resolv.conf");
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(r.stdout()).as(r.describe()).isEqualTo(content);
            assertThat(r.stderr()).as(r.describe()).isEmpty();

            Proc.Result ip = Proc.run("ip", "netns", "exec", ns, "cat", "/etc/resolv.conf");
            assertThat(ip.stdout()).as("iproute2 shows the command the same file: " + ip.describe()).isEqualTo(content);
        } finally {
            Dist.deleteTree(dir);
        }
        assertThat(dir).doesNotExist();
        // the bind mount lived only in the command's mount namespace
        assertThat(Files.readAllBytes(hostResolv)).as("host /etc/resolv.conf").isEqualTo(hostBefore);
        assertThat(mountsOn(hostResolv)).as("host mounts on /etc/resolv.conf").isEqualTo(mountsBefore);

        Proc.Result plain = jnet.run("netns", "exec", ns, "cat", "/etc/resolv.conf");
        assertThat(plain.exit()).as(plain.describe()).isZero();
        assertThat(plain.stdout().getBytes()).as("without /etc/netns/NAME the host's file").isEqualTo(hostBefore);
    }

    @Test
    void commandSeesASysfsOfItsOwnNamespace(JnetCli jnet) throws Exception {
        List<String> sysMountsBefore = mountsOn(Path.of("/sys"));
        Proc.Result r = jnet.run("netns", "exec", ns, "ls", "/sys/class/net");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stdoutLines()).as(r.describe()).containsExactly("lo");

        // a veth pair made inside (no traffic: both ends stay down) shows up there and not on the host
        Proc.Result veth = Proc.run("ip", "netns", "exec", ns, "ip", "link", "add", "jit-v0", "type", "veth",
                "peer", "name", "jit-v1");
        assertThat(veth.exit()).as(veth.describe()).isZero();
        Proc.Result after = jnet.run("netns", "exec", ns, "ls", "/sys/class/net");
        assertThat(after.stdoutLines()).as(after.describe()).containsExactly("jit-v0", "jit-v1", "lo");
        assertThat(Path.of("/sys/class/net/jit-v0")).doesNotExist();
        assertThat(Path.of("/sys/class/net/lo")).exists();

        assertThat(mountsOn(Path.of("/sys"))).as("host mounts on /sys").isEqualTo(sysMountsBefore);
    }

    private static List<String> mountsOn(Path p) {
        return HostNetns.mountinfo().stream().filter(l -> HostNetns.mountPoint(l).equals(p.toString())).toList();
    }
}
