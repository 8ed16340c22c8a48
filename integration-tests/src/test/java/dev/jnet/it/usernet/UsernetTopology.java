package dev.jnet.it.usernet;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: one {@link UsernetSandbox} per test class, built before the first test and
 * torn down after the last (also when tests or the set-up failed), injected as a parameter.
 *
 * <pre>
 *   guest (unshare -unUr, user tester)  --tap0--  usernet (user tester)
 *   10.0.2.100/24, gw 10.0.2.2, dns 10.0.2.3       runs in netns itx-P-N-host:
 *                                                  lo (127.0.0.1:8080 host-loopback server),
 *                                                  up0 198.51.100.2/24, default via .1
 *                                                      |
 *                                                  netns itx-P-N-inet: down0 198.51.100.1/24,
 *                                                  lo 203.0.113.10 (web :80, UDP echo :7,
 *                                                  TCP :9000-9002), 203.0.113.53 (DNS :53),
 *                                                  2001:db8::10 (web :80, UDP echo :7);
 *                                                  IPv6 over the veth: 2001:db8:1::2 / ::1
 * </pre>
 *
 * Before each test the default usernet run (no flags) is restored if a test changed it, and
 * the servers' records are cleared. Use through {@link UsernetTest}, which also applies the
 * root and test-user requirement (skip without them, fail under {@code CI=true}).
 */
public final class UsernetTopology implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(UsernetTopology.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        context.getStore(NS).put(UsernetSandbox.class, UsernetSandbox.create());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        UsernetSandbox sandbox = context.getStore(NS).remove(UsernetSandbox.class, UsernetSandbox.class);
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        UsernetSandbox sandbox = sandbox(context);
        sandbox.ensureDefaultUsernet();
        sandbox.internet().clear();
        sandbox.hostLoopback().clear();
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        return pc.getParameter().getType() == UsernetSandbox.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        return sandbox(ec);
    }

    private static UsernetSandbox sandbox(ExtensionContext ec) {
        UsernetSandbox s = ec.getStore(NS).get(UsernetSandbox.class, UsernetSandbox.class);
        if (s == null) {
            throw new IllegalStateException("no usernet sandbox: its set-up failed (see the first error)");
        }
        return s;
    }
}
