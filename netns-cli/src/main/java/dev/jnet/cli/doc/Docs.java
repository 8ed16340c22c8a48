package dev.jnet.cli.doc;

import dev.jnet.cli.JnetCommand;
import dev.jnet.cli.Main;
import dev.jnet.cli.doc.CompletionCommand.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Run by the build (netns-cli/pom.xml, process-classes): generates from the command model the
 * completion scripts, into the classes (for {@code jnet completion}), and the man page {@code jnet.1}.
 * usage: Docs CLASSES_DIR MAN_DIR
 */
public final class Docs {
    private Docs() {}

    /**
     * zsh runs bash's script: the script itself loads zsh's compinit and bashcompinit when they are
     * not loaded yet, as picocli documents for zsh.
     */
    static final String ZSH_HEADER = """
            # jnet completion for zsh: bash's script below, run through zsh's bash completion emulation
            # (bashcompinit, which the script loads with compinit when they are not loaded yet).
            # Load it with: source <(jnet completion zsh)
            """;

    static final String ALL_WORDS = "for element in \"${COMP_WORDS[@]}\"; do";
    static final String WORDS_BEFORE = "for element in \"${COMP_WORDS[@]:0:COMP_CWORD}\"; do";

    public static void main(String[] args) throws IOException {
        CommandLine jnet = Main.fullCommandLine();
        Path classes = Path.of(args[0]).resolve(CompletionCommand.class.getPackageName().replace('.', '/'));
        Files.createDirectories(classes);
        for (Shell shell : Shell.values()) {
            Files.writeString(classes.resolve(CompletionCommand.resource(shell)), script(jnet, shell), StandardCharsets.UTF_8);
        }
        Path man = Files.createDirectories(Path.of(args[1])).resolve("jnet.1");
        Files.writeString(man, ManPage.of(jnet, JnetCommand.version()), StandardCharsets.UTF_8);
    }

    /** The completion script of {@code shell} for the command tree {@code jnet}. */
    public static String script(CommandLine jnet, Shell shell) {
        String bash = AutoComplete.bash("jnet", jnet);
        // picocli picks the subcommand whose words appear anywhere on the line, the word being
        // completed included: "jnet netns a<TAB>" became "jnet a" (address) and offered nothing.
        // Only the words before it have been chosen.
        if (!bash.contains(ALL_WORDS)) {
            throw new IllegalStateException("picocli's completion script changed: no " + ALL_WORDS);
        }
        bash = bash.replace(ALL_WORDS, WORDS_BEFORE);
        return shell == Shell.zsh ? ZSH_HEADER + bash : bash;
    }
}
