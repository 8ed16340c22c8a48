package dev.jnet.cli.ip;

import dev.jnet.cli.JnetCommand;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jnet [-n NETNS] [-4|-6] [-j] OBJECT ...} for one of ip's objects: the arguments are
 * iproute2's syntax, parsed by {@link IpCommands}, not picocli's.
 */
abstract class IpObjectCommand implements Callable<Integer> {
    @ParentCommand
    JnetCommand jnet;

    /** ip's own syntax: options after the object (-j, -4, -6) are ours to parse. */
    @Spec
    void spec(CommandSpec spec) {
        spec.parser().unmatchedOptionsArePositionalParams(true);
    }

    /** The object's name as ip spells it in full (link, address, route). */
    abstract String object();

    /** The arguments after the object (each subclass declares them: their help line names the object). */
    abstract List<String> args();

    @Override
    public Integer call() {
        return IpCli.run(jnet, object(), args());
    }
}
