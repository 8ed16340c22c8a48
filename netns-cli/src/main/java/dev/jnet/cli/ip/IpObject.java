package dev.jnet.cli.ip;

import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlException;
import dev.jnet.rtnl.RtnlHandle;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What ip's objects (link, address, route) share: the namespace's rtnetlink handle, the output,
 * the per-command options, and reading and filtering the link table.
 */
abstract class IpObject {
    final RtnlSession session;
    private final String netns;
    private final IpCommands.Opts opts;
    final PrintWriter out;

    IpObject(RtnlSession session, String netns, IpCommands.Opts opts, PrintWriter out) {
        this.session = session;
        this.netns = netns;
        this.opts = opts;
        this.out = out;
    }

    RtnlHandle h() {
        return session.handle(netns);
    }


    /**
     * Runs {@code OBJECT ARGS}: the per-command options stripped, no command is {@code show},
     * else {@link #command}.
     */
    final void run(List<String> raw) {
        List<String> a = new ArrayList<>();
        IpCommands.Opts o = localOpts(raw, a);
        if (a.isEmpty()) {
            show(List.of(), o);
            return;
        }
        command(a.get(0), a.subList(1, a.size()), o);
    }

    /** Prints a JSON document: compact, or laid out as ip -p does. */
    void printJson(String json, IpCommands.Opts o) {
        out.println(o.pretty() ? IpPretty.format(json) : json);
    }

    /** {@code OBJECT show ARGS}. */
    abstract void show(List<String> args, IpCommands.Opts o);

    /** {@code OBJECT CMD ARGS}. */
    abstract void command(String cmd, List<String> args, IpCommands.Opts o);

    /**
     * The command {@code cmd} names, as ip reads it: the first of {@code table} (ip's order for
     * the object) it abbreviates; {@code chg} is change. {@code show}, {@code lst} and {@code list}
     * come back as {@code show}. Unknown: ip's {@code Command "X" is unknown} (exit 255).
     */
    static String resolve(String cmd, String object, String... table) {
        if (cmd.equals("chg")) {
            return "change";
        }
        for (String c : table) {
            if (Parsers.matches(cmd, c)) {
                return c.equals("lst") || c.equals("list") ? "show" : c;
            }
        }
        throw IpError.usage("Command \"" + cmd + "\" is unknown, try \"jnet " + object + " help\".");
    }

    /** Strips the per-command options jnet also accepts after the object (-j, -4, -6, -br, -s, -d, -o, -p). */
    IpCommands.Opts localOpts(List<String> args, List<String> into) {
        IpCommands.Opts o = opts;
        for (String a : args) {
            IpCommands.Opts w = a.startsWith("-") && a.length() > 1 && !Character.isDigit(a.charAt(1))
                    ? optionOf(o, a) : null;
            if (w != null) {
                o = w;
            } else {
                into.add(a);
            }
        }
        return o;
    }

    private static IpCommands.Opts optionOf(IpCommands.Opts o, String a) {
        String c = IpOptions.canonical(a);
        return c == null ? null : o.with(c);
    }

    static String next(List<String> a, int i) {
        if (i >= a.size()) {
            throw IpError.usage("Command line is not complete. Try option \"help\"");
        }
        return a.get(i);
    }

    static void checkIfname(String what, String name) {
        if (!Parsers.validIfname(name)) {
            throw IpError.invarg("\"" + what + "\" not a valid ifname", name);
        }
    }

    boolean exists(String name) {
        try {
            h().link(name);
            return true;
        } catch (RtnlException e) {
            if (e.kind() == RtnlException.Kind.NO_DEVICE) {
                return false;
            }
            throw e;
        }
    }

    /** Links of the namespace, and by index (for @PEER and master names). */
    record LinkTable(List<Link> all, Map<Integer, Link> byIndex) {}

    LinkTable linkTable() {
        List<Link> all = h().links();
        Map<Integer, Link> byIndex = new HashMap<>();
        for (Link l : all) {
            byIndex.put(l.ifindex(), l);
        }
        return new LinkTable(all, byIndex);
    }

    /**
     * nsid -> name of the named namespaces, as the shown namespace numbers them, when a link's
     * peer lives in another one (ip prints link-netns NAME then); empty when none does.
     */
    Map<Integer, String> netnsNames(List<Link> links) {
        if (links.stream().noneMatch(l -> l.linkNetnsid().isPresent())) {
            return Map.of();
        }
        try {
            return h().namesByNsid(session.manager());
        } catch (RuntimeException e) {
            return Map.of(); // no namespaces to name: ip then prints the numbers
        }
    }


    /** Filters of link show / addr show: [dev] DEV, up, master M. */
    record LinkFilter(String dev, boolean up, String master) {}

    static LinkFilter linkFilter(List<String> a) {
        String dev = null;
        boolean up = false;
        String master = null;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (t.equals("up")) {
                up = true;
            } else if (t.equals("master")) {
                master = next(a, ++i);
            } else {
                if (t.equals("dev")) {
                    t = next(a, ++i);
                }
                if (dev != null) {
                    throw IpError.duplicateOrGarbage("dev", t);
                }
                dev = t;
            }
        }
        return new LinkFilter(dev, up, master);
    }

    /** The links {@code f} names ({@code [dev] DEV}), in dump order: see {@link #hidden} for the other filters. */
    List<Link> select(LinkTable t, LinkFilter f) {
        if (f.master() != null) {
            masterIndex(t, f); // ip resolves it first: Device "x" does not exist.
        }
        List<Link> sel = new ArrayList<>();
        for (Link l : t.all()) {
            if (f.dev() == null || l.ifname().equals(f.dev())) {
                sel.add(l);
            }
        }
        if (f.dev() != null && sel.isEmpty()) {
            throw IpError.noSuchDevice(f.dev());
        }
        return sel;
    }

    private static int masterIndex(LinkTable t, LinkFilter f) {
        return t.all().stream().filter(l -> l.ifname().equals(f.master())).findFirst()
                .orElseThrow(() -> IpError.noSuchDevice(f.master())).ifindex();
    }

    /** Whether the {@code up} or {@code master} filter leaves {@code l} out (ip -j still writes {} for it). */
    static boolean hidden(LinkTable t, LinkFilter f, Link l) {
        if (f.up() && !l.isUp()) {
            return true;
        }
        return f.master() != null && (l.master().isEmpty() || l.master().getAsInt() != masterIndex(t, f));
    }

    /** {@code sel} without the links a filter leaves out. */
    static List<Link> shown(LinkTable t, LinkFilter f, List<Link> sel) {
        return sel.stream().filter(l -> !hidden(t, f, l)).toList();
    }

    /** The address family of {@code -4}/{@code -6} (AF_INET/AF_INET6), 0 for both. */
    static int addressFamily(IpCommands.Opts o) {
        return o.family() == 4 ? Route.AF_INET : o.family() == 6 ? Route.AF_INET6 : 0;
    }
}
