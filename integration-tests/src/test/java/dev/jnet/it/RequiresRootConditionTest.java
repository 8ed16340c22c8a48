package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.RequiresRootCondition.Decision;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The skip-or-fail rule of {@link RequiresRoot}: as a function, and end to end as a non-root user. */
class RequiresRootConditionTest {
    private static final Optional<String> NOT_ROOT = Optional.of("needs root");

    @Test
    void runsWhenNothingIsMissingWhateverCiSays() {
        assertThat(RequiresRootCondition.decide(Optional.empty(), null)).isEqualTo(Decision.RUN);
        assertThat(RequiresRootCondition.decide(Optional.empty(), "true")).isEqualTo(Decision.RUN);
    }

    @Test
    void skipsOutsideCi() {
        assertThat(RequiresRootCondition.decide(NOT_ROOT, null)).isEqualTo(Decision.SKIP);
        assertThat(RequiresRootCondition.decide(NOT_ROOT, "")).isEqualTo(Decision.SKIP);
        assertThat(RequiresRootCondition.decide(NOT_ROOT, "false")).isEqualTo(Decision.SKIP);
    }

    @Test
    void failsInCi() {
        assertThat(RequiresRootCondition.decide(NOT_ROOT, "true")).isEqualTo(Decision.FAIL);
        assertThat(RequiresRootCondition.decide(NOT_ROOT, "TRUE")).isEqualTo(Decision.FAIL);
        assertThat(RequiresRootCondition.decide(NOT_ROOT, " true\n")).isEqualTo(Decision.FAIL);
    }

    /**
     * End to end: a {@code @RequiresRoot} class and a {@code @UsernetTest} class run by the JUnit
     * launcher in a JVM of the unprivileged user are skipped, and with {@code CI=true} fail (and
     * never run either way).
     */
    @Test
    @RequiresRoot(testUser = true)
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void asAnUnprivilegedUserSkipsButFailsUnderCi() throws IOException {
        Path stage = stageClassPath();
        try {
            Proc.Result local = runProbe(stage, List.of());
            assertThat(local.exit()).as(local.describe()).isZero();
            assertThat(local.stdout()).as(local.describe())
                    .containsPattern("started=0 succeeded=0 skipped=[1-9]\\d* failed=0")
                    .contains("skipped: ConditionProbe$Sample", "skipped: ConditionProbe$UsernetSample").doesNotContain("sample ran");

            Proc.Result ci = runProbe(stage, List.of("CI=true"));
            assertThat(ci.exit()).as(ci.describe()).isZero();
            assertThat(ci.stdout()).as(ci.describe())
                    .containsPattern("succeeded=0 skipped=0 failed=[1-9]")
                    .contains("failed: ConditionProbe$Sample: CI=true, so this test may not be skipped",
                            "failed: ConditionProbe$UsernetSample: CI=true, so this test may not be skipped")
                    .contains("failure: CI=true, so this test may not be skipped, but it needs root (running as uid "
                            + TestUser.lookupUid().orElseThrow() + ")")
                    .doesNotContain("sample ran");
        } finally {
            Dist.deleteTree(stage);
        }
    }

    private static Proc.Result runProbe(Path stage, List<String> env) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + TestUser.configuredName(),
                "--regid=" + TestUser.configuredName(), "--init-groups", "env", "-i",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp"));
        cmd.addAll(env);
        cmd.addAll(List.of(Dist.get().java().toString(), "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-cp", stage.resolve("classes") + ":" + stage.resolve("jars") + "/*", ConditionProbe.class.getName()));
        return Proc.start(cmd, stage).await(Proc.DEFAULT_TIMEOUT);
    }

    /** This JVM's class path (test classes and jars, some under /root) copied where the user can read it. */
    private static Path stageClassPath() throws IOException {
        Path stage = Files.createTempDirectory("jit-cp-");
        Files.setPosixFilePermissions(stage, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jars = Files.createDirectory(stage.resolve("jars"));
        Path classes = Files.createDirectory(stage.resolve("classes"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    for (Path f : s.toList()) {
                        Path to = classes.resolve(p.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(to);
                        } else if (!Files.exists(to)) {
                            Files.copy(f, to);
                        }
                    }
                }
            } else if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
                Path to = jars.resolve(p.getFileName());
                if (!Files.exists(to)) {
                    Files.copy(p, to);
                }
            }
        }
        try (Stream<Path> s = Files.walk(stage)) {
            for (Path f : s.toList()) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return stage;
    }

    @Test
    void effectiveUidMatchesTheProcess() {
        assertThat(RequiresRootCondition.effectiveUid()).isEqualTo(dev.jnet.linux.Syscalls.geteuid());
    }
}
