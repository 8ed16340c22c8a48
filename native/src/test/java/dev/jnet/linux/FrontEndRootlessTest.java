package dev.jnet.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * jnet-slirp4netns --jnet-rootless (what ./jnet execs for {@code jnet rootless}): what it hands to
 * the JVM's {@code jnet rootless} instead of running itself, seen through a stand-in for the
 * JVM that prints its arguments (no namespaces, no privileges).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FrontEndRootlessTest {
    private static final Path FRONT_END = Path.of("target", "jnet-slirp4netns");

    @Test
    void optionsItDoesNotTakeGoToTheJvmsStandaloneRunWithTheJavaOptions(@TempDir Path dir) throws Exception {
        Path java = standIn(dir, "java");
        String out = run(dir, java + " -cp x dev.jnet.cli.Main", "-Da=1 -Db=2", "--publish", "8080:80", "--", "true");
        assertThat(out).isEqualTo("-Da=1 -Db=2 -cp x dev.jnet.cli.Main rootless --publish 8080:80 -- true|1\n");
    }

    @Test
    void noCommandIsTheJvmsUsageError(@TempDir Path dir) throws Exception {
        Path java = standIn(dir, "java");
        assertThat(run(dir, java.toString(), "", "--")).isEqualTo("rootless --|1\n");
        assertThat(run(dir, java.toString(), "", "-6", "--mtu", "1500")).isEqualTo("rootless -6 --mtu 1500|1\n");
    }

    @Test
    void aLauncherThatIsNotJavaGetsNoJavaOptions(@TempDir Path dir) throws Exception {
        Path jnet = standIn(dir, "jnet");
        assertThat(run(dir, jnet.toString(), "-Da=1", "--cidr", "10.0.9.0/24", "--", "true"))
                .isEqualTo("rootless --cidr 10.0.9.0/24 -- true|1\n");
    }

    /** An executable NAME in dir/bin that prints its arguments and JNET_USERNET_STANDALONE. */
    private static Path standIn(Path dir, String name) throws Exception {
        Path p = Files.createDirectories(dir.resolve("bin")).resolve(name);
        Files.writeString(p, "#!/bin/sh\necho \"$*|${JNET_USERNET_STANDALONE:-}\"\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static String run(Path dir, String cli, String javaOpts, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin", "XDG_RUNTIME_DIR=" + dir,
                "JNET_CLI=" + cli, "JNET_JAVA_OPTS=" + javaOpts, FRONT_END.toAbsolutePath().toString(), "--jnet-rootless"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
