package dev.jnet.cli.ip;

import dev.jnet.cli.Json;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.LinkChange;
import dev.jnet.rtnl.LinkKind;
import dev.jnet.rtnl.LinkSpec;
import dev.jnet.rtnl.NetnsTarget;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code ip link}: add (veth, bridge, dummy, vlan, macvlan), set, delete, show. */
final class IpLink extends IpObject {
    IpLink(RtnlSession session, String netns, IpCommands.Opts opts, PrintWriter out) {
        super(session, netns, opts, out);
    }

    @Override
    void command(String cmd, List<String> rest, IpCommands.Opts o) {
        switch (resolve(cmd, "link", "add", "set", "change", "delete", "show", "lst", "list")) {
            case "add" -> add(rest);
            case "set", "change" -> set(rest);
            case "delete" -> delete(rest);
            default -> show(rest, o);
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

    private void add(List<String> a) {
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
                    throw IpError.duplicateOrGarbage("dev", t);
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
        LinkKind kind = kind(type, parent, a.subList(Math.min(i, a.size()), a.size()));
        if (parent != null && !(kind instanceof LinkKind.Vlan || kind instanceof LinkKind.Macvlan)) {
            h().link(parent); // ip resolves it: Cannot find device "x"
        }
        h().addLink(new LinkSpec(name, kind, mtu, mac, txqlen, netnsTarget));
        if (up && netnsTarget == null) {
            h().setLink(name, LinkChange.none().withUp(true));
        }
    }

    /** {@code type TYPE ARGS}: the kind of link, from its own arguments {@code k} (and {@code link PARENT}). */
    private LinkKind kind(String type, String parent, List<String> k) {
        return switch (type) {
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
                    throw IpError.duplicateOrGarbage("dev", t);
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

    private void set(List<String> a) {
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
                        throw IpError.duplicateOrGarbage("dev", t);
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

    private void delete(List<String> a) {
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
                throw IpError.duplicateOrGarbage("dev", t);
            }
            dev = t;
        }
        if (dev == null) {
            throw new IpError("Not enough information: \"dev\" argument is required.", 1);
        }
        h().deleteLink(dev);
    }

    @Override
    void show(List<String> a, IpCommands.Opts o) {
        LinkFilter f = linkFilter(a);
        LinkTable t = linkTable();
        List<Link> sel = select(t, f);
        if (o.json()) {
            List<String> items = new ArrayList<>();
            for (Link l : sel) {
                items.add(hidden(t, f, l) ? "{}" : (o.brief() ? IpJson.briefLink(l, t.byIndex(), true) : IpJson.linkRecord(l, t.byIndex(), o, true))
                        .toString());
            }
            printJson(Json.array(items), o);
        } else {
            Map<Integer, String> names = o.brief() ? Map.of() : netnsNames(shown(t, f, sel));
            for (Link l : shown(t, f, sel)) {
                String rec = o.brief() ? IpText.briefLink(l, t.byIndex()) : IpText.linkRecord(l, t.byIndex(), o, true, names);
                out.println(o.oneline() ? rec.replace('\n', '\\') : rec);
            }
        }
        out.flush();
    }
}
