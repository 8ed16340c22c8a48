package dev.jnet.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/** The extension as its users meet it: sample test classes run through the JUnit launcher. */
class JnetTopologyExtensionTest {
    static final List<Long> HOLDERS = new CopyOnWriteArrayList<>();
    static final Map<String, String> PINGS = new ConcurrentHashMap<>();
    static final CountDownLatch BOTH_RUNNING = new CountDownLatch(2);

    @TempDir
    Path dir;

    private static long holder(Netns ns) {
        return Long.parseLong(ns.path().getName(1).toString());
    }

    @ExtendWith(JnetTopologyExtension.class)
    static class FailingSample {
        @Test
        void failsWithALinkThatCarriedTraffic(Topology t) throws Exception {
            Netns a = t.namespace("a");
            Netns b = t.namespace("b");
            HOLDERS.add(holder(a));
            HOLDERS.add(holder(b));
            t.impairedLink(a, "eth0", b, "eth0");
            t.veth(a, "veth0", b, "veth0");
            a.address("eth0", "10.4.0.1/24");
            b.address("eth0", "10.4.0.2/24");
            a.address("veth0", "10.6.0.1/24");
            b.address("veth0", "10.6.0.2/24");
            a.start(new ProcessBuilder(), "ping", "-c1", "-W5", "10.4.0.2").waitFor();
            a.start(new ProcessBuilder(), "ping", "-c1", "-W5", "10.6.0.2").waitFor();
            throw new AssertionError("the sample fails on purpose");
        }
    }

    /** Two classes with the same names and addresses, running at the same time. */
    abstract static class ParallelSample {
        @Test
        void pingsAcrossItsOwnVeth(Topology t) throws Exception {
            BOTH_RUNNING.countDown();
            // both classes are inside their test at once, or this fails
            assertThat(BOTH_RUNNING.await(60, TimeUnit.SECONDS)).isTrue();
            Netns a = t.namespace("a");
            Netns b = t.namespace("b");
            t.veth(a, "eth0", b, "eth0");
            a.address("eth0", "10.5.0.1/24");
            b.address("eth0", "10.5.0.2/24");
            Process p = a.start(new ProcessBuilder().redirectErrorStream(true), "ping", "-c1", "-W5", "10.5.0.2");
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            PINGS.put(getClass().getSimpleName(), a.path().toString());
        }
    }

    @ExtendWith(JnetTopologyExtension.class)
    static class ParallelSampleOne extends ParallelSample {}

    @ExtendWith(JnetTopologyExtension.class)
    static class ParallelSampleTwo extends ParallelSample {}

    private record Run(SummaryGeneratingListener summary, List<ReportEntry> entries) {}

    private Run run(Map<String, String> config, Class<?>... classes) {
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request()
                .configurationParameters(config)
                .configurationParameter("junit.platform.reporting.output.dir", dir.resolve("reports").toString());
        for (Class<?> c : classes) {
            b.selectors(selectClass(c));
        }
        LauncherDiscoveryRequest request = b.build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        List<ReportEntry> entries = new CopyOnWriteArrayList<>();
        TestExecutionListener reports = new TestExecutionListener() {
            @Override
            public void reportingEntryPublished(TestIdentifier id, ReportEntry entry) {
                entries.add(entry);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {}
        };
        LauncherFactory.create().execute(request, summary, reports);
        return new Run(summary, entries);
    }

    @Test
    void aFailedTestLeavesNothingRunningAndAttachesItsCaptures() {
        Run r = run(Map.of(JnetTopologyExtension.CAPTURE_DIR, dir.toString()), FailingSample.class);
        assertThat(r.summary().getSummary().getTestsFailedCount()).isEqualTo(1);
        assertThat(r.summary().getSummary().getFailures().get(0).getException())
                .hasMessage("the sample fails on purpose");
        assertThat(HOLDERS).hasSize(2).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isEmpty());
        List<String> pcaps = r.entries().stream().map(e -> e.getKeyValuePairs().get("jnet.pcap"))
                .filter(v -> v != null).toList();
        // the impaired link's two ends and the veth pair
        assertThat(pcaps).hasSize(3).anyMatch(p -> p.endsWith("veth-a-veth0--b-veth0.pcap")).allSatisfy(p -> {
            assertThat(Path.of(p)).startsWith(dir.toAbsolutePath());
            assertThat(TopologyTest.icmpTypes(Path.of(p))).contains(8, 0); // the ping's frames are in it
        });
    }

    @Test
    void onlyTestsThatTakeATopologyDependOnUserNamespaces() throws Exception {
        assertThat(JnetTopologyExtension.takesTopology(
                ParallelSample.class.getDeclaredMethod("pingsAcrossItsOwnVeth", Topology.class))).isTrue();
        assertThat(JnetTopologyExtension.takesTopology(
                JnetTopologyExtensionTest.class.getDeclaredMethod("onlyTestsThatTakeATopologyDependOnUserNamespaces")))
                .isFalse();
    }

    @Test
    void classesRunInParallelWithTheSameNamesAndAddresses() {
        Run r = run(Map.of("junit.jupiter.execution.parallel.enabled", "true",
                "junit.jupiter.execution.parallel.mode.classes.default", "concurrent",
                "junit.jupiter.execution.parallel.config.strategy", "fixed",
                "junit.jupiter.execution.parallel.config.fixed.parallelism", "2",
                JnetTopologyExtension.CAPTURE_DIR, dir.toString()),
                ParallelSampleOne.class, ParallelSampleTwo.class);
        assertThat(r.summary().getSummary().getFailures()).isEmpty();
        assertThat(r.summary().getSummary().getTestsSucceededCount()).isEqualTo(2);
        assertThat(PINGS).containsOnlyKeys("ParallelSampleOne", "ParallelSampleTwo");
        // a passed test keeps no captures
        assertThat(dir.resolve(ParallelSampleOne.class.getName())).satisfiesAnyOf(
                p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    }
}
