package dev.jnet.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The skip reason names the setting that forbids user namespaces (a fake /proc/sys). */
class UserNamespacesTest {
    @TempDir
    Path sys;

    private void set(String key, String value) throws Exception {
        Path p = sys.resolve(key);
        Files.createDirectories(p.getParent());
        Files.writeString(p, value + "\n");
    }

    @Test
    void debiansSwitch() throws Exception {
        set("kernel/unprivileged_userns_clone", "0");
        set("user/max_user_namespaces", "100");
        assertThat(UserNamespaces.explain(sys, "unshare(CLONE_NEWUSER) failed: Operation not permitted"))
                .isEqualTo("user namespaces are not available (unshare(CLONE_NEWUSER) failed: Operation not permitted): "
                        + "sysctl kernel.unprivileged_userns_clone = 0 (set it to 1)");
    }

    @Test
    void noNamespacesAllowed() throws Exception {
        set("user/max_user_namespaces", "0");
        assertThat(UserNamespaces.explain(sys, "")).endsWith("sysctl user.max_user_namespaces = 0 (set it to a positive number)");
    }

    @Test
    void ubuntusAppArmor() throws Exception {
        set("kernel/apparmor_restrict_unprivileged_userns", "1");
        set("user/max_user_namespaces", "100");
        assertThat(UserNamespaces.explain(sys, "x")).contains("AppArmor restricts them: sysctl kernel.apparmor_restrict_unprivileged_userns = 1");
    }

    @Test
    void unknownCauseNamesEveryCandidate() {
        assertThat(UserNamespaces.explain(sys, "x")).contains("kernel.unprivileged_userns_clone")
                .contains("user.max_user_namespaces").contains("kernel.apparmor_restrict_unprivileged_userns");
    }
}
