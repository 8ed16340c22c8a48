package dev.jnet.cli.ip;

import dev.jnet.cli.Json;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code ip address}: add, delete, show, flush. */
final class IpAddr extends IpObject {
    IpAddr(RtnlSession session, String netns, IpCommands.Opts opts, PrintWriter out) {
        super(session, netns, opts, out);
    }

    @Override
    void command(String cmd, List<String> rest, IpCommands.Opts o) {
        switch (resolve(cmd, "address", "add", "delete", "list", "show", "lst", "flush")) {
            case "add" -> modify(rest, o, true);
            case "delete" -> modify(rest, o, false);
            case "flush" -> flush(rest, o);
            default -> show(rest, o);
        }
    }

    private void modify(List<String> a, IpCommands.Opts o, boolean add) {
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
                    throw IpError.duplicateOrGarbage("local", t);
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

    @Override
    void show(List<String> a, IpCommands.Opts o) {
        LinkFilter f = linkFilter(a);
        LinkTable t = linkTable();
        List<Link> sel = select(t, f);
        List<Address> all = h().addresses(addressFamily(o),
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

    private void flush(List<String> a, IpCommands.Opts o) {
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
                throw IpError.duplicateOrGarbage("dev", t);
            }
            dev = t;
        }
        if (!exists(dev)) {
            throw IpError.noSuchDevice(dev);
        }
        h().flushAddresses(addressFamily(o), dev);
    }
}
