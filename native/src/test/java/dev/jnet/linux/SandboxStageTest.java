package dev.jnet.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jnet-sandbox stage itself, in a user namespace of its own (no privileges needed): what a
 * shell started in the minimal root sees, and its one-line errors.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SandboxStageTest {
    /** /usr, /etc and the root's symlinks (/bin -> usr/bin, ...): enough for sh, ls and touch. */
    private static SandboxRoot shellRoot() throws IOException {
        SandboxRoot root = new SandboxRoot(SandboxRoot.Lookup.real()).tmpfs("/tmp").readOnly("/usr").readOnly("/etc")
                .proc("/proc").device("/dev/null");
        try (var top = Files.list(Path.of("/"))) {
            top.filter(Files::isSymbolicLink).forEach(p -> root.linksTo(p.toString()));
        }
        return root;
    }

    @Test
    void theShellSeesOnlyTheMinimalRootReadOnlyWhereAskedAndKeepsItsFd(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        Path marker = Files.createTempFile(Path.of("/tmp"), "jnet-host-only-", "");
        try {
            SandboxRoot root = shellRoot().readWriteDirOf(out.resolve("result").toString());
            Result r = run(root.stageArguments(), out.toString(), "ls /; echo ---; touch /usr/x 2>&1; touch /x 2>&1; "
                    + "echo written > result && echo rw ok; ls -a /tmp; echo hi >&9");
            assertThat(r.status).as(r.err).isZero();
            String[] parts = r.out.split("---\n", 2);
            assertThat(parts[0].lines().toList()).contains("usr", "etc", "proc", "dev", "tmp")
                    .doesNotContain("home", "root", "var");
            assertThat(parts[1]).contains("touch: cannot touch '/usr/x': Read-only file system",
                    "touch: cannot touch '/x': Read-only file system", "rw ok");
            assertThat(Files.readString(out.resolve("result"))).isEqualTo("written\n");
            // /tmp is private: the host's files are not in it
            assertThat(parts[1]).doesNotContain(marker.getFileName().toString());
            assertThat(r.fd9).isEqualTo("hi\n");
        } finally {
            Files.delete(marker);
        }
    }

    @Test
    void aStepThatFailsIsOneLineAndExitOne() throws Exception {
        Result r = run(List.of("--ro", "/nonexistent/jnet-x"), "/", "true");
        assertThat(r.status).isEqualTo(1);
        assertThat(r.err).isEqualTo("jnet-sandbox: open /nonexistent/jnet-x: No such file or directory (ENOENT)\n");
        Result exec = run(shellRoot().stageArguments(), "/", null);
        assertThat(exec.status).isEqualTo(1);
        assertThat(exec.err).isEqualTo("jnet-sandbox: exec /nonexistent/cmd: No such file or directory (ENOENT)\n");
    }

    private record Result(int status, String out, String err, String fd9) {}

    /** The stage with these steps, fd 9 open on a file, running {@code sh -c script} (null: a missing command). */
    private static Result run(List<String> steps, String chdir, String script) throws Exception {
        Path base = Files.createTempDirectory("jnet-stage-test");
        try {
            List<String> stage = new ArrayList<>(List.of(SandboxStage.binary().toString(), "--userns", "--keep-fd", "9",
                    "--chdir", chdir));
            stage.addAll(steps);
            stage.add("--");
            if (script == null) {
                stage.add("/nonexistent/cmd");
            } else {
                stage.addAll(List.of("/bin/sh", "-c", script));
            }
            Path fd9 = base.resolve("fd9");
            // fd 9 is opened by a shell in front: Java passes only 0-2
            List<String> cmd = new ArrayList<>(List.of("sh", "-c", "exec 9>\"$0\"; exec \"$@\"", fd9.toString()));
            cmd.addAll(stage);
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            return new Result(p.exitValue(), out, err, Files.readString(fd9));
        } finally {
            try (var s = Files.walk(base)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
