package dev.jnet.cli.ip;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jnet [-n NETNS] [-4|-6] [-j] link ...}: iproute2's syntax, parsed by {@link IpCommands}. */
@Command(name = "link", aliases = {"l"},
        description = "Network devices (as ip link): add, set, delete, show.",
        footer = {"", "Arguments as iproute2's \"ip link\" (see ip-link(8)); -j, -4 and -6 may follow."})
public final class LinkCommand extends IpObjectCommand {
    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "as ip link")
    List<String> args = new ArrayList<>();

    @Override
    List<String> args() {
        return args;
    }

    @Override
    String object() {
        return "link";
    }
}
