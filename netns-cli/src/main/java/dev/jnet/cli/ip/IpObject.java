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

    /** {@code OBJECT show ARGS}. */
    abstract void show(List<String> args, IpCommands.Opts o);

    /** {@code OBJECT CMD ARGS}. */
    abstract void command(String cmd, List<String> args, IpCommands.Opts o);

    /** show, list or lst, abbreviated as ip allows. */
    static boolean isShow(String cmd) {
        return Parsers.matches(cmd, "show") || Parsers.matches(cmd, "list") || cmd.equals("lst");
    }

    /** Strips the per-command options jnet also accepts after the object (-j, -4, -6). */
    IpCommands.Opts localOpts(List<String> args, List<String> into) {
        int family = opts.family();
        boolean json = opts.json();
        for (String a : args) {
            switch (a) {
                case "-j", "-json", "--json" -> json = true;
                case "-4" -> family = 4;
                case "-6" -> family = 6;
                default -> into.add(a);
            }
        }
        return new IpCommands.Opts(family, json);
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

    List<Link> select(LinkTable t, LinkFilter f) {
        List<Link> sel = new ArrayList<>();
        Integer masterIndex = null;
        if (f.master() != null) {
            Link m = t.all().stream().filter(l -> l.ifname().equals(f.master())).findFirst()
                    .orElseThrow(() -> IpError.noSuchDevice(f.master()));
            masterIndex = m.ifindex();
        }
        boolean found = false;
        for (Link l : t.all()) {
            if (f.dev() != null && !l.ifname().equals(f.dev())) {
                continue;
            }
            found = true;
            if (f.up() && !l.isUp()) {
                continue;
            }
            if (masterIndex != null && (l.master().isEmpty() || l.master().getAsInt() != masterIndex)) {
                continue;
            }
            sel.add(l);
        }
        if (f.dev() != null && !found) {
            throw IpError.noSuchDevice(f.dev());
        }
        return sel;
    }

    /** The address family of {@code -4}/{@code -6} (AF_INET/AF_INET6), 0 for both. */
    static int addressFamily(IpCommands.Opts o) {
        return o.family() == 4 ? Route.AF_INET : o.family() == 6 ? Route.AF_INET6 : 0;
    }
}
