package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns.NsId;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** identify, pids, attach and monitor, rootful; stale rootless records. */
@RequiresRoot
@JnetIntegrationTest
class NetnsToolsTest {
    @Test
    void identifyAndPidsFindAProcessInsideANamespace(JnetCli jnet, HostNetns host) throws Exception {
        String a = host.name("id");
        assertThat(jnet.run("netns", "add", a).exit()).isZero();
        Process sleeper = new ProcessBuilder("ip", "netns", "exec", a, "sleep", "60").start();
        try {
            long pid = sleeper.pid(); // ip netns exec execs the command: same pid
            awaitNetns(pid, NsId.of(HostNetns.path(a)));

            Proc.Result identify = jnet.run("netns", "identify", Long.toString(pid));
            assertThat(identify.exit()).as(identify.describe()).isZero();
            assertThat(identify.stdoutLines()).as(identify.describe()).containsExactly(a);
            assertThat(identify.stdout()).isEqualTo(Proc.run("ip", "netns", "identify", Long.toString(pid)).stdout());

            Proc.Result pids = jnet.run("netns", "pids", a);
            assertThat(pids.exit()).as(pids.describe()).isZero();
            assertThat(pids.stdoutLines()).as(pids.describe()).containsExactly(Long.toString(pid));

            Proc.Result self = jnet.run("netns", "identify");
            assertThat(self.exit()).as(self.describe()).isZero();
            assertThat(self.stdoutLines()).as("jnet itself runs in the host namespace, which has no name")
                    .doesNotContain(a);
        } finally {
            Proc.killTree(sleeper);
        }
        Proc.Result empty = jnet.run("netns", "pids", a);
        assertThat(empty.exit()).isZero();
        assertThat(empty.stdout()).isEmpty();
    }

    @Test
    void attachNamesTheNamespaceOfAProcess(JnetCli jnet, HostNetns host) throws Exception {
        String a = host.name("att");
        Process sleeper = new ProcessBuilder("unshare", "-n", "sleep", "60").start();
        try {
            long pid = sleeper.pid();
            NsId hostNs = HostNetns.hostNetns();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (NsId.of(Path.of("/proc/" + pid + "/ns/net")).equals(hostNs) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            NsId target = NsId.of(Path.of("/proc/" + pid + "/ns/net"));
            assertThat(target).isNotEqualTo(hostNs);

            Proc.Result attach = jnet.run("netns", "attach", a, Long.toString(pid));
            assertThat(attach.exit()).as(attach.describe()).isZero();
            assertThat(NsId.of(HostNetns.path(a))).isEqualTo(target);
        } finally {
            Proc.killTree(sleeper);
        }
        // the name keeps the namespace alive after its last process is gone
        Proc.Result links = Proc.run("ip", "netns", "exec", a, "ip", "-o", "link");
        assertThat(links.exit()).as(links.describe()).isZero();
        assertThat(Outputs.linkNames(links)).containsExactly("lo");
        assertThat(jnet.run("netns", "del", a).exit()).isZero();
    }

    @Test
    void attachToAMissingProcessFailsAndLeavesNothing(JnetCli jnet, HostNetns host) {
        String a = host.name("att-missing");
        long missing = 4_000_000; // above pid_max's hard limit (2^22): never a process
        Proc.Result attach = jnet.run("netns", "attach", a, Long.toString(missing));
        assertThat(attach.exit()).as(attach.describe()).isEqualTo(1);
        assertThat(attach.stderrLines()).containsExactly(
                "Bind /proc/" + missing + "/ns/net -> " + HostNetns.path(a) + " failed: No such file or directory");
        assertThat(HostNetns.path(a)).doesNotExist();
        assertThat(HostNetns.mountCount(a)).isZero();
    }

    @Test
    void monitorPrintsAddAndDeleteAsTheyHappen(JnetCli jnet, HostNetns host) throws Exception {
        String a = host.name("mon");
        Process monitor = new ProcessBuilder(jnet.commandLine("netns", "monitor")).redirectErrorStream(true).start();
        try {
            awaitInotify(monitor.pid());
            BufferedReader out = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
            assertThat(jnet.run("netns", "add", a).exit()).isZero();
            assertThat(Proc.run("ip", "netns", "del", a).exit()).isZero();
            // other sessions may add and delete their own namespaces meanwhile: skip theirs
            CompletableFuture<List<String>> ours = CompletableFuture.supplyAsync(() -> {
                try {
                    return Stream.generate(() -> readLine(out)).filter(l -> l == null || l.endsWith(" " + a))
                            .limit(2).toList();
                } catch (RuntimeException e) {
                    return List.of(e.toString());
                }
            });
            assertThat(ours.get(20, TimeUnit.SECONDS)).containsExactly("add " + a, "delete " + a);
        } finally {
            Proc.killTree(monitor);
        }
    }

    @Test
    @RequiresRoot(testUser = true)
    void rootlessListReportsAStaleRecordAndDeleteRemovesIt(JnetCli root, TestUser user, HostNetns host)
            throws Exception {
        JnetCli jnet = root.as(user);
        String r = host.name("stale");
        assertThat(jnet.run("netns", "add", r).exit()).isZero();
        long holder = user.holderPidOf(r);
        ProcessHandle.of(holder).orElseThrow().destroyForcibly();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        Proc.Result list = jnet.run("netns", "list");
        assertThat(list.exit()).as(list.describe()).isZero();
        assertThat(list.stdoutLines()).containsExactly(r);
        assertThat(list.stderrLines()).singleElement().asString().contains("\"" + r + "\" holds no namespace");

        Proc.Result exec = jnet.run("netns", "exec", r, "true");
        assertThat(exec.exit()).as(exec.describe()).isEqualTo(1);
        assertThat(exec.stderrLines()).containsExactly("Cannot open network namespace \"" + r + "\": No such file or directory");

        Proc.Result del = jnet.run("netns", "del", r);
        assertThat(del.exit()).as(del.describe()).isZero();
        assertThat(user.netnsDir().resolve(r)).doesNotExist();
    }

    private static String readLine(BufferedReader r) {
        try {
            return r.readLine();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits (bounded) until process {@code pid} is in namespace {@code ns}. */
    private static void awaitNetns(long pid, NsId ns) throws InterruptedException {
        Path p = Path.of("/proc/" + pid + "/ns/net");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.exists(p) && NsId.of(p).equals(ns)) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("process " + pid + " never entered " + ns);
    }

    /** Waits (bounded) until the monitor has its inotify descriptor, i.e. watches. */
    private static void awaitInotify(long pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Path fds = Path.of("/proc/" + pid + "/fd");
        while (System.nanoTime() < deadline) {
            try (Stream<Path> s = Files.list(fds)) {
                if (s.anyMatch(NetnsToolsTest::isInotify)) {
                    Thread.sleep(200); // the watch is added right after the descriptor is made
                    return;
                }
            } catch (java.io.IOException e) {
                // process not there yet, or gone: checked by the deadline
            }
            Thread.sleep(20);
        }
        throw new AssertionError("monitor " + pid + " never started watching");
    }

    private static boolean isInotify(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().equals("anon_inode:inotify");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
