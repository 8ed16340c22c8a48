package dev.jnet.cli.ip;

import dev.jnet.cli.Json.Obj;
import dev.jnet.rtnl.Link;

/**
 * What {@code ip -d} adds to a link (iproute2's print_linkinfo under show_details): promiscuity,
 * allmulti, MTU bounds, the kind, the IPv6 address generation mode (link show only), queues and
 * GSO/TSO/GRO limits, a macvlan's mode and queue lengths. The per-kind attributes ip prints for
 * bridges, bridge ports, vlans and tun devices (their IFLA_INFO_DATA) are not decoded: for those
 * kinds only the kind is shown.
 */
final class IpDetails {
    private IpDetails() {}

    /** The text after the {@code link/...} line's address (same line, then the kind's own lines). */
    static String text(Link l, boolean doLink) {
        Link.Details d = l.details();
        StringBuilder b = new StringBuilder();
        if (d == null) {
            return "";
        }
        if (d.promiscuity() >= 0) {
            b.append(" promiscuity ").append(d.promiscuity()).append(' ');
        }
        if (d.allmulti() >= 0) {
            b.append(" allmulti ").append(d.allmulti()).append(' ');
        }
        if (d.hasMinMtu()) {
            b.append("minmtu ").append(Integer.toUnsignedString(l.minMtu())).append(' ');
            b.append("maxmtu ").append(Integer.toUnsignedString(l.maxMtu())).append(' ');
        }
        if (l.kind() != null) {
            b.append("\n    ").append(l.kind()).append(' ');
            if (d.macvlan() != null && d.macvlan().mode() >= 0) {
                Link.Macvlan m = d.macvlan();
                b.append("mode ").append(macvlanMode(m.mode())).append(' ');
                b.append((m.flags() & 1) != 0 ? "nopromisc " : "").append((m.flags() & 2) != 0 ? "nodst " : "");
                b.append(m.bcQueueLen() >= 0 ? "bcqueuelen " + m.bcQueueLen() + " " : "");
                b.append(m.usedBcQueueLen() >= 0 ? "usedbcqueuelen " + m.usedBcQueueLen() + " " : "");
            }
        }
        if (d.slaveKind() != null) {
            b.append("\n    ").append(d.slaveKind()).append("_slave ");
        }
        if (doLink && d.addrGenMode() >= 0) {
            b.append("addrgenmode ").append(genMode(d.addrGenMode())).append(' ');
        }
        String[] names = {"numtxqueues", "numrxqueues", "gso_max_size", "gso_max_segs", "tso_max_size",
            "tso_max_segs", "gro_max_size"};
        long[] values = values(d);
        for (int i = 0; i < names.length; i++) {
            if (values[i] >= 0) {
                b.append(names[i]).append(' ').append(values[i]).append(' ');
            }
        }
        if (d.parentBus() != null) {
            b.append("parentbus ").append(d.parentBus()).append(' ');
        }
        if (d.parentDev() != null) {
            b.append("parentdev ").append(d.parentDev()).append(' ');
        }
        return b.toString();
    }

    private static long[] values(Link.Details d) {
        return new long[] {d.numTxQueues(), d.numRxQueues(), d.gsoMaxSize(), d.gsoMaxSegs(), d.tsoMaxSize(),
            d.tsoMaxSegs(), d.groMaxSize()};
    }

    /** Adds the same fields to the link's JSON object, under ip's names. */
    static void json(Obj o, Link l, boolean doLink) {
        Link.Details d = l.details();
        if (d == null) {
            return;
        }
        if (d.promiscuity() >= 0) {
            o.put("promiscuity", d.promiscuity());
        }
        if (d.allmulti() >= 0) {
            o.put("allmulti", d.allmulti());
        }
        if (d.hasMinMtu()) {
            o.put("min_mtu", Integer.toUnsignedLong(l.minMtu())).put("max_mtu", Integer.toUnsignedLong(l.maxMtu()));
        }
        if (l.kind() != null || d.slaveKind() != null) {
            Obj info = new Obj();
            if (l.kind() != null) {
                info.put("info_kind", l.kind());
                if ("macvlan".equals(l.kind())) {
                    info.putRaw("info_data", macvlanJson(d.macvlan()).toString());
                }
            }
            if (d.slaveKind() != null) {
                info.put("info_slave_kind", d.slaveKind());
            }
            o.putRaw("linkinfo", info.toString());
        }
        if (doLink && d.addrGenMode() >= 0) {
            o.put("inet6_addr_gen_mode", genMode(d.addrGenMode()));
        }
        String[] names = {"num_tx_queues", "num_rx_queues", "gso_max_size", "gso_max_segs", "tso_max_size",
            "tso_max_segs", "gro_max_size"};
        long[] values = values(d);
        for (int i = 0; i < names.length; i++) {
            if (values[i] >= 0) {
                o.put(names[i], values[i]);
            }
        }
        if (d.parentBus() != null) {
            o.put("parentbus", d.parentBus());
        }
        if (d.parentDev() != null) {
            o.put("parentdev", d.parentDev());
        }
    }

    private static String macvlanMode(long mode) {
        return mode == 1 ? "private" : mode == 2 ? "vepa" : mode == 4 ? "bridge" : mode == 8 ? "passthru"
                : mode == 16 ? "source" : "unknown";
    }

    /** macvlan_print_opt's JSON ({} without data, as ip opens the object before looking). */
    private static Obj macvlanJson(Link.Macvlan m) {
        Obj o = new Obj();
        if (m == null || m.mode() < 0) {
            return o;
        }
        o.put("mode", macvlanMode(m.mode()));
        if ((m.flags() & 1) != 0) {
            o.put("nopromisc", true);
        }
        if ((m.flags() & 2) != 0) {
            o.put("nodst", true);
        }
        if (m.bcQueueLen() >= 0) {
            o.put("bcqueuelen", m.bcQueueLen());
        }
        if (m.usedBcQueueLen() >= 0) {
            o.put("usedbcqueuelen", m.usedBcQueueLen());
        }
        return o;
    }

    private static String genMode(int mode) {
        return switch (mode) {
            case 0 -> "eui64";
            case 1 -> "none";
            case 2 -> "stable_secret";
            case 3 -> "random";
            default -> String.format("%#04x", mode);
        };
    }
}
