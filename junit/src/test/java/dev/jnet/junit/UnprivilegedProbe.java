package dev.jnet.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.jnet.linux.Syscalls;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs {@link Sample} with the JUnit launcher and prints what happened, for
 * {@link UnprivilegedUserTest} to run in a JVM of the unprivileged user. Not a test class itself.
 */
public final class UnprivilegedProbe {
    private UnprivilegedProbe() {}

    public static void main(String[] args) {
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        TestExecutionListener skips = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("skipped: " + reason);
            }
        };
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Sample.class))
                .build(), listener, skips);
        TestExecutionSummary s = listener.getSummary();
        System.out.println("succeeded=" + s.getTestsSucceededCount() + " failed=" + s.getTotalFailureCount());
        s.getFailures().forEach(f -> f.getException().printStackTrace(System.out));
    }

    /** What a user's test does, rootless: namespaces, a veth, a user-mode internet with a zone and a fake host. */
    @ExtendWith(JnetTopologyExtension.class)
    public static class Sample {
        @Test
        void topologyAndInternetAsAnUnprivilegedUser(Topology t) throws Exception {
            assertThat(Syscalls.geteuid()).isNotZero();
            assertThat(t.isRootless()).isTrue();
            Netns a = t.namespace("a");
            Netns b = t.namespace("b");
            t.veth(a, "eth0", b, "eth0");
            a.address("eth0", "10.7.0.1/24");
            b.address("eth0", "10.7.0.2/24");
            assertThat(TopologyTest.run(a, "ping", "-c1", "-W5", "10.7.0.2")).contains("1 received");
            Internet net = t.internet(b);
            net.host("203.0.113.80").serve(80, s -> InternetTest.answer(s, "rootless hello"));
            net.address("svc.example.test", "203.0.113.80");
            assertThat(TopologyTest.run(b, "dig", "+short", "+time=3", "+tries=2", "@" + Internet.DNS,
                    "svc.example.test")).isEqualTo("203.0.113.80\n");
            assertThat(TopologyTest.run(b, "curl", "-sS", "--max-time", "10", "http://203.0.113.80/"))
                    .isEqualTo("rootless hello");
            System.out.println(new String(("rootless sample passed as uid " + Syscalls.geteuid())
                    .getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        }
    }
}
