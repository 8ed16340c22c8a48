package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns.NsId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Rootless jnet, run as the unprivileged test user with its own XDG_RUNTIME_DIR: a namespace
 * outlives the add command (held by a jnet-holder process), is entered as uid 0 with only
 * lo, and delete leaves neither holder nor record behind.
 */
@RequiresRoot(testUser = true)
@JnetIntegrationTest
class RootlessTest {
    private static final Duration HOLDER_EXIT_WAIT = Duration.ofSeconds(10);

    /** jnet-holder processes of the user that existed before the test (other people's). */
    private Set<Long> holdersBefore;

    @BeforeEach
    void rememberHolders(TestUser user) {
        holdersBefore = user.holderPids();
    }

    @Test
    void addExecListDelete(JnetCli root, TestUser user, HostNetns host) throws Exception {
        JnetCli jnet = root.as(user);
        String r1 = host.name("r1");

        Proc.Result add = jnet.run("netns", "add", r1);
        assertThat(add.exit()).as(add.describe()).isZero();
        assertThat(add.stdout() + add.stderr()).as(add.describe()).isEmpty();

        // after add exited: a record naming a live holder of the user, in new user and net namespaces
        Path record = user.netnsDir().resolve(r1);
        assertThat(record).isRegularFile();
        assertThat(((Number) Files.getAttribute(record, "unix:uid")).intValue()).isEqualTo(user.uid());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record))).isEqualTo("rw-------");
        long holder = user.holderPidOf(r1);
        assertThat(ProcessHandle.of(holder)).as("holder %d", holder).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        assertThat(TestUser.uidOf(holder)).isEqualTo(user.uid());
        assertThat(Files.readString(Path.of("/proc", Long.toString(holder), "comm")).strip()).isEqualTo(TestUser.HOLDER_NAME);
        NsId holderNet = NsId.of(Path.of("/proc", Long.toString(holder), "ns", "net"));
        assertThat(holderNet).isNotEqualTo(HostNetns.hostNetns());
        assertThat(NsId.of(Path.of("/proc", Long.toString(holder), "ns", "user")))
                .isNotEqualTo(NsId.of(Path.of("/proc/self/ns/user")));
        assertThat(user.holderPids()).contains(holder);

        Proc.Result links = jnet.run("netns", "exec", r1, "ip", "-o", "link");
        assertThat(links.exit()).as(links.describe()).isZero();
        assertThat(Outputs.linkNames(links)).as(links.describe()).containsExactly("lo");

        Proc.Result who = jnet.run("netns", "exec", r1, "sh", "-c", "id -u; stat -L -c %i /proc/self/ns/net");
        assertThat(who.exit()).as(who.describe()).isZero();
        assertThat(who.stdoutLines()).as("uid inside, and the holder's namespace: " + who.describe())
                .containsExactly("0", Long.toString(holderNet.ino()));

        Proc.Result list = jnet.run("netns", "list");
        assertThat(list.exit()).as(list.describe()).isZero();
        assertThat(list.stdoutLines()).as(list.describe()).containsExactly(r1);
        assertThat(list.stderr()).as(list.describe()).isEmpty();
        assertThat(HostNetns.entries()).as("rootless leaves /run/netns alone").doesNotContain(r1);

        Proc.Result del = jnet.run("netns", "del", r1);
        assertThat(del.exit()).as(del.describe()).isZero();
        assertThat(del.stdout() + del.stderr()).as(del.describe()).isEmpty();
        assertThat(record).doesNotExist();
        assertThat(listing(user.netnsDir())).as("records, temporary ones included").isEmpty();
        assertThat(user.awaitHoldersExactly(holdersBefore, HOLDER_EXIT_WAIT)).as("jnet-holder processes left").isEmpty();
        assertThat(ProcessHandle.of(holder).filter(ProcessHandle::isAlive)).isEmpty();

        Proc.Result after = jnet.run("netns", "list");
        assertThat(after.exit()).as(after.describe()).isZero();
        assertThat(after.stdout() + after.stderr()).as(after.describe()).isEmpty();
    }

    @Test
    void badInputFailsAndChangesNothing(JnetCli root, TestUser user, HostNetns host) throws Exception {
        JnetCli jnet = root.as(user);
        String r1 = host.name("r1");
        String zz = host.name("zz");
        assertThat(jnet.run("netns", "add", r1).exit()).isZero();
        long holder = user.holderPidOf(r1);
        Set<Long> holders = new HashSet<>(holdersBefore);
        holders.add(holder);
        Path record = user.netnsDir().resolve(r1);
        byte[] recordBytes = Files.readAllBytes(record);
        String dir = user.netnsDir().toString();

        record Case(List<String> args, int exit, String message) {}
        List<Case> cases = List.of(
                new Case(List.of("netns", "add", r1), 1, "Cannot create namespace file \"" + dir + "/" + r1 + "\": File exists"),
                new Case(List.of("netns", "del", zz), 1, "Cannot remove namespace file \"" + dir + "/" + zz + "\": No such file or directory"),
                new Case(List.of("netns", "exec", zz, "true"), 1, "Cannot open network namespace \"" + zz + "\": No such file or directory"),
                new Case(List.of("netns", "add", "a/b"), 255, "Invalid netns name \"a/b\""),
                new Case(List.of("netns", "del", ""), 255, "Invalid netns name \"\""),
                new Case(List.of("netns", "exec", "..", "true"), 255, "Invalid netns name \"..\""));
        for (Case c : cases) {
            Proc.Result r = jnet.run(c.args().toArray(String[]::new));
            assertThat(r.exit()).as(r.describe()).isEqualTo(c.exit());
            assertThat(r.stdout()).as(r.describe()).isEmpty();
            assertThat(r.stderrLines()).as(r.describe()).containsExactly(c.message());

            assertThat(listing(user.netnsDir())).as("records after %s", c.args()).containsExactly(r1);
            assertThat(Files.readAllBytes(record)).as("record of %s after %s", r1, c.args()).isEqualTo(recordBytes);
            assertThat(user.awaitHoldersExactly(holders, HOLDER_EXIT_WAIT)).as("new holders after %s", c.args()).isEmpty();
            assertThat(ProcessHandle.of(holder).filter(ProcessHandle::isAlive)).as("holder of %s", r1).isPresent();
        }

        Proc.Result del = jnet.run("netns", "del", r1);
        assertThat(del.exit()).as(del.describe()).isZero();
        assertThat(listing(user.netnsDir())).isEmpty();
        assertThat(user.awaitHoldersExactly(holdersBefore, HOLDER_EXIT_WAIT)).isEmpty();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void parallelAddsOfOneNameExactlyOneWinsAndLosersLeaveNoHolder(JnetCli root, TestUser user, HostNetns host)
            throws Exception {
        JnetCli jnet = root.as(user);
        String x = host.name("race");
        List<Proc.Running> running = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            running.add(jnet.start("netns", "add", x));
        }
        List<Proc.Result> results = running.stream().map(r -> r.await(Duration.ofSeconds(150))).toList();
        List<Proc.Result> won = results.stream().filter(r -> r.exit() == 0).toList();
        assertThat(won).as("successful adds: %s", results.stream().map(Proc.Result::describe).toList()).hasSize(1);
        String exists = "Cannot create namespace file \"" + user.netnsDir().resolve(x) + "\": File exists";
        for (Proc.Result r : results) {
            if (r.exit() != 0) {
                assertThat(r.exit()).as(r.describe()).isEqualTo(1);
                assertThat(r.stderrLines()).as(r.describe()).containsExactly(exists);
            }
        }
        assertThat(listing(user.netnsDir())).containsExactly(x);
        long holder = user.holderPidOf(x);
        Set<Long> allowed = new HashSet<>(holdersBefore);
        allowed.add(holder);
        assertThat(user.awaitHoldersExactly(allowed, HOLDER_EXIT_WAIT)).as("holders of losing adds").isEmpty();
        Proc.Result links = jnet.run("netns", "exec", x, "ip", "-o", "link");
        assertThat(Outputs.linkNames(links)).as(links.describe()).containsExactly("lo");

        assertThat(jnet.run("netns", "del", x).exit()).isZero();
        assertThat(user.awaitHoldersExactly(holdersBefore, HOLDER_EXIT_WAIT)).isEmpty();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void addKilledWithSigkillLeavesNoStrayHolder(JnetCli root, TestUser user, HostNetns host) throws Exception {
        JnetCli jnet = root.as(user);
        SigkillDuringAdd run = SigkillDuringAdd.run(jnet, host, 10, Duration.ofSeconds(60));
        List<String> names = run.names();
        int killed = run.killed();

        Set<String> recorded = new TreeSet<>(listing(user.netnsDir()).stream().filter(n -> !n.startsWith(".")).toList());
        assertThat(names).containsAll(recorded);
        Proc.Result list = jnet.run("netns", "list");
        assertThat(list.exit()).as(list.describe()).isZero();
        assertThat(Outputs.listedNames(list)).as(list.describe()).containsExactlyElementsOf(recorded);
        for (String n : recorded) {
            Proc.Result del = jnet.run("netns", "del", n);
            assertThat(del.exit()).as(del.describe()).isZero();
            assertThat(del.stdout() + del.stderr()).as(del.describe()).isEmpty();
        }
        List<String> left = listing(user.netnsDir());
        System.out.printf("rootless SIGKILL during add: %d tries, %d killed, %d left a record, leftovers after del: %s%n",
                names.size(), killed, recorded.size(), left);
        assertThat(left).as("records left after deleting every listed one").noneMatch(n -> !n.startsWith("."));
        // holders of killed adds were never committed: they exit on their own
        assertThat(user.awaitHoldersExactly(holdersBefore, HOLDER_EXIT_WAIT)).as("jnet-holder processes left").isEmpty();
        long end = System.nanoTime() + HOLDER_EXIT_WAIT.toNanos();
        while (!user.ourProcesses().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertThat(user.ourProcesses()).as("helper processes left").isEmpty();
    }

    private static List<String> listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
