package dev.jnet.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jnet [-n NETNS] [-4|-6] [-j] link ...}: iproute2's syntax, parsed by {@link IpCommands}. */
@Command(name = "link", aliases = {"l"},
        description = "Network devices (as ip link): add, set, delete, show.",
        footer = {"", "Arguments as iproute2's \"ip link\" (see ip-link(8)); -j, -4 and -6 may follow."})
final class LinkCommand implements Callable<Integer> {
    @ParentCommand
    JnetCommand jnet;

    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "as ip link")
    List<String> args = new ArrayList<>();

    /** ip's own syntax: options after the object (-j, -4, -6) are ours to parse. */
    @Spec
    void spec(CommandSpec spec) {
        spec.parser().unmatchedOptionsArePositionalParams(true);
    }

    @Override
    public Integer call() {
        return IpCli.run(jnet, "link", args);
    }
}
