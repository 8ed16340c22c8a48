package dev.jnet.it;

import dev.jnet.junit.JnetTopologyExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An integration test class: {@link JnetExtension} (the CLI, named namespaces, the test user,
 * clean-up), jnet-junit's {@link JnetTopologyExtension} (a {@link dev.jnet.junit.Topology}
 * parameter: unnamed namespaces and links, disposed after the test, pcaps attached when it
 * fails) and a preemptive per-test time limit, so that a hung command fails the test instead of the build. Combine
 * with {@link RequiresRoot}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(JnetExtension.class)
@ExtendWith(JnetTopologyExtension.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public @interface JnetIntegrationTest {}
