package dev.jnet.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.linux.Syscalls;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rootless path as users meet it: a JVM of the unprivileged user ({@code $JNET_TEST_USER},
 * default {@code tester}) runs a test class with the extension. Needs root to start that JVM;
 * skipped, with the reason, when the user is missing or may not make user namespaces.
 */
class UnprivilegedUserTest {
    @TempDir
    Path stage;

    static String user() {
        String u = System.getenv("JNET_TEST_USER");
        return u == null || u.isBlank() ? "tester" : u;
    }

    @Test
    void aTestClassRunsRootlessAsTheUnprivilegedUser() throws Exception {
        assumeTrue(Syscalls.geteuid() == 0, "starting a JVM as " + user() + " needs root (as non-root, every "
                + "topology test here is rootless already)");
        Optional<String> uid = run(List.of("id", "-u", user()), 10).filter(r -> r.exit == 0).map(r -> r.out.trim());
        assumeTrue(uid.isPresent(), "no user " + user() + " (set JNET_TEST_USER)");
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + user(), "--regid=" + user(), "--init-groups",
                "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/tmp",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC",
                "-D" + JnetTopologyExtension.CAPTURE_DIR + "=" + shared("pcap"),
                "-cp", readableClassPath(), UnprivilegedProbe.class.getName()));
        Result r = run(cmd, 180).orElseThrow();
        System.out.print("as " + user() + ":\n" + r.out);
        Optional<String> skipped = r.out.lines().filter(l -> l.startsWith("skipped: ")).findFirst();
        assumeTrue(skipped.isEmpty(), () -> user() + " may not make user namespaces: " + skipped.get().substring(9));
        assertThat(r.exit).as(r.out).isZero();
        assertThat(r.out).as(r.out).contains("succeeded=1 failed=0", "rootless sample passed as uid " + uid.get());
    }

    private record Result(int exit, String out) {}

    private Optional<Result> run(List<String> cmd, int seconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).directory(stage.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes(); // ends when the process (and its children) close it
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " still runs after " + seconds + " s");
        }
        return Optional.of(new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8)));
    }

    /** A directory under the stage anyone may write (the user's captures). */
    private String shared(String name) throws IOException {
        Path d = Files.createDirectories(stage.resolve(name));
        Files.setPosixFilePermissions(stage, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        return d.toString();
    }

    /**
     * This JVM's class path for the user: entries others can read stay (the build's target
     * directories), jars they cannot (under root's home) are copied into the stage.
     */
    private String readableClassPath() throws IOException {
        Path jars = Files.createDirectories(stage.resolve("jars"));
        Files.setPosixFilePermissions(stage, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(jars, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (Files.isDirectory(p) && readableByOthers(p)) {
                entries.add(e);
            } else if (Files.isRegularFile(p)) {
                Path copy = jars.resolve(n++ + "-" + p.getFileName());
                Files.copy(p, copy);
                Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                entries.add(copy.toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Whether others may enter every directory down to {@code p}. */
    private static boolean readableByOthers(Path p) throws IOException {
        for (Path d = p.toAbsolutePath(); d != null; d = d.getParent()) {
            if (!Files.getPosixFilePermissions(d).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }
}
