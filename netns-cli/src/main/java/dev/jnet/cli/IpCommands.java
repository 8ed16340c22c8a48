package dev.jnet.cli;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import dev.jnet.netlink.NsidRequests;
import dev.jnet.netns.NetnsInfo;
import dev.jnet.netns.NetnsManager;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.LinkChange;
import dev.jnet.rtnl.LinkKind;
import dev.jnet.rtnl.LinkSpec;
import dev.jnet.rtnl.NetnsTarget;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlException;
import dev.jnet.rtnl.RtnlHandle;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * iproute2's {@code ip link|addr|route} argument syntax (positional keywords, abbreviations as
 * ip's matches()) over one {@link RtnlHandle}; shared by the picocli subcommands and
 * {@code -batch}. Bad arguments are {@link IpError}s with ip's wording and exit status.
 */
final class IpCommands {
    /** Options that apply to one command: {@code -4}/{@code -6} (family 4/6, 0 for both), {@code -j}. */
    record Opts(int family, boolean json) {}

    private final RtnlSession session;
    private final String netns;
    private final Opts opts;
    private final PrintWriter out;

    IpCommands(RtnlSession session, String netns, Opts opts, PrintWriter out) {
        this.session = session;
        this.netns = netns;
        this.opts = opts;
        this.out = out;
    }

    private RtnlHandle h() {
        return session.handle(netns);
    }

    /** Runs one ip command line: OBJECT COMMAND ARGS ("link add ...", "addr show", ...). */
    void run(List<String> argv) {
        if (argv.isEmpty()) {
            throw IpError.usage("Usage: jnet [-n NETNS] [-4|-6] [-j] { link | addr | route } ...");
        }
        String obj = argv.get(0);
        List<String> rest = argv.subList(1, argv.size());
        if (Parsers.matches(obj, "link")) {
            link(rest);
        } else if (Parsers.matches(obj, "address") || obj.equals("addr")) {
            addr(rest);
        } else if (Parsers.matches(obj, "route") || obj.equals("r")) {
            route(rest);
        } else {
            throw IpError.usage("Object \"" + obj + "\" is unknown, try \"jnet --help\".");
        }
    }

    /** Strips the per-command options jnet also accepts after the object (-j, -4, -6). */
    private Opts localOpts(List<String> args, List<String> into) {
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
        return new Opts(family, json);
    }

    private static String next(List<String> a, int i) {
        if (i >= a.size()) {
            throw IpError.usage("Command line is not complete. Try option \"help\"");
        }
        return a.get(i);
    }

    // =========================================================================== link

    void link(List<String> raw) {
        List<String> a = new ArrayList<>();
        Opts o = localOpts(raw, a);
        if (a.isEmpty()) {
            linkShow(List.of(), o);
            return;
        }
        String cmd = a.get(0);
        List<String> rest = a.subList(1, a.size());
        if (cmd.equals("add")) {
            linkAdd(rest);
        } else if (cmd.equals("set") || cmd.equals("change")) {
            linkSet(rest);
        } else if (cmd.equals("delete") || cmd.equals("del")) {
            linkDelete(rest);
        } else if (Parsers.matches(cmd, "show") || Parsers.matches(cmd, "list") || cmd.equals("lst")) {
            linkShow(rest, o);
        } else {
            throw IpError.usage("Command \"" + cmd + "\" is unknown, try \"jnet link help\".");
        }
    }

    private static void checkIfname(String what, String name) {
        if (!Parsers.validIfname(name)) {
            throw IpError.invarg("\"" + what + "\" not a valid ifname", name);
        }
    }

    private static int mtu(String s) {
        long v = Parsers.unsigned(s, Integer.MAX_VALUE);
        if (v < 0) {
            throw IpError.invargNl("Invalid \"mtu\" value", s);
        }
        return (int) v;
    }

    private static int txqlen(String s) {
        long v = Parsers.unsigned(s, Integer.MAX_VALUE);
        if (v < 0) {
            throw IpError.invargNl("Invalid \"txqueuelen\" value", s);
        }
        return (int) v;
    }

