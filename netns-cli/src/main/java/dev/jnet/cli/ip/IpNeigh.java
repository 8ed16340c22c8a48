package dev.jnet.cli.ip;

import dev.jnet.cli.Json;
import dev.jnet.cli.Json.Obj;
import dev.jnet.netlink.NetlinkException;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.Neighbour;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code ip neigh}: add, replace, delete, show, flush (iproute2's ipneigh.c syntax, text and JSON). */
final class IpNeigh extends IpObject {
    private static final String[] STATES = {"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP",
        "PERMANENT"};

    IpNeigh(RtnlSession session, String netns, IpCommands.Opts opts, PrintWriter out) {
        super(session, netns, opts, out);
    }

    @Override
    void command(String cmd, List<String> rest, IpCommands.Opts o) {
        switch (resolve(cmd, "neigh", "add", "replace", "delete", "show", "lst", "list", "flush")) {
            case "add" -> modify(rest, o, false, false);
            case "replace" -> modify(rest, o, true, false);
            case "delete" -> modify(rest, o, false, true);
            case "flush" -> showOrFlush(rest, o, true);
            default -> show(rest, o);
        }
    }

    /** ip's nud_state_a2n: a state name (some abbreviated) or a single-bit number below 0x100; -1 if neither. */
    static int nudState(String s) {
        if (Parsers.matches(s, "permanent")) {
            return Neighbour.NUD_PERMANENT;
        }
        if (Parsers.matches(s, "reachable")) {
            return Neighbour.NUD_REACHABLE;
        }
        switch (s) {
            case "noarp": return Neighbour.NUD_NOARP;
            case "none": return Neighbour.NUD_NONE;
            case "stale": return Neighbour.NUD_STALE;
            case "incomplete": return Neighbour.NUD_INCOMPLETE;
            case "delay": return Neighbour.NUD_DELAY;
            case "probe": return Neighbour.NUD_PROBE;
            default: break;
        }
        if (Parsers.matches(s, "failed")) {
            return Neighbour.NUD_FAILED;
        }
        long v = Parsers.unsigned(s, 0xff);
        return v < 0 || (v & (v - 1)) != 0 ? -1 : (int) v;
    }

    private void modify(List<String> a, IpCommands.Opts o, boolean replace, boolean delete) {
        String lla = null;
        int state = Neighbour.NUD_PERMANENT;
        int flags = 0;
        int extFlags = 0;
        int protocol = 0;
        String dev = null;
        InetAddress dst = null;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (Parsers.matches(t, "lladdr")) {
                String v = next(a, ++i);
                if (lla != null) {
                    throw IpError.usage("Error: duplicate \"lladdr\": \"" + v + "\" is the second value.");
                }
                lla = v;
            } else if (t.equals("nud")) {
                String v = next(a, ++i);
                state = nudState(v);
                if (state < 0) {
                    throw IpError.invarg("nud state is bad", v);
                }
            } else if (t.equals("router")) {
                flags |= Neighbour.NTF_ROUTER;
            } else if (t.equals("use")) {
                flags |= Neighbour.NTF_USE;
            } else if (t.equals("managed")) {
                extFlags |= Neighbour.NTF_EXT_MANAGED;
                state = Neighbour.NUD_NONE;
            } else if (Parsers.matches(t, "extern_learn")) {
                flags |= Neighbour.NTF_EXT_LEARNED;
            } else if (t.equals("dev")) {
                dev = next(a, ++i);
            } else if (Parsers.matches(t, "protocol")) {
                String v = next(a, ++i);
                protocol = Parsers.protocol(v);
                if (protocol < 0) {
                    throw IpError.invargNl("\"protocol\" value is invalid", v);
                }
            } else {
                if (t.equals("to")) {
                    t = next(a, ++i);
                }
                if (dst != null) {
                    throw IpError.duplicateOrGarbage("to", t);
                }
                dst = Parsers.address(t, o.family());
            }
        }
        if (dev == null || dst == null) {
            throw IpError.usage("Device and destination are required arguments.");
        }
        byte[] mac = lla != null && !lla.equals("null") ? Parsers.mac(lla) : null;
        if (!exists(dev)) {
            throw new IpError("Cannot find device \"" + dev + "\"", 1);
        }
        Neighbour n = new Neighbour(Parsers.familyOf(dst) == 6 ? 10 : 2, h().ifindex(dev), dst, mac, state, flags,
                protocol, extFlags);
        if (delete) {
            h().deleteNeighbour(n);
        } else {
            h().addNeighbour(n, replace);
        }
    }

    @Override
    void show(List<String> a, IpCommands.Opts o) {
        showOrFlush(a, o, false);
    }

    private void showOrFlush(List<String> a, IpCommands.Opts o, boolean flush) {
        if (flush && a.isEmpty()) {
            throw new IpError("Flush requires arguments.", 1);
        }
        int family = o.family();
        int filterState = flush ? ~(Neighbour.NUD_PERMANENT | Neighbour.NUD_NOARP) : 0xff & ~Neighbour.NUD_NOARP;
        boolean stateGiven = false;
        String dev = null;
        Parsers.Prefix to = null;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (t.equals("dev")) {
                String v = next(a, ++i);
                if (dev != null) {
                    throw IpError.usage("Error: duplicate \"dev\": \"" + v + "\" is the second value.");
                }
                dev = v;
            } else if (t.equals("nud")) {
                String v = next(a, ++i);
                if (!stateGiven) {
                    stateGiven = true;
                    filterState = 0;
                }
                int s = nudState(v);
                if (s < 0) {
                    if (!v.equals("all")) {
                        throw IpError.invarg("nud state is bad", v);
                    }
                    s = flush ? ~Neighbour.NUD_NOARP : ~0;
                }
                filterState |= s == 0 ? 0x100 : s;
            } else {
                if (t.equals("to")) {
                    t = next(a, ++i);
                }
                to = Parsers.prefix(t, family); // ip's get_prefix exits with its own message
                if (family == 0 && !to.isDefault()) {
                    family = to.family();
                }
            }
        }
        int ifindex = 0;
        if (dev != null) {
            if (!exists(dev)) {
                throw new IpError("Cannot find device \"" + dev + "\"", 1);
            }
            ifindex = h().ifindex(dev);
        }
        List<Neighbour> sel = new ArrayList<>();
        int af = family == 4 ? 2 : family == 6 ? 10 : 0;
        for (Neighbour n : h().neighbours(af)) {
            if ((ifindex == 0 || n.ifindex() == ifindex) && stateMatches(n, filterState) && inPrefix(n.dst(), to)) {
                sel.add(n);
            }
        }
        if (flush) {
            flush(sel, o);
        } else {
            print(sel, ifindex != 0, o);
        }
    }

    /** ip's state filter: the entry's state is asked for, or it is a proxy/externally learned one, or NONE with "nud none". */
    private static boolean stateMatches(Neighbour n, int filterState) {
        return (filterState & n.state()) != 0 || (n.flags() & Neighbour.NTF_PROXY) != 0
                || (n.flags() & Neighbour.NTF_EXT_LEARNED) != 0 || (n.state() == 0 && (filterState & 0x100) != 0);
    }

    private static boolean inPrefix(InetAddress a, Parsers.Prefix p) {
        if (p == null || p.isDefault()) {
            return true;
        }
        if (Parsers.familyOf(a) != p.family()) {
            return false;
        }
        return Parsers.network(a, p.length()).equals(Parsers.network(p.address(), p.length()));
    }

    private void flush(List<Neighbour> sel, IpCommands.Opts o) {
        for (Neighbour n : sel) {
            try {
                h().deleteNeighbour(n);
            } catch (NetlinkException e) {
                // gone meanwhile: flushed all the same
            }
        }
        if (o.stats() > 0) {
            if (sel.isEmpty()) {
                out.println("Nothing to flush.");
            } else {
                out.println();
                out.println("*** Round 1, deleting " + sel.size() + " entries ***");
                out.println("*** Flush is complete after 1 round ***");
            }
        }
        out.flush();
    }

    private void print(List<Neighbour> sel, boolean devGiven, IpCommands.Opts o) {
        Map<Integer, Link> byIndex = sel.isEmpty() ? Map.of() : linkTable().byIndex();
        List<String> items = new ArrayList<>();
        for (Neighbour n : sel) {
            if (o.json()) {
                items.add(json(n, byIndex, devGiven).toString());
            } else {
                out.println(text(n, byIndex, devGiven));
            }
        }
        if (o.json()) {
            printJson(Json.array(items), o);
        }
        out.flush();
    }

    /** {@code 10.0.0.2 dev eth0 lladdr 02:00:00:00:00:02 router REACHABLE } (ip's trailing space). */
    static String text(Neighbour n, Map<Integer, Link> byIndex, boolean devGiven) {
        StringBuilder b = new StringBuilder(IpJson.addr(n.dst())).append(' ');
        if (!devGiven && n.ifindex() != 0) {
            b.append("dev ").append(IpJson.nameOf(byIndex, n.ifindex())).append(' ');
        }
        if (n.lladdr() != null) {
            b.append("lladdr ").append(Parsers.formatMac(n.lladdr())).append(' ');
        }
        for (String f : flagWords(n)) {
            b.append(f).append(' ');
        }
        for (String s : stateWords(n.state())) {
            b.append(s).append(' ');
        }
        if (n.protocol() != 0) {
            b.append("proto ").append(Parsers.protocolName(n.protocol())).append(' ');
        }
        return b.toString();
    }

    static Obj json(Neighbour n, Map<Integer, Link> byIndex, boolean devGiven) {
        Obj o = new Obj().put("dst", IpJson.addr(n.dst()));
        if (!devGiven && n.ifindex() != 0) {
            o.put("dev", IpJson.nameOf(byIndex, n.ifindex()));
        }
        if (n.lladdr() != null) {
            o.put("lladdr", Parsers.formatMac(n.lladdr()));
        }
        for (String f : flagWords(n)) {
            o.putNull(f);
        }
        if (n.state() != 0) {
            o.putStrings("state", stateWords(n.state()));
        }
        if (n.protocol() != 0) {
            o.put("protocol", Parsers.protocolName(n.protocol()));
        }
        return o;
    }

    private static List<String> flagWords(Neighbour n) {
        List<String> w = new ArrayList<>(2);
        if ((n.flags() & Neighbour.NTF_ROUTER) != 0) {
            w.add("router");
        }
        if ((n.flags() & Neighbour.NTF_PROXY) != 0) {
            w.add("proxy");
        }
        if ((n.extFlags() & Neighbour.NTF_EXT_MANAGED) != 0) {
            w.add("managed");
        }
        if ((n.flags() & Neighbour.NTF_EXT_LEARNED) != 0) {
            w.add("extern_learn");
        }
        if ((n.flags() & Neighbour.NTF_OFFLOADED) != 0) {
            w.add("offload");
        }
        return w;
    }

    /** print_neigh_state: the state words in ip's order, then any other bits as ip leaves them (unprinted). */
    static List<String> stateWords(int state) {
        List<String> w = new ArrayList<>(1);
        for (int i = 0; i < STATES.length; i++) {
            if ((state & (1 << i)) != 0) {
                w.add(STATES[i]);
            }
        }
        return w;
    }
}
