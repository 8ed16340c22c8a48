package dev.jnet.cli.ip;

import dev.jnet.rtnl.RtnlHandle;
import java.io.PrintWriter;
import java.util.List;

/**
 * iproute2's {@code ip link|addr|route} argument syntax (positional keywords, abbreviations as
 * ip's matches()) over one {@link RtnlHandle}; shared by the picocli subcommands and
 * {@code -batch}. Bad arguments are {@link IpError}s with ip's wording and exit status. Each
 * object has its class: {@link IpLink}, {@link IpAddr}, {@link IpRoute}.
 */
public final class IpCommands {
    /** Options that apply to one command: {@code -4}/{@code -6} (family 4/6, 0 for both), {@code -j}. */
    public record Opts(int family, boolean json) {}

    private final RtnlSession session;
    private final String netns;
    private final Opts opts;
    private final PrintWriter out;

    /** Commands on namespace {@code netns} (null: the current one) over {@code session}'s handle, printing to {@code out}. */
    public IpCommands(RtnlSession session, String netns, Opts opts, PrintWriter out) {
        this.session = session;
        this.netns = netns;
        this.opts = opts;
        this.out = out;
    }

    /** Runs one ip command line: OBJECT COMMAND ARGS ("link add ...", "addr show", ...). */
    public void run(List<String> argv) {
        if (argv.isEmpty()) {
            throw IpError.usage("Usage: jnet [-n NETNS] [-4|-6] [-j] { link | addr | route } ...");
        }
        String obj = argv.get(0);
        List<String> rest = argv.subList(1, argv.size());
        if (Parsers.matches(obj, "link")) {
            new IpLink(session, netns, opts, out).run(rest);
        } else if (Parsers.matches(obj, "address") || obj.equals("addr")) {
            new IpAddr(session, netns, opts, out).run(rest);
        } else if (Parsers.matches(obj, "route") || obj.equals("r")) {
            new IpRoute(session, netns, opts, out).run(rest);
        } else {
            throw IpError.usage("Object \"" + obj + "\" is unknown, try \"jnet --help\".");
        }
    }
}
