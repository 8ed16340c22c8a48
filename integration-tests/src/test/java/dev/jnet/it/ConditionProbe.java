package dev.jnet.it;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs {@link Sample} (a {@link RequiresRoot} test) with the JUnit launcher and prints what
 * happened, so that {@link RequiresRootConditionTest} can run it in a child JVM as a non-root
 * user, with and without {@code CI=true}. Not a test class itself.
 */
public final class ConditionProbe {
    private ConditionProbe() {}

    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(Sample.class))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        System.out.println("started=" + s.getTestsStartedCount()
                + " succeeded=" + s.getTestsSucceededCount()
                + " skipped=" + (s.getTestsSkippedCount() + s.getContainersSkippedCount())
                + " failed=" + s.getTotalFailureCount());
        s.getFailures().forEach(f -> System.out.println("failure: " + f.getException().getMessage()));
    }

    /** Would pass if it ran: only the condition can make it skip or fail. */
    @RequiresRoot
    public static class Sample {
        @Test
        void needsRoot() {
            System.out.println("sample ran");
        }
    }
}
