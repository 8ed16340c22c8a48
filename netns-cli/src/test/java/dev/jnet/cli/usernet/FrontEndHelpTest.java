package dev.jnet.cli.usernet;

import dev.jnet.cli.Main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bin/slirp4netns's C front end (native/target/jnet-slirp4netns) answers --help and --version
 * itself, without the daemon (podman asks --help before every container): word for word what
 * {@code jnet usernet} prints. --help also starts the daemon in the background.
 */
class FrontEndHelpTest {
    private static final Path FRONT_END = Path.of("..", "native", "target", "jnet-slirp4netns");

    @TempDir
    Path runtime;

    private static String jvm(String arg) {
        StringWriter out = new StringWriter();
        var cl = Main.newCommandLine(new String[] {"usernet", arg});
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        assertThat(cl.execute("usernet", arg)).isZero();
        return out.toString();
    }

    private record Run(int exit, String out, String err) {}

    private Run frontEnd(String arg, Path daemon) throws IOException, InterruptedException {
        assertThat(FRONT_END).as("built by the native module (mvn -am)").isExecutable();
        ProcessBuilder pb = new ProcessBuilder(FRONT_END.toString(), arg);
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().put("JNET_USERNETD", daemon.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }

    /** A stand-in daemon that only leaves a mark (and exits without listening). */
    private Path fakeDaemon() throws IOException {
        Path script = runtime.resolve("fake-usernetd");
        Files.writeString(script, "#!/bin/sh\ntouch \"" + runtime.resolve("started") + "\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @ParameterizedTest
    @ValueSource(strings = {"--help", "-h", "--version", "-v"})
    void answersAsTheJvmDoes(String arg) throws Exception {
        Run r = frontEnd(arg, fakeDaemon());
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo(jvm(arg));
        if (arg.startsWith("-h") || arg.equals("--help")) {
            awaitDaemonStarted(); // it starts in the background: let it finish before @TempDir goes
        }
    }

    private void awaitDaemonStarted() throws InterruptedException {
        Path mark = runtime.resolve("started");
        for (int i = 0; i < 100 && !Files.exists(mark); i++) {
            Thread.sleep(50);
        }
        assertThat(mark).as("the daemon's command ran").exists();
    }

    @Test
    void helpStartsTheDaemonInTheBackground() throws Exception {
        Run r = frontEnd("--help", fakeDaemon());
        assertThat(r.exit()).isZero();
        awaitDaemonStarted();
    }

    @Test
    void versionStartsNothing() throws Exception {
        assertThat(frontEnd("--version", fakeDaemon()).exit()).isZero();
        Thread.sleep(300);
        assertThat(runtime.resolve("started")).doesNotExist();
    }
}
