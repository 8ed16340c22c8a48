package dev.jnet.cli.ip;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jnet [-n NETNS] [-4|-6] [-j] address ...}: iproute2's syntax, parsed by {@link IpCommands}. */
@Command(name = "address", aliases = {"addr", "a"},
        description = "Protocol addresses (as ip address): add, del, show, flush.",
        footer = {"", "Arguments as iproute2's \"ip address\" (see ip-address(8)); -j, -4 and -6 may follow."})
public final class AddrCommand extends IpObjectCommand {
    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "as ip address")
    List<String> args = new ArrayList<>();

    @Override
    List<String> args() {
        return args;
    }

    @Override
    String object() {
        return "address";
    }
}