    private void linkAdd(List<String> a) {
        String name = null;
        String parent = null;
        String type = null;
        int mtu = 0;
        byte[] mac = null;
        int txqlen = -1;
        NetnsTarget netnsTarget = null;
        boolean up = false;
        int i = 0;
        for (; i < a.size(); i++) {
            String t = a.get(i);
            if (t.equals("type")) {
                type = next(a, ++i);
                i++;
                break;
            } else if (t.equals("up")) {
                up = true;
            } else if (t.equals("name")) {
                name = next(a, ++i);
                checkIfname("name", name);
            } else if (t.equals("mtu")) {
                mtu = mtu(next(a, ++i));
            } else if (t.equals("address")) {
                mac = Parsers.mac(next(a, ++i));
            } else if (t.equals("txqueuelen") || t.equals("qlen") || t.equals("txqlen")) {
                txqlen = txqlen(next(a, ++i));
            } else if (t.equals("link")) {
                parent = next(a, ++i);
            } else if (t.equals("netns")) {
                netnsTarget = session.target(next(a, ++i));
            } else {
                if (t.equals("dev")) {
                    t = next(a, ++i);
                }
                if (name != null) {
                    throw IpError.usage("Error: either \"dev\" is duplicate, or \"" + t + "\" is a garbage.");
                }
                checkIfname("dev", t);
                name = t;
            }
        }
        if (type == null) {
            throw new IpError("Not enough information: \"type\" argument is required", 1);
        }
        if (name == null) {
            throw new IpError("Not enough information: \"dev\" argument is required.", 1);
        }
        List<String> k = a.subList(Math.min(i, a.size()), a.size());
        LinkKind kind = switch (type) {
            case "veth" -> veth(k);
            case "bridge" -> {
                noKindArgs("bridge", k);
                yield new LinkKind.Bridge();
            }
            case "dummy" -> {
                noKindArgs("dummy", k);
                yield new LinkKind.Dummy();
            }
            case "vlan" -> vlan(parent, k);
            case "macvlan" -> macvlan(parent, k);
            default -> throw new IpError("Error: Unknown device type.", 2);
        };
        if (parent != null && !(kind instanceof LinkKind.Vlan || kind instanceof LinkKind.Macvlan)) {
            h().link(parent); // ip resolves it: Cannot find device "x"
        }
        h().addLink(new LinkSpec(name, kind, mtu, mac, txqlen, netnsTarget));
        if (up && netnsTarget == null) {
            h().setLink(name, LinkChange.none().withUp(true));
        }
    }

    private static void noKindArgs(String kind, List<String> k) {
        if (!k.isEmpty()) {
            throw IpError.usage(kind + ": unknown command \"" + k.get(0) + "\"?");
        }
    }

    private LinkKind veth(List<String> k) {
        String peer = null;
        NetnsTarget peerNs = null;
        int i = 0;
        if (!k.isEmpty()) {
            if (!k.get(0).equals("peer")) {
                throw IpError.usage("veth: unknown command \"" + k.get(0) + "\"?");
            }
            i = 1;
        }
        for (; i < k.size(); i++) {
            String t = k.get(i);
            if (t.equals("name")) {
                peer = next(k, ++i);
                checkIfname("name", peer);
            } else if (t.equals("netns")) {
                peerNs = session.target(next(k, ++i));
            } else {
                if (t.equals("dev")) {
                    t = next(k, ++i);
                }
                if (peer != null) {
                    throw IpError.usage("Error: either \"dev\" is duplicate, or \"" + t + "\" is a garbage.");
                }
                checkIfname("dev", t);
                peer = t;
            }
        }
        return new LinkKind.Veth(peer, peerNs);
    }

    private LinkKind vlan(String parent, List<String> k) {
        int id = -1;
        for (int i = 0; i < k.size(); i++) {
            String t = k.get(i);
            if (t.equals("id")) {
                String v = next(k, ++i);
                long n = Parsers.unsigned(v, 0xffff);
                if (n < 0) {
                    throw IpError.invarg("id is invalid", v);
                }
                id = (int) n;
            } else {
                throw IpError.usage("vlan: unknown command \"" + t + "\"?");
            }
        }
        if (parent == null) {
            throw new IpError("Not enough information: \"link\" argument is required", 1);
        }
        if (id < 0) {
            throw new IpError("8021q: VLAN id must be specified", 255);
        }
        return new LinkKind.Vlan(parent, id);
    }

