package dev.jnet.it;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test needs root (and, with {@link #testUser}, the unprivileged test user too).
 * Without them it is skipped; but when the environment has {@code CI=true} it fails instead,
 * so that a CI set-up that lost its privileges cannot pass by running nothing.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RequiresRootCondition.class)
public @interface RequiresRoot {
    /** Also needs the unprivileged user {@code $JNET_TEST_USER} (default {@code tester}). */
    boolean testUser() default false;
}
