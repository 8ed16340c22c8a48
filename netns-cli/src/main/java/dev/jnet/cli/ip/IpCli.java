package dev.jnet.cli.ip;

import dev.jnet.cli.JnetCommand;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs one {@code jnet link|address|route ...} command line with the global options of {@link JnetCommand}. */
public final class IpCli {
    private IpCli() {}

    /** The display options of {@code jnet}'s command line. */
    public static IpCommands.Opts opts(JnetCommand jnet) {
        return new IpCommands.Opts(jnet.family(), jnet.json(), jnet.brief(), jnet.stats(), jnet.details(),
                jnet.oneline(), jnet.pretty());
    }

    /** Whether {@code word} names one of ip's objects jnet runs (link, address, route, neigh, abbreviated as ip does). */
    public static boolean isObject(String word) {
        String o = IpOptions.jnetObject(word);
        return o != null && !o.equals("netns") && !o.startsWith("-");
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
                    "                                  [nodad] [noprefixroute] [home]",
                    "                                  [valid_lft LFT] [preferred_lft LFT]",
                    "       jnet address show [[dev] DEV]",
                    "       jnet address flush dev DEV",
                    "LFT := forever | SECONDS"),
            "route", String.join("\n",
                    "Usage: jnet [-n NETNS] [-4|-6] [-j] route add|del|replace PREFIX|default [via GW] [dev DEV]",
                    "                                  [metric N] [table N] [src ADDR] [scope SCOPE] [proto PROTO]",
                    "       jnet route show [table N|all]",
                    "       jnet route get ADDRESS [from ADDR] [iif DEV] [oif DEV]"),
            "neigh", String.join("\n",
                    "Usage: jnet [-n NETNS] [-4|-6] [-j] neigh add|del|replace ADDR [lladdr LLADDR] [nud STATE] dev DEV",
                    "       jnet neigh show|flush [to PREFIX] [dev DEV] [nud STATE]",
                    "STATE := permanent | noarp | stale | reachable | none | incomplete | delay | probe | failed"));

    static int run(JnetCommand jnet, String object, List<String> args) {
        PrintWriter out = jnet.out();
        if (args.stream().anyMatch(a -> a.equals("help") || a.equals("-h") || a.equals("--help"))) {
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
