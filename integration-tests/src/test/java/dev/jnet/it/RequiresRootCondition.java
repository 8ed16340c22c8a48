package dev.jnet.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Implements {@link RequiresRoot}: a missing privilege disables the test (skipped), unless
 * {@code CI=true}, in which case the test stays enabled and fails before it starts.
 */
public final class RequiresRootCondition implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback {
    /** What to do with a test, given the environment. */
    public enum Decision { RUN, SKIP, FAIL }

    /**
     * The rule itself, free of the environment so it can be tested: {@code missing} is why
     * the test cannot run (empty when it can), {@code ci} the value of {@code $CI}.
     */
    public static Decision decide(Optional<String> missing, String ci) {
        if (missing.isEmpty()) {
            return Decision.RUN;
        }
        return "true".equalsIgnoreCase(ci == null ? "" : ci.strip()) ? Decision.FAIL : Decision.SKIP;
    }

    /** Why a test annotated so cannot run here, or empty. */
    static Optional<String> missing(RequiresRoot annotation) {
        int euid = effectiveUid();
        if (euid != 0) {
            return Optional.of("needs root (running as uid " + euid + ")");
        }
        if (annotation.testUser() && TestUser.lookupUid().isEmpty()) {
            return Optional.of("needs the unprivileged user \"" + TestUser.configuredName()
                    + "\" (set JNET_TEST_USER, or create it)");
        }
        return Optional.empty();
    }

    /** The effective uid, from /proc/self/status ("Uid: real effective saved fs"). */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no Uid: line in /proc/self/status");
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<RequiresRoot> a = annotation(context);
        if (a.isEmpty()) {
            return ConditionEvaluationResult.enabled("no @RequiresRoot");
        }
        Optional<String> missing = missing(a.get());
        return switch (decide(missing, System.getenv("CI"))) {
            case RUN -> ConditionEvaluationResult.enabled("privileges present");
            case SKIP -> ConditionEvaluationResult.disabled("skipped: " + missing.get());
            case FAIL -> ConditionEvaluationResult.enabled("CI=true: will fail, " + missing.get());
        };
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        check(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context);
    }

    private static void check(ExtensionContext context) {
        Optional<RequiresRoot> a = annotation(context);
        if (a.isEmpty()) {
            return;
        }
        Optional<String> missing = missing(a.get());
        if (decide(missing, System.getenv("CI")) == Decision.FAIL) {
            throw new AssertionError("CI=true, so this test may not be skipped, but it " + missing.get());
        }
    }

    /** The nearest annotation: on the method, else on the class or an enclosing class. */
    private static Optional<RequiresRoot> annotation(ExtensionContext context) {
        Optional<AnnotatedElement> element = context.getElement();
        Optional<RequiresRoot> a = element.flatMap(e -> AnnotationSupport.findAnnotation(e, RequiresRoot.class));
        if (a.isPresent()) {
            return a;
        }
        for (Optional<Class<?>> c = context.getTestClass(); c.isPresent(); c = Optional.ofNullable(c.get().getEnclosingClass())) {
            a = AnnotationSupport.findAnnotation(c.get(), RequiresRoot.class);
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }
}
