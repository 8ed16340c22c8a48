package dev.jnet.cli.ip;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jnet [-n NETNS] [-4|-6] [-j] neigh ...}: iproute2's syntax, parsed by {@link IpCommands}. */
@Command(name = "neigh", aliases = {"neighbor", "neighbour"},
        description = "Neighbour (ARP/NDP) entries (as ip neigh): add, del, replace, show, flush.",
        footer = {"", "Arguments as iproute2's \"ip neigh\" (see ip-neighbour(8)); -j, -4 and -6 may follow."})
public final class NeighCommand extends IpObjectCommand {
    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "as ip neigh")
    List<String> args = new ArrayList<>();

    @Override
    List<String> args() {
        return args;
    }

    @Override
    String object() {
        return "neigh";
    }
}
