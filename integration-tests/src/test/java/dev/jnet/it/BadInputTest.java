package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns.NsId;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input, rootful: one line on stderr in iproute2's words (compared with what {@code ip}
 * itself prints), exit 255 for an invalid name and 1 for a failed operation, and nothing left
 * behind in /run/netns or among the mounts on and under it.
 */
@RequiresRoot
@JnetIntegrationTest
class BadInputTest {

    static Stream<String> invalidNames() {
        return Stream.of("", ".", "..", "a/b", HostNetns.PREFIX + "x".repeat(256 - HostNetns.PREFIX.length()));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("invalidNames")
    void invalidNameIsRefusedByAddDeleteAndExec(String name, JnetCli jnet) {
        List<List<String>> ops = List.of(
                List.of("netns", "add", name),
                List.of("netns", "del", name),
                List.of("netns", "exec", name, "true"));
        for (List<String> op : ops) {
            HostNetns.Snapshot before = HostNetns.Snapshot.take();
            Proc.Result r = jnet.run(op.toArray(String[]::new));
            assertThat(r.exit()).as(r.describe()).isEqualTo(255);
            assertThat(r.stdout()).as(r.describe()).isEmpty();
            assertThat(r.stderrLines()).as(r.describe()).containsExactly("Invalid netns name \"" + name + "\"");
            assertSameAsIproute2(op, r);
            assertThat(before.changesFor(HostNetns.Snapshot.take(), relevantTo(name)))
                    .as("changes in %s after %s", HostNetns.DIR, op).isEmpty();
        }
    }

    @Test
    void longestValidNameWorks(JnetCli jnet) {
        String name = HostNetns.PREFIX + "y".repeat(255 - HostNetns.PREFIX.length());
        Proc.Result add = jnet.run("netns", "add", name);
        assertThat(add.exit()).as(add.describe()).isZero();
        assertThat(NsId.of(HostNetns.path(name)).ino()).isNotEqualTo(HostNetns.hostNetns().ino());
        Proc.Result del = jnet.run("netns", "del", name);
        assertThat(del.exit()).as(del.describe()).isZero();
        assertThat(HostNetns.path(name)).doesNotExist();
    }

    @Test
    void duplicateAddFailsAndKeepsTheExistingNamespace(JnetCli jnet, HostNetns host) {
        String x = host.name("dup");
        assertThat(jnet.run("netns", "add", x).exit()).isZero();
        NsId original = NsId.of(HostNetns.path(x));

        HostNetns.Snapshot before = HostNetns.Snapshot.take();
        Proc.Result r = jnet.run("netns", "add", x);
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout()).as(r.describe()).isEmpty();
        assertThat(r.stderrLines()).as(r.describe())
                .containsExactly("Cannot create namespace file \"" + HostNetns.path(x) + "\": File exists");
        assertSameAsIproute2(List.of("netns", "add", x), r);
        assertThat(before.changesFor(HostNetns.Snapshot.take(), HostNetns::ours)).isEmpty();
        assertThat(NsId.of(HostNetns.path(x))).as("the namespace that was there").isEqualTo(original);
        assertThat(HostNetns.mountCount(x)).isEqualTo(1);
    }

    @Test
    void deletingAMissingNamespaceFails(JnetCli jnet, HostNetns host) {
        String zz = host.name("zz");
        HostNetns.Snapshot before = HostNetns.Snapshot.take();
        Proc.Result r = jnet.run("netns", "del", zz);
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout()).as(r.describe()).isEmpty();
        assertThat(r.stderrLines()).as(r.describe())
                .containsExactly("Cannot remove namespace file \"" + HostNetns.path(zz) + "\": No such file or directory");
        assertSameAsIproute2(List.of("netns", "del", zz), r);
        assertThat(before.changesFor(HostNetns.Snapshot.take(), HostNetns::ours)).isEmpty();
    }

    @Test
    void execInAMissingNamespaceFails(JnetCli jnet, HostNetns host) {
        String zz = host.name("zz");
        HostNetns.Snapshot before = HostNetns.Snapshot.take();
        Proc.Result r = jnet.run("netns", "exec", zz, "true");
        // iproute2 exits 255 here; jnet reports a failed operation as 1
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout()).as(r.describe()).isEmpty();
        assertThat(r.stderrLines()).as(r.describe())
                .containsExactly("Cannot open network namespace \"" + zz + "\": No such file or directory");
        assertSameAsIproute2(List.of("netns", "exec", zz, "true"), r);
        assertThat(before.changesFor(HostNetns.Snapshot.take(), HostNetns::ours)).isEmpty();
    }

    /** {@code ip OP...} prints the very same stderr (and nothing on stdout). */
    private static void assertSameAsIproute2(List<String> op, Proc.Result jnet) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(op);
        Proc.Result ip = Proc.run(Proc.DEFAULT_TIMEOUT, cmd);
        assertThat(ip.exit()).as(ip.describe()).isNotZero();
        assertThat(jnet.stderr()).as("jnet vs " + ip.describe()).isEqualTo(ip.stderr());
    }

    /** Entries a command given {@code name} could have made: ours, the name, and its path components. */
    private static Predicate<String> relevantTo(String name) {
        List<String> parts = List.of(name.split("/"));
        return e -> HostNetns.ours(e) || e.equals(name) || parts.contains(e);
    }
}
