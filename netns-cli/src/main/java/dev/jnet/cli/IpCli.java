package dev.jnet.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Runs one {@code jnet link|address|route ...} command line with the global options of {@link JnetCommand}. */
final class IpCli {
    private IpCli() {}

    static IpCommands.Opts opts(JnetCommand jnet) {
        return new IpCommands.Opts(jnet.ipv6 ? 6 : jnet.ipv4 ? 4 : 0, jnet.json);
    }

    static int run(JnetCommand jnet, String object, List<String> args) {
        PrintWriter out = jnet.spec.commandLine().getOut();
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(object);
        argv.addAll(args);
        try (RtnlSession session = new RtnlSession()) {
            new IpCommands(session, jnet.netns, opts(jnet), out).run(argv);
        } finally {
            out.flush();
        }
        return 0;
    }
}
