package dev.jnet.cli.doc;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jnet completion bash|zsh}: prints the completion script generated from the command model
 * at build time ({@link Docs}), kept in the jar beside this class.
 */
@Command(mixinStandardHelpOptions = true, name = "completion",
        description = "Print the shell completion script for bash or zsh.",
        footer = {"", "bash: source <(jnet completion bash), or save it as /etc/bash_completion.d/jnet.",
            "zsh:  source <(jnet completion zsh) in ~/.zshrc (bash's completion through zsh's bashcompinit)."})
public final class CompletionCommand implements Callable<Integer> {
    /** The shells there is a script for (picocli lists them in errors and completes them). */
    public enum Shell { bash, zsh }

    @Parameters(paramLabel = "SHELL", description = "bash or zsh") Shell shell;
    @Spec CommandSpec spec;

    /** The resource holding {@code shell}'s script. */
    static String resource(Shell shell) {
        return "jnet." + shell.name();
    }

    /** The script for {@code shell}, as generated at build time. */
    public static String script(Shell shell) throws IOException {
        try (InputStream in = CompletionCommand.class.getResourceAsStream(resource(shell))) {
            if (in == null) {
                throw new IOException("no " + resource(shell) + " in the jar: the build generates it (process-classes)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        out.print(script(shell));
        out.flush();
        return 0;
    }
}
