package dev.jnet.cli.ip;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jnet [-n NETNS] [-4|-6] [-j] route ...}: iproute2's syntax, parsed by {@link IpCommands}. */
@Command(name = "route", aliases = {"r", "ro"},
        description = "Routing tables (as ip route): add, del, replace, show.",
        footer = {"", "Arguments as iproute2's \"ip route\" (see ip-route(8)); -j, -4 and -6 may follow."})
public final class RouteCommand extends IpObjectCommand {
    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "as ip route")
    List<String> args = new ArrayList<>();

    @Override
    List<String> args() {
        return args;
    }

    @Override
    String object() {
        return "route";
    }
}
