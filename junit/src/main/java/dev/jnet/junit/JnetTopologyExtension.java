package dev.jnet.junit;

import dev.jnet.linux.Syscalls;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MediaType;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving a test (or a {@code @BeforeAll} method) a fresh {@link Topology}
 * parameter, disposed after the test (after the class for {@code @BeforeAll}), whether it
 * passed or failed. When the test failed, the pcap file of each impaired link's ends is attached
 * to the test's report ({@link ExtensionContext#publishFile}, and a report entry naming where it
 * is kept); after a pass the captures are deleted. Without root, where user namespaces are
 * forbidden, tests that take a topology are skipped (not failed) with the setting that forbids them;
 * the other tests of the class run.
 *
 * <p>Captures go under {@code target/jnet-pcap} (configuration parameter or system property {@value #CAPTURE_DIR}), one
 * directory per test. Safe under parallel execution: topologies share nothing.
 *
 * <pre>{@code
 * @ExtendWith(JnetTopologyExtension.class)
 * class MyTest {
 *     @Test
 *     void survivesLoss(Topology t) throws Exception { ... }
 * }
 * }</pre>
 */
public final class JnetTopologyExtension implements ParameterResolver, ExecutionCondition, AfterEachCallback,
        AfterAllCallback {
    /**
     * Configuration parameter (junit-platform.properties) or system property: the directory
     * captures are written under (default {@code target/jnet-pcap}).
     */
    public static final String CAPTURE_DIR = "jnet.junit.captureDir";
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(JnetTopologyExtension.class);
    private static final MediaType PCAP = MediaType.create("application", "vnd.tcpdump.pcap");

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext ec) {
        boolean needs = ec.getTestMethod().map(JnetTopologyExtension::takesTopology)
                .orElseGet(() -> Arrays.stream(ec.getRequiredTestClass().getDeclaredMethods())
                        .anyMatch(m -> m.isAnnotationPresent(BeforeAll.class) && takesTopology(m)));
        if (!needs) {
            return ConditionEvaluationResult.enabled("takes no topology");
        }
        if (Syscalls.geteuid() == 0) {
            return ConditionEvaluationResult.enabled("root: rootful topologies");
        }
        Optional<String> why = UserNamespaces.unavailableReason();
        return why.isPresent() ? ConditionEvaluationResult.disabled(why.get())
                : ConditionEvaluationResult.enabled("user namespaces available: rootless topologies");
    }

    /** Whether {@code m} asks for a {@link Topology}: only then can missing user namespaces skip it. */
    static boolean takesTopology(Method m) {
        return Arrays.asList(m.getParameterTypes()).contains(Topology.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == Topology.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        return ec.getStore(NS).getOrComputeIfAbsent(Topology.class, k -> Topology.create(captureDir(ec)),
                Topology.class);
    }

    @Override
    public void afterEach(ExtensionContext ec) {
        dispose(ec);
    }

    @Override
    public void afterAll(ExtensionContext ec) {
        dispose(ec);
    }

    private static void dispose(ExtensionContext ec) {
        Topology t = ec.getStore(NS).remove(Topology.class, Topology.class);
        if (t == null) {
            return;
        }
        try {
            t.close();
        } finally {
            if (ec.getExecutionException().isPresent()) {
                attach(ec, t);
            } else {
                t.deleteCaptures();
            }
        }
    }

    /** Attaches every capture to the failed test's report. */
    private static void attach(ExtensionContext ec, Topology t) {
        for (Path capture : t.captures()) {
            if (!Files.exists(capture)) {
                continue;
            }
            ec.publishReportEntry("jnet.pcap", capture.toAbsolutePath().toString());
            try {
                ec.publishFile(capture.getFileName().toString(), PCAP,
                        target -> Files.copy(capture, target, StandardCopyOption.REPLACE_EXISTING));
            } catch (RuntimeException e) {
                // no reporting output directory configured: the report entry names the file
            }
        }
    }

    private static Path captureDir(ExtensionContext ec) {
        Path base = Path.of(ec.getConfigurationParameter(CAPTURE_DIR)
                .orElse(System.getProperty(CAPTURE_DIR, "target/jnet-pcap")));
        String cls = ec.getRequiredTestClass().getName();
        String test = ec.getTestMethod().map(m -> m.getName()).orElse("class");
        // the unique id tells repetitions and parameterized invocations apart
        String id = Integer.toHexString(ec.getUniqueId().hashCode());
        return base.resolve(cls).resolve(test + "-" + id);
    }
}
