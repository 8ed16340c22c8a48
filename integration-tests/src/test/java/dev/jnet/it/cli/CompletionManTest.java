package dev.jnet.it.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shells' view of the generated documentation: {@code jnet completion bash} sourced in a real
 * bash, asked what {@code jnet ne<TAB>} and the like complete to (the function {@code complete -p jnet}
 * names, as bash calls it on TAB); the zsh script registering through bashcompinit; jnet.1 rendered
 * by man without a groff warning.
 */
@JnetIntegrationTest
class CompletionManTest {
    private Path dir;

    @BeforeEach
    void scripts(JnetCli jnet) throws IOException {
        dir = Files.createTempDirectory("jit-completion-");
        for (String shell : List.of("bash", "zsh")) {
            Proc.Result r = jnet.run("completion", shell);
            assertThat(r.exit()).as(r.describe()).isZero();
            Files.writeString(dir.resolve("jnet." + shell), r.stdout());
        }
    }

    @AfterEach
    void remove() throws IOException {
        for (String shell : List.of("bash", "zsh")) {
            Files.deleteIfExists(dir.resolve("jnet." + shell));
        }
        Files.deleteIfExists(dir);
    }

    /** What bash offers for the words typed so far (the last one being completed; empty = after a space). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "jnet ne                  | neigh neighbor neighbour netns",
        "jnet net                 | netns",
        "jnet pa                  | pasta",
        "jnet r                   | r ro rootless route",
        "jnet netns a             | add attach",
        "jnet netns del           | del delete",
        "jnet netns di            | disconnect",
        "jnet completion ''       | bash zsh",
        "jnet completion z        | zsh",
        "jnet --js                | --json",
        "jnet -j netns l          | list",
        "jnet netns connect --br  | --bridge",
        "jnet netns add a -       | --help --version -V -h",
    })
    void bashCompletes(String typed, String expected) {
        List<String> words = List.of(typed.strip().split(" +"));
        StringBuilder compWords = new StringBuilder();
        for (String w : words) {
            compWords.append(w.equals("''") ? "''" : "'" + w + "'").append(' ');
        }
        // compopt works only while bash runs a completion for TAB: a no-op here
        String script = "source " + dir.resolve("jnet.bash") + "\ncompopt() { :; }\n"
                + "spec=$(complete -p jnet) || exit 3\n"
                + "fn=${spec#*-F }; fn=${fn%% *}\n"
                + "COMP_WORDS=(" + compWords + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
                + "\"$fn\" jnet \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        Proc.Result r = Proc.run("bash", "--norc", "--noprofile", "-c", script);
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stderr()).as(r.describe()).isEmpty();
        assertThat(r.stdoutLines().stream().filter(l -> !l.isEmpty()).sorted().toList()).as(typed)
                .isEqualTo(expected.isBlank() ? List.of() : List.of(expected.strip().split(" ")).stream().sorted().toList());
    }

    @Test
    void zshRegistersTheBashFunction() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")) || System.getenv("CI") != null, "zsh is not installed");
        Proc.Result r = Proc.run("zsh", "-f", "-c", "source " + dir.resolve("jnet.zsh") + " && print -r -- $_comps[jnet]");
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stdout().strip()).as(r.describe()).contains("_complete_jnet");
    }

    @Test
    void manRendersThePage() {
        Path page = Path.of(System.getProperty("jnet.repo"), "netns-cli/target/man/man1/jnet.1");
        Proc.Result r = Proc.run(Proc.DEFAULT_TIMEOUT, List.of("env", "MANWIDTH=100",
                "man", "--warnings", "-l", page.toString()));
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stderr()).as(r.describe()).isEmpty();
        List<String> lines = r.stdoutLines();
        assertThat(lines.get(0)).matches("JNET\\(1\\) +User Commands +JNET\\(1\\)");
        assertThat(lines).contains("NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "SEE ALSO",
                "   jnet netns add", "   jnet completion", "   jnet pasta", "       jnet completion [-hV] SHELL");
        assertThat(lines).anyMatch(l -> l.strip().equals("-n, -netns, --netns NETNS"));
    }
}
