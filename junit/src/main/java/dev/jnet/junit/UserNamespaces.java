package dev.jnet.junit;

import dev.jnet.linux.Helper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether this process may make user namespaces (what a rootless topology needs), and if not,
 * which setting forbids it, in words a test report can show: Debian's
 * {@code kernel.unprivileged_userns_clone}, {@code user.max_user_namespaces}, Ubuntu's AppArmor
 * {@code kernel.apparmor_restrict_unprivileged_userns}.
 */
public final class UserNamespaces {
    private static volatile Optional<String> cached;

    private UserNamespaces() {}

    /** Empty when a user namespace can be made here; otherwise why not. Tried once per JVM. */
    public static Optional<String> unavailableReason() {
        Optional<String> r = cached;
        if (r == null) {
            r = probe();
            cached = r;
        }
        return r;
    }

    private static Optional<String> probe() {
        try {
            Process p = new ProcessBuilder(Helper.command().unshareUser().exec(List.of("/bin/true")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("making a user namespace did not finish in 10 s");
            }
            return p.exitValue() == 0 ? Optional.empty() : Optional.of(explain(Path.of("/proc/sys"), err));
        } catch (IOException e) {
            return Optional.of("cannot run jnet-helper to try a user namespace: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted trying a user namespace");
        }
    }

    /**
     * The reason user namespaces failed with {@code error}, naming the setting under
     * {@code sysctl} (normally /proc/sys) that forbids them, or all candidates when none reads so.
     */
    static String explain(Path sysctl, String error) {
        String prefix = "user namespaces are not available (" + (error.isEmpty() ? "unshare failed" : error) + "): ";
        if ("0".equals(read(sysctl.resolve("kernel/unprivileged_userns_clone")))) {
            return prefix + "sysctl kernel.unprivileged_userns_clone = 0 (set it to 1)";
        }
        if ("0".equals(read(sysctl.resolve("user/max_user_namespaces")))) {
            return prefix + "sysctl user.max_user_namespaces = 0 (set it to a positive number)";
        }
        if ("1".equals(read(sysctl.resolve("kernel/apparmor_restrict_unprivileged_userns")))) {
            return prefix + "AppArmor restricts them: sysctl kernel.apparmor_restrict_unprivileged_userns = 1 "
                    + "(set it to 0, or give java an AppArmor profile with the userns permission)";
        }
        return prefix + "check sysctl kernel.unprivileged_userns_clone, user.max_user_namespaces, "
                + "kernel.apparmor_restrict_unprivileged_userns, and seccomp policies of a container";
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (IOException e) {
            return null;
        }
    }
}