    private LinkKind macvlan(String parent, List<String> k) {
        String mode = null;
        for (int i = 0; i < k.size(); i++) {
            String t = k.get(i);
            if (t.equals("mode")) {
                mode = next(k, ++i);
                if (!List.of("private", "vepa", "bridge", "passthru", "source").contains(mode)) {
                    throw new IpError("Error: argument of \"mode\" must be \"private\", \"vepa\", \"bridge\", "
                            + "\"passthru\" or \"source\", not \"" + mode + "\"", 1);
                }
            } else {
                throw IpError.usage("macvlan: unknown command \"" + t + "\"?");
            }
        }
        if (parent == null) {
            throw new IpError("Not enough information: \"link\" argument is required", 1);
        }
        return new LinkKind.Macvlan(parent, mode);
    }

    private void linkSet(List<String> a) {
        String dev = null;
        LinkChange c = LinkChange.none();
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            switch (t) {
                case "up" -> c = c.withUp(true);
                case "down" -> c = c.withUp(false);
                case "mtu" -> c = c.withMtu(mtu(next(a, ++i)));
                case "address" -> c = c.withAddress(Parsers.mac(next(a, ++i)));
                case "txqueuelen", "qlen", "txqlen" -> c = c.withTxqlen(txqlen(next(a, ++i)));
                case "name" -> {
                    String n = next(a, ++i);
                    checkIfname("name", n);
                    c = c.withName(n);
                }
                case "master" -> {
                    String m = next(a, ++i);
                    if (!exists(m)) {
                        throw IpError.invargNl("Device does not exist", m);
                    }
                    c = c.withMaster(m);
                }
                case "nomaster" -> c = c.withMaster(LinkChange.NO_MASTER);
                case "netns" -> c = c.withNetns(session.target(next(a, ++i)));
                default -> {
                    if (t.equals("dev")) {
                        t = next(a, ++i);
                    }
                    if (dev != null) {
                        throw IpError.usage("Error: either \"dev\" is duplicate, or \"" + t + "\" is a garbage.");
                    }
                    checkIfname("dev", t);
                    dev = t;
                }
            }
        }
        if (dev == null) {
            throw new IpError("Not enough information: \"dev\" argument is required.", 1);
        }
        h().setLink(dev, c);
    }

    private boolean exists(String name) {
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

    private void linkDelete(List<String> a) {
        String dev = null;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (t.equals("type")) {
                i++; // ip link del DEV type KIND: the kind is not checked
                continue;
            }
            if (t.equals("dev")) {
                t = next(a, ++i);
            }
            if (dev != null) {
                throw IpError.usage("Error: either \"dev\" is duplicate, or \"" + t + "\" is a garbage.");
            }
            dev = t;
        }
        if (dev == null) {
            throw new IpError("Not enough information: \"dev\" argument is required.", 1);
        }
        h().deleteLink(dev);
    }

    /** Links of the namespace, and by index (for @PEER and master names). */
    private record LinkTable(List<Link> all, Map<Integer, Link> byIndex) {}

    private LinkTable linkTable() {
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
    private Map<Integer, String> netnsNames(List<Link> links) {
        if (links.stream().noneMatch(l -> l.linkNetnsid().isPresent())) {
            return Map.of();
        }
        Map<Integer, String> names = new HashMap<>();
        try {
            for (NetnsInfo n : NetnsManager.forCurrentUser().list()) {
                if (!n.usable()) {
                    continue;
                }
                try (Fd ns = Fd.open(n.path().toString(), Syscalls.O_RDONLY)) {
                    NsidRequests.get(h().socket(), ns.get(), n.name()).ifPresent(id -> names.putIfAbsent(id, n.name()));
                } catch (RuntimeException e) {
                    // gone meanwhile, or not ours to ask about: ip then prints the number
                }
            }
        } catch (RuntimeException e) {
            // no namespace directory to read: numbers it is
        }
        return names;
    }

    /** Filters of link show / addr show: [dev] DEV, up, master M. */
    private record LinkFilter(String dev, boolean up, String master) {}

    private static LinkFilter linkFilter(List<String> a) {
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
                    throw IpError.usage("Error: either \"dev\" is duplicate, or \"" + t + "\" is a garbage.");
                }
                dev = t;
            }
        }
        return new LinkFilter(dev, up, master);
    }

    private List<Link> select(LinkTable t, LinkFilter f) {
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

    private void linkShow(List<String> a, Opts o) {
        LinkFilter f = linkFilter(a);
        LinkTable t = linkTable();
        List<Link> sel = select(t, f);
        if (o.json()) {
            List<String> items = new ArrayList<>();
            for (Link l : sel) {
                items.add(IpJson.link(l, t.byIndex(), true).toString());
            }
            out.println(Json.array(items));
        } else {
            Map<Integer, String> names = netnsNames(sel);
            for (Link l : sel) {
                out.println(IpText.link(l, t.byIndex(), true, true, names));
            }
        }
        out.flush();
    }

    // =========================================================================== addr

    void addr(List<String> raw) {
        List<String> a = new ArrayList<>();
        Opts o = localOpts(raw, a);
        if (a.isEmpty()) {
            addrShow(List.of(), o);
            return;
        }
        String cmd = a.get(0);
        List<String> rest = a.subList(1, a.size());
        if (cmd.equals("add")) {
            addrModify(rest, o, true);
        } else if (cmd.equals("delete") || cmd.equals("del")) {
            addrModify(rest, o, false);
        } else if (Parsers.matches(cmd, "show") || Parsers.matches(cmd, "list") || cmd.equals("lst")) {
            addrShow(rest, o);
        } else if (Parsers.matches(cmd, "flush")) {
            addrFlush(rest, o);
        } else {
            throw IpError.usage("Command \"" + cmd + "\" is unknown, try \"jnet address help\".");
        }
    }

    private void addrModify(List<String> a, Opts o, boolean add) {
        Parsers.Prefix local = null;
        Parsers.Prefix peer = null;
        String brd = null;
        int scope = -1;
        String dev = null;
        String label = null;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (t.equals("peer") || t.equals("remote")) {
                peer = Parsers.prefix(next(a, ++i), o.family());
            } else if (Parsers.matches(t, "broadcast") || t.equals("brd")) {
                brd = next(a, ++i);
            } else if (t.equals("scope")) {
                String s = next(a, ++i);
                scope = Parsers.scope(s);
                if (scope < 0) {
                    throw IpError.invarg("invalid scope value.", s);
                }
            } else if (t.equals("dev")) {
                dev = next(a, ++i);
            } else if (t.equals("label")) {
                label = next(a, ++i);
            } else {
                if (t.equals("local")) {
                    t = next(a, ++i);
                }
                if (local != null) {
                    throw IpError.usage("Error: either \"local\" is duplicate, or \"" + t + "\" is a garbage.");
                }
                local = Parsers.prefix(t, o.family());
                if (local.isDefault()) {
                    throw IpError.invalidPrefix(t);
                }
            }
        }
        if (dev == null) {
            throw new IpError("Not enough information: \"dev\" argument is required.", 1);
        }
        if (local == null) {
            throw new IpError("Not enough information: \"local\" argument is required.", 1);
        }
        int plen = local.length();
        InetAddress peerAddr = null;
        if (peer != null) {
            if (peer.family() != local.family()) {
                throw new IpError("Error: inet address is expected rather than \"" + IpJson.addr(peer.address()) + "\".", 1);
            }
            peerAddr = peer.address();
            plen = peer.explicitLength() ? peer.length() : (local.family() == 6 ? 128 : 32);
        }
        InetAddress brdAddr = null;
        if (brd != null) {
            if (brd.equals("+") || brd.equals("-")) {
                if (local.family() == 4 && plen <= 30) {
                    brdAddr = brd.equals("+") ? Parsers.broadcast(local.address(), plen)
                            : Parsers.network(local.address(), plen);
                }
            } else {
                brdAddr = Parsers.address(brd, local.family());
            }
        }
        if (scope < 0) {
            scope = add && local.family() == 4 && (local.address().getAddress()[0] & 0xff) == 127
                    ? Address.SCOPE_HOST : Address.SCOPE_UNIVERSE;
        }
        int ifindex = h().link(dev).ifindex();
        Address addr = new Address(ifindex, local.address(), plen, peerAddr, brdAddr, scope, label, 0);
        if (add) {
            h().addAddress(addr);
        } else {
            h().deleteAddress(addr);
        }
    }

    private void addrShow(List<String> a, Opts o) {
        LinkFilter f = linkFilter(a);
        LinkTable t = linkTable();
        List<Link> sel = select(t, f);
        List<Address> all = h().addresses(o.family() == 4 ? Route.AF_INET : o.family() == 6 ? Route.AF_INET6 : 0,
                f.dev());
        Map<Integer, List<Address>> byLink = new HashMap<>();
        for (Address ad : all) {
            byLink.computeIfAbsent(ad.ifindex(), x -> new ArrayList<>()).add(ad);
        }
        List<String> items = new ArrayList<>();
        for (Link l : sel) {
            List<Address> mine = byLink.getOrDefault(l.ifindex(), List.of());
            if (o.family() != 0 && mine.isEmpty()) {
                continue; // ip -4/-6 addr lists only links with an address of that family
            }
            if (o.json()) {
                List<String> infos = new ArrayList<>();
                for (Address ad : mine) {
                    infos.add(IpJson.address(ad).toString());
                }
                items.add(IpJson.link(l, t.byIndex(), false, o.family() == 0).putRaw("addr_info", Json.array(infos)).toString());
            } else {
                StringBuilder b = new StringBuilder(IpText.link(l, t.byIndex(), false, o.family() == 0,
                        netnsNames(List.of(l))));
                for (Address ad : mine) {
                    b.append('\n').append(IpText.address(ad));
                }
                out.println(b);
            }
        }
        if (o.json()) {
            out.println(Json.array(items));
        }
        out.flush();
    }

    private void addrFlush(List<String> a, Opts o) {
        if (a.isEmpty()) {
            throw new IpError("Flush requires arguments.", 1);
        }
        String dev = null;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (t.equals("dev")) {
                t = next(a, ++i);
            }
            if (dev != null) {
                throw IpError.usage("Error: either \"dev\" is duplicate, or \"" + t + "\" is a garbage.");
            }
            dev = t;
        }
        if (!exists(dev)) {
            throw IpError.noSuchDevice(dev);
        }
        h().flushAddresses(o.family() == 4 ? Route.AF_INET : o.family() == 6 ? Route.AF_INET6 : 0, dev);
    }

    // =========================================================================== route

    void route(List<String> raw) {
        List<String> a = new ArrayList<>();
        Opts o = localOpts(raw, a);
        if (a.isEmpty()) {
            routeShow(List.of(), o);
            return;
        }
        String cmd = a.get(0);
        List<String> rest = a.subList(1, a.size());
        switch (cmd) {
            case "add" -> routeModify(rest, o, 'a');
            case "replace" -> routeModify(rest, o, 'r');
            case "delete", "del" -> routeModify(rest, o, 'd');
            default -> {
                if (Parsers.matches(cmd, "show") || Parsers.matches(cmd, "list") || cmd.equals("lst")) {
                    routeShow(rest, o);
                } else {
                    throw IpError.usage("Command \"" + cmd + "\" is unknown, try \"jnet route help\".");
                }
            }
        }
    }

    private static final List<String> ROUTE_TYPES = List.of("unicast", "local", "broadcast", "anycast", "multicast",
            "blackhole", "unreachable", "prohibit", "throw", "nat");

    private void routeModify(List<String> a, Opts o, char op) {
        int family = o.family();
        Parsers.Prefix dst = null;
        InetAddress gw = null;
        String dev = null;
        long metric = -1;
        long table = -1;
        InetAddress src = null;
        int scope = -1;
        int proto = -1;
        int type = -1;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (t.equals("via")) {
                String g = next(a, ++i);
                if (g.equals("inet") || g.equals("inet6")) {
                    g = next(a, ++i);
                }
                gw = Parsers.address(g, family != 0 ? family : (dst != null && !dst.isDefault() ? dst.family() : 0));
            } else if (t.equals("dev") || t.equals("oif")) {
                dev = next(a, ++i);
            } else if (t.equals("metric") || t.equals("priority") || t.equals("preference")) {
                String v = next(a, ++i);
                metric = Parsers.unsigned(v, 0xffffffffL);
                if (metric < 0) {
                    throw IpError.invargNl("\"metric\" value is invalid", v);
                }
            } else if (t.equals("table")) {
                String v = next(a, ++i);
                table = Parsers.table(v);
                if (table < 0) {
                    throw IpError.invargNl("\"table\" value is invalid", v);
                }
            } else if (t.equals("src")) {
                String v = next(a, ++i);
                src = Parsers.address(v, family);
            } else if (t.equals("scope")) {
                String v = next(a, ++i);
                scope = Parsers.scope(v);
                if (scope < 0) {
                    throw IpError.invarg("invalid \"scope\" value", v);
                }
            } else if (t.equals("proto") || t.equals("protocol")) {
                String v = next(a, ++i);
                proto = Parsers.protocol(v);
                if (proto < 0) {
                    throw IpError.invarg("\"protocol\" value is invalid", v);
                }
            } else {
                if (t.equals("to")) {
                    t = next(a, ++i);
                }
                if (dst == null && ROUTE_TYPES.contains(t) && i + 1 < a.size()) {
                    type = ROUTE_TYPES.indexOf(t) + 1;
                    t = a.get(++i);
                }
                if (dst != null) {
                    throw IpError.usage("Error: either \"to\" is duplicate, or \"" + t + "\" is a garbage.");
                }
                dst = Parsers.prefix(t, family);
            }
        }
        if (dst == null) {
            throw new IpError("Error: \"to\" argument is required.", 1);
        }
        int fam = family != 0 ? family
                : !dst.isDefault() ? dst.family() : gw != null ? Parsers.familyOf(gw) : 4;
        int af = fam == 6 ? Route.AF_INET6 : Route.AF_INET;
        InetAddress net = dst.isDefault() ? null : Parsers.network(dst.address(), dst.length());
        Route r = Route.to(af, net, dst.length());
        if (op == 'd') {
            r = new Route(af, net, dst.length(), null, 0, -1, Route.TABLE_MAIN, null, proto < 0 ? 0 : proto,
                    scope < 0 ? 255 : scope, type < 0 ? 0 : type, 0);
        } else {
            if (type >= 0) {
                r = new Route(af, net, dst.length(), null, 0, -1, Route.TABLE_MAIN, null, Route.PROTO_BOOT,
                        Route.SCOPE_UNIVERSE, type, 0);
            }
            if (proto >= 0) {
                r = new Route(r.family(), r.dst(), r.dstLen(), r.gateway(), r.oif(), r.metric(), r.table(),
                        r.prefsrc(), proto, r.scope(), r.type(), r.flags());
            }
            int rtype = r.type();
            int defScope;
            if (af == Route.AF_INET6) {
                defScope = Route.SCOPE_UNIVERSE;
            } else if (rtype == 2 || rtype == 10) {
                defScope = 254;
            } else if (rtype == 3 || rtype == 5 || rtype == 4) {
                defScope = Route.SCOPE_LINK;
            } else if (gw == null) {
                defScope = Route.SCOPE_LINK;
            } else {
                defScope = Route.SCOPE_UNIVERSE;
            }
            r = r.scope(scope < 0 ? defScope : scope);
        }
        if (gw != null) {
            r = r.via(gw);
        }
        if (dev != null) {
            r = r.dev(h().link(dev).ifindex());
        }
        if (metric >= 0) {
            r = r.metric((int) metric);
        }
        if (table >= 0) {
            r = r.table((int) table);
        }
        if (src != null) {
            r = r.src(src);
        }
        switch (op) {
            case 'a' -> h().addRoute(r);
            case 'r' -> h().replaceRoute(r);
            default -> h().deleteRoute(r);
        }
    }

    private void routeShow(List<String> a, Opts o) {
        long table = Route.TABLE_MAIN;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            if (t.equals("table")) {
                String v = next(a, ++i);
                table = v.equals("all") ? 0 : Parsers.table(v);
                if (table < 0) {
                    throw IpError.invargNl("table id value is invalid", v);
                }
            } else {
                throw IpError.usage("Error: either \"to\" is duplicate, or \"" + t + "\" is a garbage.");
            }
        }
        int family = o.family() == 6 ? Route.AF_INET6 : o.family() == 4 ? Route.AF_INET
                : table == 0 ? 0 : Route.AF_INET;
        List<Route> routes = h().routes(family, (int) table);
        LinkTable t = linkTable();
        boolean showTable = table == 0;
        List<String> items = new ArrayList<>();
        for (Route r : routes) {
            if (table != 0 && r.table() != table) {
                continue;
            }
            if (o.json()) {
                items.add(IpJson.route(r, t.byIndex(), showTable).toString());
            } else {
                out.println(IpText.route(r, t.byIndex(), showTable));
            }
        }
        if (o.json()) {
            out.println(Json.array(items));
        }
        out.flush();
    }
}
