package dev.jnet.topology;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import dev.jnet.net.IpAddress;
import dev.jnet.netlink.NsidRequests;
import dev.jnet.netns.NetnsInfo;
import dev.jnet.netns.NetnsManager;
import dev.jnet.netns.NetnsThreads;
import dev.jnet.netns.NsIdentity;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.RtnlHandle;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Looks at the host's namespaces over rtnetlink: the caller's ("host"), every named one of
 * {@code manager}, and with {@code all} every namespace a process is in. Each namespace's links
 * and addresses are dumped from a route socket inside it; a veth's peer is found through its
 * IFLA_LINK and IFLA_LINK_NETNSID, the nsid resolved to a namespace by asking (RTM_GETNSID) for
 * each namespace's file. Read-only: it changes nothing but may make the kernel assign nsids, as
 * {@code ip link} does.
 */
public final class TopologyScanner {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;

    private TopologyScanner() {}

    /** One namespace to look at: how to open it (a file), and for a rootless name, the manager's socket. */
    private record Candidate(String id, String name, Topology.Kind kind, NsIdentity identity, Path file,
            String rootlessName) {}

    /** What one namespace showed: its links and addresses, and nsid -> candidate id of the others. */
    private record Seen(List<Link> links, List<Address> addresses, Map<Integer, String> nsids) {}

    /**
     * The topology now.
     *
     * @throws TopologyException ({@link TopologyException.Kind#SCAN_FAILED}) when the caller's own
     *         namespace cannot be read; a named or process namespace that cannot (gone meanwhile,
     *         not ours) is shown without links
     */
    public static Topology scan(NetnsManager manager, boolean all) {
        List<Candidate> candidates = candidates(manager, all);
        List<Topology.Namespace> namespaces = new ArrayList<>();
        List<Topology.Edge> edges = new ArrayList<>();
        Set<String> pairs = new HashSet<>();
        for (Candidate c : candidates) {
            Seen seen;
            try {
                seen = read(manager, c, candidates);
            } catch (Exception e) {
                if (c.kind() == Topology.Kind.HOST) {
                    throw new TopologyException(TopologyException.Kind.SCAN_FAILED,
                            "reading the links of the host namespace: " + e.getMessage(), e);
                }
                namespaces.add(new Topology.Namespace(c.id(), c.name(), c.kind(), c.identity().ino(), List.of()));
                continue;
            }
            Map<Integer, Link> byIndex = new HashMap<>();
            seen.links().forEach(l -> byIndex.put(l.ifindex(), l));
            List<Topology.Iface> ifaces = new ArrayList<>();
            for (Link l : seen.links()) {
                ifaces.add(iface(l, seen.addresses()));
                if ("veth".equals(l.kind()) && l.link().isPresent()) {
                    String peerNs = l.linkNetnsid().isPresent() ? seen.nsids().get(l.linkNetnsid().getAsInt()) : c.id();
                    int peer = l.link().getAsInt();
                    String a = c.id() + "/" + l.ifindex();
                    String b = peerNs + "/" + peer;
                    if (peerNs != null && pairs.add(a.compareTo(b) < 0 ? a + " " + b : b + " " + a)) {
                        edges.add(new Topology.Edge(Topology.EdgeKind.VETH, c.id(), l.ifindex(), peerNs, peer));
                    }
                }
                Link master = l.master().isPresent() ? byIndex.get(l.master().getAsInt()) : null;
                if (master != null && "bridge".equals(master.kind())) {
                    edges.add(new Topology.Edge(Topology.EdgeKind.BRIDGE_PORT, c.id(), l.ifindex(), c.id(),
                            l.master().getAsInt()));
                }
            }
            namespaces.add(new Topology.Namespace(c.id(), c.name(), c.kind(), c.identity().ino(), ifaces));
        }
        // a veth whose peer was seen first from the other side is one edge; one whose peer namespace
        // was not looked at has none
        edges.removeIf(e -> e.kind() == Topology.EdgeKind.VETH && namespaces.stream().noneMatch(n -> n.id().equals(e.toNamespace())));
        return new Topology(namespaces, edges);
    }

