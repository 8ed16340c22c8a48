package dev.jnet.it;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.jnet.it.usernet.UsernetSandbox;
import dev.jnet.it.usernet.UsernetTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs {@link Sample} (a {@link RequiresRoot} test) and {@link UsernetSample} (a
 * {@link UsernetTest}, which must be decided before its topology is built) with the JUnit
 * launcher and prints what happened, so that {@link RequiresRootConditionTest} can run them in
 * a child JVM as a non-root user, with and without {@code CI=true}. Not a test class itself.
 */
public final class ConditionProbe {
    private ConditionProbe() {}

    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Sample.class), selectClass(UsernetSample.class))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        TestExecutionListener skips = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                System.out.println("skipped: " + id.getDisplayName());
            }
        };
        launcher.execute(request, listener, skips);
        TestExecutionSummary s = listener.getSummary();
        System.out.println("started=" + s.getTestsStartedCount()
                + " succeeded=" + s.getTestsSucceededCount()
                + " skipped=" + (s.getTestsSkippedCount() + s.getContainersSkippedCount())
                + " failed=" + s.getTotalFailureCount());
        s.getFailures().forEach(f -> System.out.println("failure: " + f.getException().getMessage()));
        s.getFailures().forEach(f -> System.out.println("failed: " + f.getTestIdentifier().getDisplayName() + ": "
                + String.valueOf(f.getException().getMessage()).lines().findFirst().orElse("")));
    }

    /** Would pass if it ran: only the condition can make it skip or fail. */
    @RequiresRoot
    public static class Sample {
        @Test
        void needsRoot() {
            System.out.println("sample ran");
        }
    }

    /** Would pass if it ran; its topology could not even be built without root. */
    @UsernetTest
    public static class UsernetSample {
        @Test
        void needsTheSandbox(UsernetSandbox net) {
            System.out.println("usernet sample ran in " + net.hostNetns());
        }
    }
}
