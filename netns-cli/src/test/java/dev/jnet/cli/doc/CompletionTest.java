package dev.jnet.cli.doc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.cli.Main;
import dev.jnet.cli.doc.CompletionCommand.Shell;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/** {@code jnet completion bash|zsh}: the build's scripts, from the current command model, naming every command. */
class CompletionTest {
    @ParameterizedTest
    @EnumSource(Shell.class)
    void theBuiltScriptIsTheModelsOwn(Shell shell) throws Exception {
        assertThat(CompletionCommand.script(shell)).isEqualTo(Docs.script(Main.fullCommandLine(), shell));
    }

    @Test
    void bashNamesEveryTopLevelCommandAndAlias() throws Exception {
        CommandLine jnet = Main.fullCommandLine();
        Set<String> model = new TreeSet<>(jnet.getSubcommands().keySet());
        assertThat(model).contains("netns", "link", "address", "route", "usernet", "rootless", "completion");
        assertThat(commandsOf(CompletionCommand.script(Shell.bash), "_picocli_jnet")).isEqualTo(model);
        Set<String> netns = new TreeSet<>(jnet.getSubcommands().get("netns").getSubcommands().keySet());
        assertThat(commandsOf(CompletionCommand.script(Shell.bash), "_picocli_jnet_netns")).isEqualTo(netns);
    }

    @Test
    void onlyTheWordsBeforeTheCursorChooseTheSubcommand() throws Exception {
        String bash = CompletionCommand.script(Shell.bash);
        assertThat(bash).contains(Docs.WORDS_BEFORE).doesNotContain(Docs.ALL_WORDS);
    }

    @Test
    void zshLoadsBashsScriptThroughBashcompinit() throws Exception {
        String zsh = CompletionCommand.script(Shell.zsh);
        assertThat(zsh).endsWith(CompletionCommand.script(Shell.bash));
        assertThat(zsh).contains("autoload -U +X bashcompinit && bashcompinit");
    }

    @ParameterizedTest
    @EnumSource(Shell.class)
    void printsTheScript(Shell shell) throws Exception {
        Run r = run("completion", shell.name());
        assertThat(r.rc).isZero();
        assertThat(r.err).isEmpty();
        assertThat(r.out).isEqualTo(CompletionCommand.script(shell));
    }

    @Test
    void unknownShellIsOneLineAndUsageStatus() {
        Run r = run("completion", "fish");
        assertThat(r.rc).isEqualTo(255);
        assertThat(r.out).isEmpty();
        assertThat(r.err.lines().toList()).containsExactly("Invalid value for positional parameter at index 0 (SHELL): "
                + "expected one of [bash, zsh] (case-sensitive) but was 'fish' (try \"jnet completion --help\")");
    }

    /** The words of {@code local commands="..."} in the script's function {@code fn}. */
    static Set<String> commandsOf(String script, String fn) {
        int at = script.indexOf("\nfunction " + fn + "() {");
        assertThat(at).as("function %s in the script", fn).isPositive();
        String body = script.substring(at, script.indexOf("\n}", at));
        String line = body.lines().filter(l -> l.strip().startsWith("local commands=")).findFirst().orElseThrow();
        String words = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"')).strip();
        return new TreeSet<>(words.isEmpty() ? List.of() : List.of(words.split(" ")));
    }

    record Run(int rc, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.newCommandLine(args);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }
}
