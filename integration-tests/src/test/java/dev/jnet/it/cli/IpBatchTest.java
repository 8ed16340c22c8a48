package dev.jnet.it.cli;

import static dev.jnet.it.cli.IpOracle.ipOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jnet -n NS [-force] -batch FILE}: 500 mixed lines with one bad line, as ip -batch reports it. */
@RequiresRoot
@JnetIntegrationTest
class IpBatchTest {
    private static final int BAD_LINE = 251;

    /** 500 lines: per i in 0..124 a veth pair, up, an address, an MTU; line 251 names a missing device. */
    private static Path batchFile(Path dir) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 125; i++) {
            lines.add("link add b" + i + " type veth peer name c" + i);
            lines.add("link set b" + i + " up");
            lines.add("addr add 10.200." + (100 + i / 200) + "." + (i % 200 + 1) + "/32 dev b" + i);
            lines.add("link set c" + i + " mtu 1400");
        }
        lines.set(BAD_LINE - 1, "link set nope up");
        List<String> withComments = new ArrayList<>(lines);
        Path f = dir.resolve("batch.txt");
        Files.write(f, withComments);
        return f;
    }

    @Test
    void stopsAtTheBadLine(JnetCli jnet, HostNetns host, @TempDir Path dir) throws IOException {
        String ns = host.name("batch");
        assertThat(jnet.run("netns", "add", ns).exit()).isZero();
        Path f = batchFile(dir);
        Proc.Result r = jnet.run("-n", ns, "-batch", f.toString());
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderrLines()).as(r.describe())
                .containsExactly("Cannot find device \"nope\"", "Command failed " + f + ":" + BAD_LINE);
        List<String> links = IpOracle.linkNames(ns);
        // line 251 is the 3rd line of pair 62 (lines 249-252): pairs 0..62 exist, 63.. do not
        assertThat(links).contains("b0", "c0", "b62", "c62").doesNotContain("b63", "c63", "b124");
        assertThat(links).hasSize(1 + 2 * 63);
        // same as ip -batch on a fresh namespace
        String ns2 = host.name("batchip");
        assertThat(jnet.run("netns", "add", ns2).exit()).isZero();
        Proc.Result ip = IpOracle.ip("-n", ns2, "-batch", f.toString());
        assertThat(r.stderr()).isEqualTo(ip.stderr());
        assertThat(r.exit()).isEqualTo(ip.exit());
        assertThat(IpOracle.linkNames(ns2)).isEqualTo(links);
    }

    @Test
    void forceGoesOn(JnetCli jnet, HostNetns host, @TempDir Path dir) throws IOException {
        String ns = host.name("force");
        assertThat(jnet.run("netns", "add", ns).exit()).isZero();
        Path f = batchFile(dir);
        Proc.Result r = jnet.run("-n", ns, "-force", "-batch", f.toString());
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stderrLines()).as(r.describe())
                .containsExactly("Cannot find device \"nope\"", "Command failed " + f + ":" + BAD_LINE);
        assertThat(IpOracle.linkNames(ns)).hasSize(1 + 2 * 125).contains("b124", "c124");
        assertThat(ipOk("-n", ns, "-j", "addr", "show", "dev", "b124").stdout()).contains("\"local\":\"10.200.100.125\"");
        assertThat(ipOk("-n", ns, "link", "show", "c124").stdout()).contains("mtu 1400");
        // b62's address (the bad line) is missing; every other pair has its address
        assertThat(ipOk("-n", ns, "-j", "-4", "addr", "show").stdout().split("\"family\":\"inet\"")).hasSize(1 + 124);
    }

    @Test
    void stdinAndComments(JnetCli jnet, HostNetns host, @TempDir Path dir) throws IOException {
        String ns = host.name("stdin");
        assertThat(jnet.run("netns", "add", ns).exit()).isZero();
        Path f = dir.resolve("b.txt");
        Files.writeString(f, "# a comment\n\nlink add br7 type bridge # trailing\nlink show br7 -j\n");
        Proc.Result r = jnet.run("-n", ns, "-batch", f.toString());
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("\"ifname\":\"br7\"");
    }
}
