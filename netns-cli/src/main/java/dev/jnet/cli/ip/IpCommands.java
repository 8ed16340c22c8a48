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
    /**
     * Options that apply to one command: {@code -4}/{@code -6} (family 4/6, 0 for both), {@code -j},
     * {@code -br}, {@code -s} (how many times), {@code -d}, {@code -o}, {@code -p}.
     */
    public record Opts(int family, boolean json, boolean brief, int stats, boolean details, boolean oneline,
            boolean pretty) {
        public Opts(int family, boolean json) {
            this(family, json, false, 0, false, false, false);
        }

        Opts withFamily(int f) {
            return new Opts(f, json, brief, stats, details, oneline, pretty);
        }

        /** With ip option {@code canonical} (as {@link IpOptions#canonical}) applied, or null if it is not a display option. */
        public Opts with(String canonical) {
            return switch (canonical) {
                case "-4" -> withFamily(4);
                case "-6" -> withFamily(6);
                case "-json" -> new Opts(family, true, brief, stats, details, oneline, pretty);
                case "-brief" -> new Opts(family, json, true, stats, details, oneline, pretty);
                case "-stats" -> new Opts(family, json, brief, stats + 1, details, oneline, pretty);
                case "-details" -> new Opts(family, json, brief, stats, true, oneline, pretty);
                case "-oneline" -> new Opts(family, json, brief, stats, details, true, pretty);
                case "-pretty" -> new Opts(family, json, brief, stats, details, oneline, true);
                default -> null;
            };
        }
    }

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
            throw IpError.usage("Usage: jnet [-n NETNS] [-4|-6] [-j] { link | addr | route | neigh } ...");
        }
        String obj = argv.get(0);
        List<String> rest = argv.subList(1, argv.size());
        String o = IpOptions.jnetObject(obj);
        if ("link".equals(o)) {
            new IpLink(session, netns, opts, out).run(rest);
        } else if ("address".equals(o)) {
            new IpAddr(session, netns, opts, out).run(rest);
        } else if ("route".equals(o)) {
            new IpRoute(session, netns, opts, out).run(rest);
        } else if ("neigh".equals(o)) {
            new IpNeigh(session, netns, opts, out).run(rest);
        } else {
            throw IpError.usage("Object \"" + obj + "\" is unknown, try \"jnet --help\".");
        }
    }
}
