package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launchers' first run ({@code ./jnet}, {@code bin/cni/jnet-bridge}, both through
 * {@code bin/jnet-build}): copies of the real scripts in a scratch checkout without a build, on a
 * PATH of basic tools plus stand-ins for java, javac, mvn and cc that a case leaves out or
 * changes. A missing or old tool is one line naming its Debian package, status 1, before any
 * build; a build shows one line per module with its time; a failed build shows Maven's errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherBuildTest {
    /** What the scripts run besides the stand-ins. */
    private static final List<String> TOOLS = List.of("sh", "date", "mkdir", "head", "grep", "touch", "mv", "rm",
            "cat", "dirname", "readlink", "chmod");
    /** Maven's -B output for a three-module reactor, as far as the progress reader cares. */
    private static final String REACTOR = """
            [INFO] Scanning for projects...
            [INFO] ------------------------------------------------------------------------
            [INFO] Building jnet 0.1.0-SNAPSHOT                                         [1/3]
            [INFO] Building jnet native 0.1.0-SNAPSHOT                                  [2/3]
            [INFO] --- exec-maven-plugin:3.5.0:exec (compile-helper) @ jnet-native ---
            [INFO] Building jar: $ROOT/native/target/jnet-native-0.1.0-SNAPSHOT.jar
            [INFO] Building jnet netns-cli 0.1.0-SNAPSHOT                               [3/3]
            """;

    private Path root;
    private Path fake;

    @BeforeEach
    void scratchCheckout() throws IOException {
        root = Files.createTempDirectory("jit-launcher-");
        Path repo = Path.of(System.getProperty("jnet.repo"));
        Files.createDirectories(root.resolve("bin/cni"));
        for (String f : List.of("jnet", "bin/jnet-build", "bin/cni/jnet-bridge")) {
            Files.copy(repo.resolve(f), root.resolve(f));
        }
        Path tools = Files.createDirectories(root.resolve("tools"));
        for (String t : TOOLS) {
            Path found = which(t);
            if (found != null) {
                Files.createSymbolicLink(tools.resolve(t), found);
            }
        }
        fake = Files.createDirectories(root.resolve("fake"));
        script("java", """
                if [ "$1" = -version ]; then echo 'openjdk version "17.0.9" 2023-10-17' >&2; exit 0; fi
                for a; do case $a in -XX:ArchiveClassesAtExit=*) exit 0 ;; esac; done
                echo "java ran: $*"
                """);
        script("javac", "exit 0\n");
        script("cc", "exit 0\n");
        mvn(0, "");
    }

    @AfterEach
    void removeScratch() {
        Dist.deleteTree(root);
    }

    @Test
    void buildsWithOneLinePerModuleThenRuns() throws IOException {
        Proc.Result r = launch("jnet", "--version");
        assertThat(r.exit()).as(r.describe()).isZero();
        List<String> err = r.stderrLines();
        assertThat(err.get(0)).as(r.describe()).startsWith("jnet: building jnet (first use, without tests; log in ");
        assertThat(err.subList(1, err.size())).as(r.describe()).hasSize(4)
                .satisfies(l -> assertThat(l.get(0)).matches("jnet: \\[1/3] jnet \\(parent pom\\) \\.\\.\\. \\d+ s"))
                .satisfies(l -> assertThat(l.get(1)).matches("jnet: \\[2/3] native \\.\\.\\. \\d+ s"))
                .satisfies(l -> assertThat(l.get(2)).matches("jnet: \\[3/3] netns-cli \\.\\.\\. \\d+ s"))
                .satisfies(l -> assertThat(l.get(3)).matches("jnet: built in \\d+ s"));
        assertThat(Files.readString(root.resolve("mvn.args")).strip())
                .isEqualTo("-B -Dstyle.color=never -DskipTests -pl netns-cli,cni -am package");
        assertThat(Files.readString(root.resolve(".jnet-build/build.log"))).contains("[INFO] Building jar: ");
        assertThat(r.stdout()).startsWith("java ran: ").contains(" dev.jnet.cli.Main --version");

        Proc.Result again = launch("jnet", "--version");
        assertThat(again.stderr()).as("built: no second build").isEmpty();
        assertThat(again.stdout()).contains("dev.jnet.cli.Main --version");
    }

    /**
     * usernet and usernetd run C1 only with the stack's and Netty's code at lower thresholds: the
     * JVM gets the '*' patterns as written, also beside a file whose name they would match, and
     * quietly (CompileCommand=quiet: the JVM prints nothing of them on stdout). Netty's leak
     * detector, which fills in a stack trace on the packet path, is off.
     */
    @Test
    void usernetGetsItsJitOptionsAsWritten() throws IOException {
        Files.createFile(root.resolve("-XX:CompileCommand=CompileThresholdScaling,dev.jnet.usernet.Glob::x,0.2"));
        assertThat(launch("jnet", "--version").exit()).isZero(); // the (fake) build
        for (String command : List.of("usernet", "usernetd")) {
            List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=" + fake + ":" + root.resolve("tools"),
                    "HOME=" + root, root.resolve("jnet").toString(), command, "--help"));
            Proc.Result r = Proc.start(cmd, root).await(Proc.DEFAULT_TIMEOUT);
            assertThat(r.exit()).as(r.describe()).isZero();
            assertThat(r.stdout()).as(r.describe()).contains(" -XX:TieredStopAtLevel=1 -XX:CompileCommand=quiet "
                    + "-XX:CompileCommand=CompileThresholdScaling,dev.jnet.usernet.*::*,0.2 "
                    + "-XX:CompileCommand=CompileThresholdScaling,io.netty.*::*,0.2 ")
                    .contains(" -Dio.netty.leakDetection.level=disabled ")
                    .contains(" dev.jnet.cli.Main " + command + " --help").doesNotContain("Glob");
        }
    }

    @Test
    void failedBuildShowsMavensErrorsAndRunsNothing() throws IOException {
        mvn(1, "[ERROR] COMPILATION ERROR : Foo.java:[1,1] boom\n");
        Proc.Result r = launch("jnet", "--version");
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderrLines()).as(r.describe()).contains(
                "jnet: [3/3] netns-cli ... FAILED",
                "[ERROR] COMPILATION ERROR : Foo.java:[1,1] boom",
                "jnet: the build failed (exit 1); full log: " + root.resolve(".jnet-build/build.log"));
    }

    @Test
    void missingMaven() throws IOException {
        Files.delete(fake.resolve("mvn"));
        assertOneLine(launch("jnet", "--version"), "jnet: mvn not found: install Maven 3.8 or newer (Debian: apt-get install maven)");
    }

    @Test
    void missingCompiler() throws IOException {
        Files.delete(fake.resolve("cc"));
        assertOneLine(launch("jnet", "--version"),
                "jnet: a C compiler (cc) not found: install gcc (Debian: apt-get install gcc libc6-dev)");
    }

    @Test
    void missingJava() throws IOException {
        Files.delete(fake.resolve("java"));
        assertOneLine(launch("jnet", "--version"),
                "jnet: java not found: install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)");
    }

    @Test
    void javaRuntimeWithoutCompiler() throws IOException {
        Files.delete(fake.resolve("javac"));
        assertOneLine(launch("jnet", "--version"), "jnet: javac not found: install a JDK 17 or newer, not only its "
                + "runtime (Debian: apt-get install openjdk-17-jdk-headless)");
    }

    @Test
    void oldJava() throws IOException {
        for (String[] v : List.of(new String[] {"11.0.21", "11"}, new String[] {"1.8.0_392", "8"})) {
            script("java", "echo 'openjdk version \"" + v[0] + "\" 2023-10-17' >&2\n");
            assertOneLine(launch("jnet", "--version"), "jnet: java is Java " + v[1]
                    + "; jnet needs 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)");
        }
    }

    @Test
    void cniPluginChecksToo() throws IOException {
        Files.delete(fake.resolve("mvn"));
        assertOneLine(launch("bin/cni/jnet-bridge"),
                "jnet-bridge: mvn not found: install Maven 3.8 or newer (Debian: apt-get install maven)");
    }

    /** Status 1, nothing on stdout, exactly {@code line} on stderr, and no build started. */
    private void assertOneLine(Proc.Result r, String line) {
        assertThat(r.exit()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout()).as(r.describe()).isEmpty();
        assertThat(r.stderrLines()).as(r.describe()).containsExactly(line);
        assertThat(root.resolve("mvn.args")).doesNotExist();
    }

    /** The mvn stand-in: records its arguments, prints the reactor (and {@code extra}), makes the jars on success. */
    private void mvn(int exit, String extra) throws IOException {
        String made = exit != 0 ? "" : """
                mkdir -p netns-cli/target native/target cni/target
                touch netns-cli/target/jnet-cli-0.1.0-SNAPSHOT.jar cni/target/jnet-cni-0.1.0-SNAPSHOT.jar
                printf '#!/bin/sh\\n' > native/target/jnet-helper; chmod +x native/target/jnet-helper
                """;
        script("mvn", "echo \"$*\" > \"" + root.resolve("mvn.args") + "\"\ncat <<'EOF'\n"
                + REACTOR.replace("$ROOT", root.toString()) + extra + "EOF\n" + made + "exit " + exit + "\n");
    }

    private void script(String name, String body) throws IOException {
        Path p = fake.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Proc.Result launch(String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=" + fake + ":" + root.resolve("tools"),
                "HOME=" + root, root.resolve(script).toString()));
        cmd.addAll(List.of(args));
        return Proc.run(Proc.DEFAULT_TIMEOUT, cmd);
    }

    private static Path which(String tool) {
        for (String d : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
