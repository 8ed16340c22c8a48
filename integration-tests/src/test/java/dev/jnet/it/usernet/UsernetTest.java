package dev.jnet.it.usernet;

import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.RequiresRoot;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against a {@link UsernetTopology}: needs root and the test user
 * (checked first, so a missing privilege skips or fails before any namespace is made), has the
 * integration tests' per-test time limit and clean-up, and gets a {@link UsernetSandbox}
 * parameter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@RequiresRoot(testUser = true)
@JnetIntegrationTest
@ExtendWith(UsernetTopology.class)
public @interface UsernetTest {}
