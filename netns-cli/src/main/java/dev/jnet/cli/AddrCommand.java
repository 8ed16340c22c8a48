package dev.jnet.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jnet [-n NETNS] [-4|-6] [-j] address ...}: iproute2's syntax, parsed by {@link IpCommands}. */
@Command(name = "address", aliases = {"addr", "a"},
        description = "Protocol addresses (as ip address): add, del, show, flush.",
        footer = {"", "Arguments as iproute2's \"ip address\" (see ip-address(8)); -j, -4 and -6 may follow."})
final class AddrCommand implements Callable<Integer> {
    @ParentCommand
    JnetCommand jnet;

    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "as ip address")
    List<String> args = new ArrayList<>();

    /** ip's own syntax: options after the object (-j, -4, -6) are ours to parse. */
    @Spec
    void spec(CommandSpec spec) {
        spec.parser().unmatchedOptionsArePositionalParams(true);
    }

    @Override
    public Integer call() {
        return IpCli.run(jnet, "address", args);
    }
}
