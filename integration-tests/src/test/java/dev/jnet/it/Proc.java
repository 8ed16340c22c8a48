package dev.jnet.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external commands with a deadline; output goes to files, so nothing can block on a full pipe. */
public final class Proc {
    /** Long enough for a JVM start on a busy 2-core machine, short enough to fail a hang fast. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private Proc() {}

    /** What a finished command did. */
    public record Result(List<String> command, int exit, String stdout, String stderr) {
        public List<String> stdoutLines() {
            return lines(stdout);
        }

        public List<String> stderrLines() {
            return lines(stderr);
        }

        private static List<String> lines(String s) {
            return s.lines().toList();
        }

        /** For assertion messages: the command and everything it said. */
        public String describe() {
            return "command " + command + " exited " + exit + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    /** A started command whose output is collected in files. */
    public static final class Running {
        private final List<String> command;
        private final Process process;
        private final Path out;
        private final Path err;

        private Running(List<String> command, Process process, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public Process process() {
            return process;
        }

        /** What it has written to stdout so far (to wait for a line while it runs). */
        public String stdoutSoFar() {
            return read(out);
        }

        /** SIGKILL (what {@code kill -9} sends) to the process itself, not its children. */
        public void kill9() {
            process.destroyForcibly();
        }

        /** Waits for the end; on timeout kills the whole tree and fails the test. */
        public Result await(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    killTree(process);
                    String partial = read(out) + read(err);
                    delete();
                    fail("command %s did not finish within %s; output so far:%n%s", command, timeout, partial);
                }
                return new Result(command, process.exitValue(), read(out), read(err));
            } catch (InterruptedException e) {
                killTree(process);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for " + command, e);
            } finally {
                if (!process.isAlive()) {
                    delete();
                }
            }
        }

        private void delete() {
            try {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            } catch (IOException ignored) {
                // temp files: best effort
            }
        }
    }

    public static Result run(String... command) {
        return run(DEFAULT_TIMEOUT, List.of(command));
    }

    public static Result run(Duration timeout, List<String> command) {
        return start(command, null).await(timeout);
    }

    /** Starts {@code command} with stdin on /dev/null, in {@code dir} (or the current directory). */
    public static Running start(List<String> command, Path dir) {
        try {
            Path out = Files.createTempFile("jit-out-", ".txt");
            Path err = Files.createTempFile("jit-err-", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            return new Running(List.copyOf(command), pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + command, e);
        }
    }

    /** Kills the process and everything below it (children first, so none is re-parented and missed). */
    public static void killTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
