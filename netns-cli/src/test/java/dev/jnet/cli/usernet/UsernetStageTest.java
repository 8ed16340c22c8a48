package dev.jnet.cli.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The stage ./jnet runs before the JVM of {@code jnet usernet} (native/src/main/c/jnet-usernet-stage.h):
 * it reads the command line as picocli reads it, so its option lists must be UsernetCommand's; and
 * whatever it cannot use, it passes on unchanged and silently (the JVM reports). The tap itself
 * is opened in the integration tests (UsernetTapFirstTest): opening one here would be in the
 * build's own namespace.
 */
class UsernetStageTest {
    private static final Path SOURCE = Path.of("..", "native", "src", "main", "c", "jnet-usernet-stage.h");
    private static final Path FRONT_END = Path.of("..", "native", "target", "jnet-slirp4netns");

    private static List<String> cArray(String source, String name) {
        Matcher m = Pattern.compile("static const char \\*const " + name + "\\[\\] = \\{([^}]*)\\}").matcher(source);
        assertThat(m.find()).as(name + " in " + SOURCE).isTrue();
        List<String> words = new ArrayList<>();
        Matcher w = Pattern.compile("\"([^\"]+)\"").matcher(m.group(1));
        while (w.find()) {
            words.add(w.group(1));
        }
        return words;
    }

    private static String cString(String source, String name) {
        Matcher m = Pattern.compile("static const char " + name + "\\[\\] = \"([^\"]*)\";").matcher(source);
        assertThat(m.find()).as(name + " in " + SOURCE).isTrue();
        return m.group(1);
    }

    @Test
    void theStageKnowsEveryOptionOfJnetUsernetAndWhetherItTakesAValue() throws IOException {
        String c = Files.readString(SOURCE);
        TreeSet<String> valued = new TreeSet<>(cArray(c, "stage_valued"));
        TreeSet<String> flags = new TreeSet<>(cArray(c, "stage_flags"));
        for (char s : cString(c, "stage_short_valued").toCharArray()) {
            valued.add("-" + s);
        }
        for (char s : cString(c, "stage_short_flags").toCharArray()) {
            flags.add("-" + s);
        }
        TreeSet<String> wantValued = new TreeSet<>();
        TreeSet<String> wantFlags = new TreeSet<>();
        var usernet = Main.newCommandLine("usernet", "1").getSubcommands().get("usernet").getCommandSpec();
        for (OptionSpec o : usernet.options()) {
            if (o.usageHelp() || o.versionHelp() || List.of(o.names()).contains("--help")
                    || List.of(o.names()).contains("--version")) {
                continue; // the JVM answers those: the stage opens nothing for them
            }
            (o.arity().max() == 0 ? wantFlags : wantValued).addAll(List.of(o.names()));
        }
        assertThat(valued).as("options with a value, in " + SOURCE).isEqualTo(wantValued);
        assertThat(flags).as("options without one, in " + SOURCE).isEqualTo(wantFlags);
    }

    private record Run(int exit, String out, String err) {}

    /** The stage in front of echo: what it would exec, and what it printed itself. */
    private static Run stage(String... usernetArgs) throws IOException, InterruptedException {
        assertThat(FRONT_END).as("built by the native module (mvn -am)").isExecutable();
        List<String> cmd = new ArrayList<>(List.of(FRONT_END.toString(), "--jnet-usernet-stage", "echo", "-cp", "x",
                "dev.jnet.cli.Main", "usernet"));
        cmd.addAll(List.of(usernetArgs));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2147483646 tap0", // no such process: the JVM says so
        "-c --mtu 1500 2147483646",
        "--netns-type=path /nonexistent/netns tap0",
        "--netns-type=bess 1 tap0",
        "--help", "-h", "--version", "-c --frobnicate 1 tap0", "-x 1", "--configure=true 1",
        "@args", "top /tmp/api.sock", "1 tap0 extra", "--mtu", "-c", "--target-type=bess 1",
    })
    void whatTheStageCannotUseGoesToTheCommandUnchangedAndSilently(String args) throws Exception {
        Run r = stage(args.split(" "));
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("-cp x dev.jnet.cli.Main usernet " + args + "\n");
    }

    @Test
    void aCommandThatIsNotJnetUsernetIsExecUnchanged() throws Exception {
        Process p = new ProcessBuilder(FRONT_END.toString(), "--jnet-usernet-stage", "echo", "usernet", "1", "tap0")
                .start();
        p.getOutputStream().close();
        assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("usernet 1 tap0\n");
        assertThat(p.waitFor()).isZero();
    }
}
