package dev.jnet.cli.ip;

import dev.jnet.cli.JnetCommand;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs one {@code jnet link|address|route ...} command line with the global options of {@link JnetCommand}. */
public final class IpCli {
    private IpCli() {}

    static IpCommands.Opts opts(JnetCommand jnet) {
        return new IpCommands.Opts(jnet.family(), jnet.json());
    }

    /** Whether {@code word} names one of ip's objects jnet runs (link, address, route, abbreviated as ip does). */
    public static boolean isObject(String word) {
        return Parsers.matches(word, "link") || Parsers.matches(word, "address") || word.equals("addr")
                || Parsers.matches(word, "route") || word.equals("r");
    }

    private static final Map<String, String> SYNOPSIS = Map.of(
            "link", String.join("\n",
                    "Usage: jnet [-n NETNS] [-j] link add NAME [mtu N] [address LLADDR] [txqueuelen N] [up] type TYPE [ARGS]",
                    "         TYPE ARGS: veth peer name PEER [netns NS] | bridge | dummy",
                    "                  | vlan id ID (with: link PARENT) | macvlan mode MODE (with: link PARENT)",
                    "       jnet link set DEV [up|down] [mtu N] [address LLADDR] [master BR|nomaster] [netns NS|PID]",
                    "                         [name NEW] [txqueuelen N]",
                    "       jnet link del DEV",
                    "       jnet link show [[dev] DEV] [up] [master BR]"),
            "address", String.join("\n",
                    "Usage: jnet [-n NETNS] [-4|-6] [-j] address add|del ADDR/PLEN [peer PEER/PLEN] [broadcast B|+|-]",
                    "                                  [scope SCOPE] [label LABEL] dev DEV",
                    "       jnet address show [[dev] DEV]",
                    "       jnet address flush dev DEV"),
            "route", String.join("\n",
                    "Usage: jnet [-n NETNS] [-4|-6] [-j] route add|del|replace PREFIX|default [via GW] [dev DEV]",
                    "                                  [metric N] [table N] [src ADDR] [scope SCOPE] [proto PROTO]",
                    "       jnet route show [table N|all]"));

    static int run(JnetCommand jnet, String object, List<String> args) {
        PrintWriter out = jnet.out();
        if (!args.isEmpty() && List.of("help", "-h", "--help").contains(args.get(0))) {
            out.println(SYNOPSIS.get(object));
            out.flush();
            return 0;
        }
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(object);
        argv.addAll(args);
        try (RtnlSession session = new RtnlSession()) {
            new IpCommands(session, jnet.netns(), opts(jnet), out).run(argv);
        } finally {
            out.flush();
        }
        return 0;
    }
}
