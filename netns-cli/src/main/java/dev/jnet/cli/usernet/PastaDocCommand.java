package dev.jnet.cli.usernet;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code jnet pasta} in jnet's command model, so that jnet(1) and the shell completion list it
 * as they list {@code jnet usernet} (slirp4netns's command line). {@code jnet pasta ...} itself
 * never reaches picocli: Main hands pasta's getopt command line to {@link PastaCommand}; a
 * command line that does reach this class (after jnet's global options) is handed over the same.
 */
@Command(name = "pasta", customSynopsis = "jnet pasta [OPTION]... [PID | --netns PATH|NAME | [--] CMD [ARGS]...]",
        description = {"pasta(1)'s command line (bin/pasta) on jnet's user-mode stack, for podman 5/6 and rootlesskit 2: "
                + "CMD in a new user and network namespace, or attach to PID or --netns and go to the background "
                + "once the namespace is online.",
            "Options follow pasta's getopt rules (abbreviations, clustered flags, -t80); pasta --help lists them."},
        footer = {"", PastaHelp.TEXT})
public final class PastaDocCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        return PastaCommand.run(spec.commandLine().getOut(), spec.commandLine().getErr(), args);
    }
}