    private static Topology.Iface iface(Link l, List<Address> addresses) {
        List<String> addrs = new ArrayList<>();
        for (Address a : addresses) {
            IpAddress ip = IpAddress.of(a.local());
            if (a.ifindex() == l.ifindex() && !(a.isIpv6() && a.scope() == Address.SCOPE_LINK)) {
                addrs.add(ip + "/" + a.prefixlen());
            }
        }
        String kind = l.kind() != null ? l.kind() : (l.flags() & Link.IFF_LOOPBACK) != 0 ? "loopback" : "";
        return new Topology.Iface(l.ifindex(), l.ifname(), kind, l.isUp(), l.master().orElse(0), addrs);
    }

    private static List<Candidate> candidates(NetnsManager manager, boolean all) {
        List<Candidate> out = new ArrayList<>();
        Set<NsIdentity> known = new HashSet<>();
        // the process's namespace (/proc/self is the main thread; thread-self would name the
        // namespace of whichever thread opens it later)
        Path hostFile = Path.of("/proc/self/ns/net");
        NsIdentity host = NsIdentity.of(hostFile).orElseThrow(() -> new TopologyException(
                TopologyException.Kind.SCAN_FAILED, "cannot read " + hostFile, null));
        out.add(new Candidate("ns0", "host", Topology.Kind.HOST, host, hostFile, null));
        known.add(host);
        List<NetnsInfo> named;
        try {
            named = manager.list();
        } catch (RuntimeException e) {
            named = List.of(); // no namespace directory: none named
        }
        for (NetnsInfo n : named) {
            Path file = manager.isRootless() ? holderFile(manager, n.name()) : n.path();
            NsIdentity id = file == null ? null : NsIdentity.of(file).orElse(null);
            if (!n.usable() || id == null) {
                continue;
            }
            known.add(id);
            out.add(new Candidate("ns" + out.size(), n.name(), Topology.Kind.NAMED, id, file,
                    manager.isRootless() ? n.name() : null));
        }
        if (all) {
            for (Map.Entry<Long, String> p : processes().entrySet()) {
                Path file = Path.of("/proc", Long.toString(p.getKey()), "ns", "net");
                NsIdentity id = NsIdentity.of(file).orElse(null);
                if (id != null && known.add(id)) {
                    out.add(new Candidate("ns" + out.size(), "pid " + p.getKey() + " (" + p.getValue() + ")",
                            Topology.Kind.PROCESS, id, file, null));
                }
            }
        }
        return out;
    }

    /** A rootless namespace's file: /proc/PID/ns/net of a process in it (its holder). */
    private static Path holderFile(NetnsManager manager, String name) {
        try {
            List<Long> pids = manager.pids(name);
            return pids.isEmpty() ? null : Path.of("/proc", Long.toString(pids.get(0)), "ns", "net");
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** pid -> command name of every process, lowest pid first. */
    private static Map<Long, String> processes() {
        Map<Long, String> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : ds) {
                try {
                    out.put(Long.parseLong(p.getFileName().toString()), Files.readString(p.resolve("comm")).strip());
                } catch (IOException | NumberFormatException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static Seen read(NetnsManager manager, Candidate c, List<Candidate> all) throws Exception {
        if (c.kind() == Topology.Kind.HOST) {
            try (RtnlHandle h = RtnlHandle.open()) {
                return seen(h, c, all);
            }
        }
        if (c.rootlessName() != null) {
            try (RtnlHandle h = RtnlHandle.adopt(manager.openSocket(c.rootlessName(), AF_NETLINK, SOCK_RAW,
                    NETLINK_ROUTE))) {
                return seen(h, c, all);
            }
        }
        return NetnsThreads.call(c.file(), c.name(), () -> {
            try (RtnlHandle h = RtnlHandle.open()) {
                return seen(h, c, all);
            }
        });
    }

    private static Seen seen(RtnlHandle h, Candidate self, List<Candidate> all) {
        List<Link> links = h.links();
        List<Address> addresses = h.addresses(0, null);
        Map<Integer, String> nsids = new HashMap<>();
        if (links.stream().anyMatch(l -> l.linkNetnsid().isPresent())) {
            for (Candidate other : all) {
                if (other == self) {
                    continue;
                }
                try (Fd ns = Fd.open(other.file().toString(), Syscalls.O_RDONLY)) {
                    NsidRequests.get(h.socket(), ns.get(), other.name()).ifPresent(id -> nsids.putIfAbsent(id, other.id()));
                } catch (RuntimeException e) {
                    // gone meanwhile, or not ours to ask about: its veths stay unmatched
                }
            }
        }
        return new Seen(links, addresses, nsids);
    }
}
