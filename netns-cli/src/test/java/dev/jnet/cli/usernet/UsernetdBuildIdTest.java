package dev.jnet.cli.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.cli.Main;
import dev.jnet.linux.BuildId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The front end (native/target/jnet-slirp4netns) and {@code jnet usernetd} agree on the build:
 * the front end's compiled-in id is the jar's {@link BuildId}, it is part of the socket's name,
 * it is handed to a daemon the front end starts, and a daemon of another build refuses to run
 * for it (the front end then exits 1 saying so).
 */
class UsernetdBuildIdTest {
    private static final Path FRONT_END = Path.of("..", "native", "target", "jnet-slirp4netns");

    @TempDir
    Path runtime;

    @Test
    void theBuildIdIsAHashOfTheSources() {
        assertThat(BuildId.value()).matches("[0-9a-f]{16}");
    }

    @Test
    void theSocketLockAndLogNamesCarryTheBuildId() {
        UsernetdPaths p = UsernetdPaths.current();
        String suffix = "-" + BuildId.value();
        assertThat(p.socket().getFileName().toString()).matches("usernetd-\\d+" + suffix + "\\.sock");
        assertThat(p.lock().getFileName().toString()).matches("usernetd-\\d+" + suffix + "\\.lock");
        assertThat(p.log().getFileName().toString()).matches("usernetd-\\d+" + suffix + "\\.log");
    }

    @Test
    void aDaemonOfAnotherBuildRefusesToStart() {
        StringWriter err = new StringWriter();
        var cl = Main.newCommandLine(new String[] {"usernetd"});
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("usernetd", "--build-id", "0123456789abcdef", "--idle-exit", "1")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("jnet usernetd: this is build " + BuildId.value()
                + ", the front end that started it is build 0123456789abcdef\n");
    }

    @Test
    void theFrontEndHandsItsBuildToTheDaemonItStartsAndExitsWhenTheDaemonIsAnother() throws Exception {
        assertThat(FRONT_END).as("built by the native module (mvn -am)").isExecutable();
        // a stand-in daemon of another build: records its arguments, answers as a real one would
        Path args = runtime.resolve("args");
        Path daemon = runtime.resolve("other-usernetd");
        Files.writeString(daemon, "#!/bin/sh\necho \"$@\" > \"" + args + "\"\nprintf 'build 0123456789abcdef' >&3\n");
        Files.setPosixFilePermissions(daemon, PosixFilePermissions.fromString("rwx------"));

        ProcessBuilder pb = new ProcessBuilder(FRONT_END.toString(), "2147483647", "tap0");
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().put("JNET_USERNETD", daemon.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(err).isEqualTo(1);
        assertThat(out).isEmpty();
        assertThat(err).isEqualTo("jnet usernet: jnet usernetd is build 0123456789abcdef, this front end build "
                + BuildId.value() + ": they do not talk to each other (rebuild both, or point JNET_USERNETD at "
                + "this build's jnet)\n");
        assertThat(Files.readString(args)).isEqualTo("--build-id " + BuildId.value() + " --notify-fd 3\n");
        // the starters' lock of a daemon that never ran goes; the log (empty here) stays for what it says
        try (var files = Files.list(runtime.resolve("jnet"))) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .allMatch(n -> n.matches("usernetd-\\d+-" + BuildId.value() + "\\.log"));
        }
    }
}
