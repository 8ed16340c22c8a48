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
        String validArg = null;
        String preferredArg = null;
        long valid = Address.FOREVER;
        long preferred = Address.FOREVER;
        int flags = 0;
        for (int i = 0; i < a.size(); i++) {
            String t = a.get(i);
            int flag = flag(t);
            if (flag != 0) {
                flags |= settable(t, flag, local != null ? local.family() : o.family());
            } else if (Parsers.matches(t, "valid_lft")) {
                if (validArg != null) {
                    throw IpError.usage("Error: duplicate \"valid_lft\": \"" + t + "\" is the second value.");
                }
                validArg = next(a, ++i);
                valid = lifetime(validArg, "valid_lft value");
            } else if (Parsers.matches(t, "preferred_lft")) {
                if (preferredArg != null) {
                    throw IpError.usage("Error: duplicate \"preferred_lft\": \"" + t + "\" is the second value.");
                }
                preferredArg = next(a, ++i);
                preferred = lifetime(preferredArg, "preferred_lft value");
            } else if (t.equals("peer") || t.equals("remote")) {
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
        Address addr = new Address(ifindex, local.address(), plen, peerAddr, brdAddr, scope, label, flags);
        if (validArg != null || preferredArg != null) {
            if (valid == 0) {
                throw new IpError("valid_lft is zero", 1);
            }
            if (valid < preferred) {
                throw new IpError("preferred_lft is greater than valid_lft", 1);
            }
            addr = addr.withLifetimes(valid, preferred);
        }
        if (add) {
            h().addAddress(addr);
        } else {
            h().deleteAddress(addr);
        }
    }

    /** ip's address flag words (ifa_flag_data): their IFA_F_ bit, or 0 for other words. */
    private static int flag(String word) {
        return switch (word) {
            case "secondary", "temporary" -> 0x01;
            case "nodad" -> Address.IFA_F_NODAD;
            case "optimistic" -> 0x04;
            case "dadfailed" -> 0x08;
            case "home" -> Address.IFA_F_HOMEADDRESS;
            case "deprecated" -> Address.IFA_F_DEPRECATED;
            case "tentative" -> 0x40;
            case "permanent" -> 0x80;
            case "mngtmpaddr" -> 0x100;
            case "noprefixroute" -> Address.IFA_F_NOPREFIXROUTE;
            case "autojoin" -> 0x400;
            case "stable-privacy" -> 0x800;
            default -> 0;
        };
    }

    /**
     * The bit of flag {@code word} when a user may set it on an address of {@code family} (as
     * known so far: ip reads the words in order), else 0 after ip's warning on stderr.
     */
    private static int settable(String word, int bit, int family) {
        boolean readonly = switch (word) {
            case "secondary", "temporary", "dadfailed", "deprecated", "tentative", "permanent", "stable-privacy" -> true;
            default -> false;
        };
        boolean v6only = !(word.equals("secondary") || word.equals("temporary") || word.equals("noprefixroute")
                || word.equals("autojoin"));
        if (readonly) {
            warn("Warning: " + word + " option is not mutable from userspace");
            return 0;
        }
        if (v6only && family != 6) {
            warn("Warning: " + word + " option can be set only for IPv6 addresses");
            return 0;
        }
        return bit;
    }

    private static void warn(String line) {
        System.out.flush();
        System.err.println(line);
        System.err.flush();
    }

    /** {@code forever} or seconds (u32, as ip's get_u32: decimal, 0x hex or 0 octal). */
    private static long lifetime(String s, String what) {
        if (s.equals("forever")) {
            return Address.FOREVER;
        }
        long v = Parsers.unsigned(s, 0xffffffffL);
        if (v < 0) {
            throw IpError.invarg(what, s);
        }
        return v;
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
        // without a device, ip -6 reads the links from the kernel's AF_INET6 dump: fewer attributes
        boolean inet6 = o.family() == 6 && f.dev() == null;
        List<String> items = new ArrayList<>();
        for (Link l : sel) {
            List<Address> mine = byLink.getOrDefault(l.ifindex(), List.of());
            if (o.family() != 0 && mine.isEmpty()) {
                continue; // ip -4/-6 addr lists only links with an address of that family
            }
            if (hidden(t, f, l)) {
                if (o.json()) {
                    items.add(o.oneline() && !o.brief() ? onelineJson(List.of(), t) : "{}");
                }
                continue;
            }
            if (o.json() && o.oneline() && !o.brief()) {
                items.add(onelineJson(mine, t));
            } else if (o.json()) {
                items.add(jsonRecord(l, t, mine, o, inet6));
            } else if (o.brief()) {
                out.println(IpText.briefAddr(l, t.byIndex(), mine));
            } else if (o.oneline()) {
                for (Address ad : mine) {
                    out.println((l.ifindex() + ": " + l.ifname() + IpText.address(ad)).replace('\n', '\\'));
                }
            } else {
                StringBuilder b = new StringBuilder(IpText.linkRecord(l, t.byIndex(), o, false, netnsNames(List.of(l)), inet6));
                for (Address ad : mine) {
                    b.append('\n').append(IpText.address(ad));
                }
                if (o.stats() > 0 && l.stats() != null) {
                    b.append('\n').append(IpStats.text(l.stats(), o.stats()));
                }
                out.println(b);
            }
        }
        if (o.json()) {
            printJson(Json.array(items), o);
        }
        out.flush();
    }

    /** ip -j -o addr: per link, its addresses each with the link's index and name. */
    private static String onelineJson(List<Address> mine, LinkTable t) {
        List<String> infos = new ArrayList<>();
        for (Address ad : mine) {
            Json.Obj j = new Json.Obj().put("index", ad.ifindex()).put("dev", IpJson.nameOf(t.byIndex(), ad.ifindex()));
            infos.add(IpJson.address(j, ad).toString());
        }
        return new Json.Obj().putRaw("addr_info", Json.array(infos)).toString();
    }

    private static String jsonRecord(Link l, LinkTable t, List<Address> mine, IpCommands.Opts o, boolean inet6) {
        List<String> infos = new ArrayList<>();
        if (o.brief()) {
            for (Address ad : mine) {
                infos.add(IpJson.briefAddress(ad).toString());
            }
            return IpJson.briefLink(l, t.byIndex(), false).putRaw("addr_info", Json.array(infos)).toString();
        }
        for (Address ad : mine) {
            infos.add(IpJson.address(ad).toString());
        }
        Json.Obj j = IpJson.linkRecord(l, t.byIndex(), o, false, inet6).putRaw("addr_info", Json.array(infos));
        IpJson.stats(j, l, o);
        return j.toString();
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
