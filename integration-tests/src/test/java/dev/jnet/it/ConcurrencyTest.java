package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns.NsId;
import dev.jnet.netns.NetnsInfo;
import dev.jnet.netns.NetnsManager;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many jnet processes (or threads) at once, and jnet killed with SIGKILL in the middle of add. */
@RequiresRoot
@JnetIntegrationTest
class ConcurrencyTest {
    private static final int N = 16;
    /** 16 JVMs starting at once on a small machine. */
    private static final Duration PARALLEL_TIMEOUT = Duration.ofSeconds(150);

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void parallelAddsOfDistinctNamesAllSucceed(JnetCli jnet, HostNetns host) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            names.add(host.name("par" + i));
        }
        List<Proc.Running> running = names.stream().map(n -> jnet.start("netns", "add", n)).toList();
        List<Proc.Result> results = running.stream().map(r -> r.await(PARALLEL_TIMEOUT)).toList();
        for (Proc.Result r : results) {
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(r.stdout() + r.stderr()).as(r.describe()).isEmpty();
        }
        assertDistinctNamespaces(names);

        Proc.Result ipList = Proc.run("ip", "netns", "list");
        assertThat(Outputs.listedNames(ipList)).as(ipList.describe()).containsAll(names);

        List<String> del = new ArrayList<>(List.of("netns", "del"));
        del.addAll(names);
        Proc.Result d = jnet.run(del.toArray(String[]::new));
        assertThat(d.exit()).as(d.describe()).isZero();
        assertThat(d.stdout() + d.stderr()).as(d.describe()).isEmpty();
        for (String n : names) {
            assertThat(HostNetns.path(n)).doesNotExist();
            assertThat(HostNetns.mountCount(n)).isZero();
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void parallelAddsOfOneNameExactlyOneWins(JnetCli jnet, HostNetns host) {
        String x = host.name("race");
        List<Proc.Running> running = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            running.add(jnet.start("netns", "add", x));
        }
        List<Proc.Result> results = running.stream().map(r -> r.await(PARALLEL_TIMEOUT)).toList();
        List<Proc.Result> won = results.stream().filter(r -> r.exit() == 0).toList();
        assertThat(won).as("successful adds: %s", results.stream().map(Proc.Result::describe).toList()).hasSize(1);
        assertThat(won.get(0).stdout() + won.get(0).stderr()).isEmpty();
        String exists = "Cannot create namespace file \"" + HostNetns.path(x) + "\": File exists";
        for (Proc.Result r : results) {
            if (r.exit() != 0) {
                assertThat(r.exit()).as(r.describe()).isEqualTo(1);
                assertThat(r.stdout()).as(r.describe()).isEmpty();
                assertThat(r.stderrLines()).as(r.describe()).containsExactly(exists);
            }
        }
        assertThat(NsId.of(HostNetns.path(x)).ino()).isNotEqualTo(HostNetns.hostNetns().ino());
        assertThat(HostNetns.mountCount(x)).as("one namespace mounted once").isEqualTo(1);
        Proc.Result links = jnet.run("netns", "exec", x, "ip", "-o", "link");
        assertThat(Outputs.linkNames(links)).as(links.describe()).containsExactly("lo");
    }

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void addKilledWithSigkillLeavesNothingListOrDeleteCannotHandle(JnetCli jnet, HostNetns host) throws Exception {
        SigkillDuringAdd run = SigkillDuringAdd.run(jnet, host, 20, Duration.ofSeconds(100));
        List<String> names = run.names();
        int killed = run.killed();
        int finished = run.finished();
        long addMillis = run.addMillis();

        Proc.Result ipList = Proc.run("ip", "netns", "list");
        assertThat(ipList.exit()).as(ipList.describe()).isZero();
        Proc.Result jnetList = jnet.run("netns", "list");
        assertThat(jnetList.exit()).as(jnetList.describe()).isZero();

        List<String> leftovers = names.stream().filter(n -> HostNetns.entries().contains(n)).toList();
        int halfMade = 0;
        for (String n : leftovers) {
            assertThat(Outputs.listedNames(ipList)).as(ipList.describe()).contains(n);
            assertThat(Outputs.listedNames(jnetList)).as(jnetList.describe()).contains(n);
            if (HostNetns.mountCount(n) == 0) {
                halfMade++;
                assertThat(jnetList.stderrLines()).as(jnetList.describe())
                        .anyMatch(l -> l.startsWith("jnet: \"" + n + "\" holds no namespace"));
            }
            Proc.Result del = jnet.run("netns", "del", n);
            assertThat(del.exit()).as(del.describe()).isZero();
            assertThat(del.stdout() + del.stderr()).as(del.describe()).isEmpty();
            assertThat(HostNetns.path(n)).doesNotExist();
            assertThat(HostNetns.mountCount(n)).isZero();
        }
        System.out.printf("SIGKILL during add: %d tries, %d killed, %d finished first, %d left an entry "
                + "(%d without a namespace), add takes ~%d ms%n",
                names.size(), killed, finished, leftovers.size(), halfMade, addMillis);
        for (String n : names) {
            assertThat(HostNetns.path(n)).doesNotExist();
        }
        assertThat(HostNetns.mountsUnderDir()).noneMatch(l -> HostNetns.mountPoint(l).contains(HostNetns.PREFIX));
    }

    /** What an add killed between creating the file and mounting on it leaves: an empty plain file. */
    @Test
    void leftoverOfAnInterruptedAddIsListedAndDeleted(JnetCli jnet, HostNetns host) throws Exception {
        String half = host.name("half");
        Files.createFile(HostNetns.path(half));

        Proc.Result ipList = Proc.run("ip", "netns", "list");
        assertThat(ipList.exit()).as(ipList.describe()).isZero();
        assertThat(Outputs.listedNames(ipList)).as(ipList.describe()).contains(half);
        Proc.Result list = jnet.run("netns", "list");
        assertThat(list.exit()).as(list.describe()).isZero();
        assertThat(list.stdoutLines()).as(list.describe()).contains(half);
        assertThat(list.stderrLines()).as(list.describe()).contains("jnet: \"" + half + "\" holds no namespace "
                + "(interrupted add, or its holder is gone): \"jnet netns del " + half + "\" removes it");
        Proc.Result exec = jnet.run("netns", "exec", half, "true");
        assertThat(exec.exit()).as("no namespace to enter: " + exec.describe()).isNotZero();
        assertThat(exec.stderrLines()).as(exec.describe()).hasSize(1);

        Proc.Result del = jnet.run("netns", "del", half);
        assertThat(del.exit()).as(del.describe()).isZero();
        assertThat(del.stdout() + del.stderr()).as(del.describe()).isEmpty();
        assertThat(HostNetns.path(half)).doesNotExist();

        Proc.Result again = jnet.run("netns", "add", half);
        assertThat(again.exit()).as("the name is usable again: " + again.describe()).isZero();
        assertThat(HostNetns.mountCount(half)).isEqualTo(1);
    }

    @Test
    void sixteenThreadsAddDistinctNamesInProcess(HostNetns host) throws Exception {
        NetnsManager m = NetnsManager.rootful(NetnsManager.IPROUTE2_DIR);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            names.add(host.name("thr" + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(N);
        try {
            CyclicBarrier start = new CyclicBarrier(N);
            List<Future<NetnsInfo>> added = new ArrayList<>();
            for (String n : names) {
                added.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return m.add(n);
                }));
            }
            for (int i = 0; i < N; i++) {
                NetnsInfo info = added.get(i).get(60, TimeUnit.SECONDS);
                assertThat(info.name()).isEqualTo(names.get(i));
                assertThat(info.usable()).isTrue();
                assertThat(info.path()).isEqualTo(HostNetns.path(names.get(i)));
            }
            assertDistinctNamespaces(names);
            List<NetnsInfo> listed = m.list().stream().filter(i -> names.contains(i.name())).toList();
            assertThat(listed).hasSize(N).allMatch(NetnsInfo::usable);

            List<Future<?>> deleted = new ArrayList<>();
            for (String n : names) {
                deleted.add(pool.submit(() -> m.delete(n)));
            }
            for (Future<?> f : deleted) {
                f.get(60, TimeUnit.SECONDS);
            }
            for (String n : names) {
                assertThat(HostNetns.path(n)).doesNotExist();
                assertThat(HostNetns.mountCount(n)).isZero();
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** Each name is a namespace of its own, mounted once, and none is the host's. */
    private static void assertDistinctNamespaces(List<String> names) {
        NsId self = HostNetns.hostNetns();
        Set<NsId> ids = new HashSet<>();
        for (String n : names) {
            NsId id = NsId.of(HostNetns.path(n));
            assertThat(id.dev()).as("%s is on nsfs", n).isEqualTo(self.dev());
            assertThat(id).as("%s is not the host's namespace", n).isNotEqualTo(self);
            assertThat(HostNetns.mountCount(n)).as("mounts on %s", n).isEqualTo(1);
            ids.add(id);
        }
        assertThat(ids).as("distinct namespaces").hasSize(names.size());
    }
}
