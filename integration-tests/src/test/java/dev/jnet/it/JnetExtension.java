package dev.jnet.it;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link JnetCli} (the staged CLI, as root), a {@link HostNetns} (names and
 * clean-up of /run/netns) and a {@link TestUser} (a fresh rootless session), and after each
 * test removes whatever the test left: the user's processes and runtime directory, then every
 * {@code jit-<pid>-} namespace and /etc/netns directory. This runs even when the test failed.
 */
public final class JnetExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(JnetExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        return t == JnetCli.class || t == HostNetns.class || t == TestUser.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        ExtensionContext.Store store = ec.getStore(NS);
        if (t == JnetCli.class) {
            return new JnetCli(Dist.get(), null);
        }
        if (t == HostNetns.class) {
            return store.getOrComputeIfAbsent(HostNetns.class, k -> new HostNetns(), HostNetns.class);
        }
        return store.getOrComputeIfAbsent(TestUser.class, k -> TestUser.create(Dist.get()), TestUser.class);
    }

    @Override
    public void afterEach(ExtensionContext ec) {
        ExtensionContext.Store store = ec.getStore(NS);
        List<RuntimeException> failures = new ArrayList<>();
        TestUser user = store.remove(TestUser.class, TestUser.class);
        if (user != null) {
            try {
                user.close();
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        store.remove(HostNetns.class, HostNetns.class);
        if (RequiresRootCondition.effectiveUid() == 0) {
            try {
                new HostNetns().close(); // by prefix: also what a test made without asking for a HostNetns
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
