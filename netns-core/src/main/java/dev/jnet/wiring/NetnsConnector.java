package dev.jnet.wiring;

import dev.jnet.linux.Errno;
import dev.jnet.linux.Syscalls;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import dev.jnet.netlink.NetlinkException;
import dev.jnet.netns.NetnsException;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Connects a named network namespace to the host in one call: a veth pair (host end
 * {@code jn-<id>}, namespace end {@code eth0}), addresses on both ends, both ends and the
 * namespace's {@code lo} up, and a default route inside the namespace via the host end. With a
 * bridge the host end becomes a port of it (the bridge is created when missing and carries the
 * host address), so several namespaces share one L2 segment.
 *
 * <p>What {@link #connect} made is recorded in a state file ({@code /run/jnet/connect/NAME} as
 * root), and {@link #disconnect} undoes exactly that: the veth pair, the host address it put on
 * a bridge and the bridge itself when connect created them and no other port remains. A failed
 * connect rolls back whatever it had made, and an existing connection, a missing namespace or a
 * taken interface name is refused before anything is made.
 *
 * <p>Not thread-safe; the host handle is used, not owned, and must not be in a batch ({@code connect}
 * pipelines its own requests on it).
 */
public final class NetnsConnector {
    /** Where rootful jnet records connections. */
    public static final Path ROOTFUL_STATE_DIR = Path.of("/run/jnet");
    /** 10.200.0.0: default connections get a free /24 of 10.200.0.0/16. */
    private static final int WIRING_NET = 0x0AC8_0000;

    private final NetnsManager manager;
    private final RtnlHandle host;
    private final ConnectionRecords records;

    /**
     * @param manager the namespaces
     * @param host a handle on the host (the caller's) namespace; the caller keeps ownership
     * @param stateDir where connections and bridges are recorded ({@code connect/} and {@code bridges/} below it)
     */
    public NetnsConnector(NetnsManager manager, RtnlHandle host, Path stateDir) {
        this.manager = manager;
        this.host = host;
        this.records = new ConnectionRecords(stateDir);
    }

    /** The state directory for the current user: /run/jnet as root, else under the runtime directory. */
    public static Path defaultStateDir() {
        if (Syscalls.geteuid() == 0) {
            return ROOTFUL_STATE_DIR;
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        return xdg != null && !xdg.isEmpty() ? Path.of(xdg, "jnet") : Path.of("/tmp", "jnet-" + Syscalls.geteuid());
    }

    /** Whether {@code name} has a connection recorded under {@code stateDir} (a file check, no netlink). */
    public static boolean isConnected(Path stateDir, String name) {
        // an invalid name has no record; deleting it then gets the manager's "Invalid netns name"
        return dev.jnet.netns.NetnsNames.isValid(name) && new ConnectionRecords(stateDir).exists(name);
    }

    /**
     * Deletes namespace {@code name}, first undoing its recorded connection: the veth pair would go
     * with the namespace, but its state file, a bridge jnet made or the addresses it added to one
     * would outlive it (and a later connect of a new namespace of that name would be refused).
     */
    public void delete(String name) {
        if (isConnected(records.dir(), name) && records.read(name) != null) {
            disconnect(name);
        }
        manager.delete(name);
    }

    /** The state file of {@code name}'s connection. */
    public Path stateFile(String name) {
        return records.file(name);
    }

    /** {@code jn-} and 8 hex digits of SHA-256 of the namespace name: stable and at most 11 bytes. */
    public static String defaultHostIfname(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return String.format("jn-%02x%02x%02x%02x", d[0], d[1], d[2], d[3]);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ connect

    /** A bridge the host end joins: made here or there already, with the IPv4 address it had. */
    private record Bridge(String name, boolean created, IpPrefix address) {}

    /** What one connect makes, every name and address settled. */
    private record Plan(String name, String hostIf, String nsIf, Bridge bridge, IpPrefix hostA, IpPrefix nsA,
            IpPrefix host6, IpPrefix ns6) {
        /** The device that carries the host addresses: the bridge, or the host end. */
        String hostAddrDev() {
            return bridge != null ? bridge.name() : hostIf;
        }
    }

    /**
     * Wires {@code name} as {@code o} says. Refuses (before making anything) a missing namespace, a
     * connected one, taken or invalid interface names and addresses of the wrong family; undoes
     * what it made when a later step fails.
     */
    public Connection connect(String name, ConnectOptions o) {
        String hostIf = o.hostIfname() != null ? o.hostIfname() : defaultHostIfname(name);
        String nsIf = o.nsIfname() != null ? o.nsIfname() : "eth0";
        check(name, hostIf, nsIf, o);
        if (!records.lock(name)) {
            throw alreadyConnected(name);
        }
        Deque<Runnable> undo = new ArrayDeque<>();
        undo.push(() -> records.delete(name));
        try (RtnlHandle ns = openIn(name)) {
            if (exists(ns, nsIf)) {
                throw new WiringException(WiringException.Kind.EXISTS,
                        "Device \"" + nsIf + "\" already exists in namespace \"" + name + "\"");
            }
            checkNoDefaultRoutes(name, ns, o);
            UsedPrefixes used = used(name, ns, o.bridge());
            for (IpPrefix given : new IpPrefix[] {o.hostAddress(), o.nsAddress(), o.hostAddress6(), o.nsAddress6()}) {
                refuseOverlap(used, given);
            }
            Bridge bridge = o.bridge() == null ? null : bridge(o.bridge(), undo);
            IpPrefix hostA = o.hostAddress();
            IpPrefix nsA = o.nsAddress();
            if (hostA == null && bridge != null && bridge.address() != null) { // the bridge's, and a free one on it
                hostA = bridge.address();
                nsA = freeHostOnBridge(bridge.name(), hostA);
                refuseOverlap(used, hostA);
            } else if (hostA == null) { // .1 and .2 of a free 10.200.N.0/24
                int n = freeSubnet(used);
                hostA = new IpPrefix(IpAddress.ipv4(WIRING_NET | n << 8 | 1), 24);
                nsA = new IpPrefix(IpAddress.ipv4(WIRING_NET | n << 8 | 2), 24);
            }
            // the veth pair, its peer made directly inside the namespace
            host.addLink(LinkSpec.of(hostIf, new LinkKind.Veth(nsIf, new NetnsTarget.ByPath(manager.path(name)))));
            undo.push(() -> quietly(() -> host.deleteLink(hostIf)));
            Plan plan = new Plan(name, hostIf, nsIf, bridge, hostA, nsA, o.hostAddress6(), o.nsAddress6());
            boolean bridgeAddrAdded = configure(plan, ns, undo);
            return record(plan, bridgeAddrAdded);
        } catch (RuntimeException e) {
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
            throw e;
        }
    }

    /** Everything that can be refused without changing anything. */
    private void check(String name, String hostIf, String nsIf, ConnectOptions o) {
        checkNamespace(name);
        checkIfname(hostIf);
        checkIfname(nsIf);
        if (o.bridge() != null) {
            checkIfname(o.bridge());
        }
        checkPair(o.hostAddress(), o.nsAddress(), IpAddress.Family.IPV4);
        checkPair(o.hostAddress6(), o.nsAddress6(), IpAddress.Family.IPV6);
        if (records.exists(name)) {
            throw alreadyConnected(name);
        }
        if (hostExists(hostIf)) {
            throw new WiringException(WiringException.Kind.EXISTS,
                    "Device \"" + hostIf + "\" already exists in the host namespace");
        }
    }

    private static void checkPair(IpPrefix hostSide, IpPrefix nsSide, IpAddress.Family family) {
        String v = family == IpAddress.Family.IPV4 ? "IPv4" : "IPv6";
        if ((hostSide == null) != (nsSide == null)) {
            throw new WiringException(WiringException.Kind.INVALID_ARGUMENT,
                    "The host and namespace side " + v + " addresses go together: give both or neither");
        }
        for (IpPrefix p : new IpPrefix[] {hostSide, nsSide}) {
            if (p != null && p.family() != family) {
                throw new WiringException(WiringException.Kind.INVALID_ARGUMENT,
                        "Invalid " + v + " address \"" + p + "\": not an " + v + " address");
            }
        }
    }

    private WiringException alreadyConnected(String name) {
        Connection c = records.read(name);
        return new WiringException(WiringException.Kind.ALREADY_CONNECTED, name, "Namespace \"" + name
                + "\" is already connected" + (c != null ? " (host end " + c.hostIfname() + ")" : ""), null);
    }

    /** The bridge {@code name}, made (and up) when missing; a device of another kind is refused. */
    private Bridge bridge(String name, Deque<Runnable> undo) {
        Bridge b;
        if (hostExists(name)) {
            Link br = host.link(name);
            if (!"bridge".equals(br.kind())) {
                throw new WiringException(WiringException.Kind.EXISTS, "Device \"" + name + "\" exists and is not a bridge");
            }
            b = new Bridge(name, false, firstV4(host.addresses(Route.AF_INET, name)));
        } else {
            host.addLink(LinkSpec.of(name, new LinkKind.Bridge()));
            undo.push(() -> quietly(() -> host.deleteLink(name)));
            b = new Bridge(name, true, null);
        }
        host.setLink(name, LinkChange.none().withUp(true));
        return b;
    }

    /**
     * Every lookup first, then the changes pipelined on both sockets, host side first: the host
     * end on the bridge and up, the host addresses; inside, lo up, the addresses, the end up and
     * default routes via the host end. Returns whether the IPv4 host address was added to a bridge.
     */
    private boolean configure(Plan p, RtnlHandle ns, Deque<Runnable> undo) {
        Bridge br = p.bridge();
        boolean addHostA = br == null || (!p.hostA().equals(br.address()) && !hasAddress(host.addresses(0, br.name()), p.hostA()));
        boolean addHost6 = p.host6() != null && !hasAddress(host.addresses(0, p.hostAddrDev()), p.host6());
        int hostAddrIndex = host.ifindex(p.hostAddrDev());
        int nsIndex = ns.ifindex(p.nsIf());
        host.beginBatch();
        ns.beginBatch();
        try {
            if (br != null) {
                host.setLink(p.hostIf(), LinkChange.none().withMaster(br.name()).withUp(true));
            }
            if (addHostA) {
                addHostAddress(hostAddrIndex, p, p.hostA(), undo);
            }
            if (br == null) {
                host.setLink(p.hostIf(), LinkChange.none().withUp(true));
            }
            if (addHost6) {
                addHostAddress(hostAddrIndex, p, p.host6(), undo);
            }
            ns.setLink("lo", LinkChange.none().withUp(true));
            ns.addAddress(toAddress(nsIndex, p.nsA()));
            if (p.ns6() != null) {
                ns.addAddress(toAddress(nsIndex, p.ns6()));
            }
            ns.setLink(p.nsIf(), LinkChange.none().withUp(true));
            for (Route r : defaultRoutes(nsIndex, p.hostA(), p.host6())) {
                ns.addRoute(r);
            }
        } catch (RuntimeException e) {
            try {
                host.endBatch(); // the undo needs both handles out of batch mode
            } finally {
                ns.endBatch();
            }
            throw e;
        }
        endBatches(host, ns);
        return br != null && addHostA;
    }

    /** Adds {@code a} on the host side; on a bridge it outlives the veth pair, so the undo removes it. */
    private void addHostAddress(int ifindex, Plan p, IpPrefix a, Deque<Runnable> undo) {
        host.addAddress(toAddress(ifindex, a));
        if (p.bridge() != null) {
            String dev = p.hostAddrDev();
            undo.push(() -> quietly(() -> host.deleteAddress(toAddress(host, dev, a))));
        }
    }

    /** Records the connection (and what was added to the bridge) for disconnect. */
    private Connection record(Plan p, boolean bridgeAddrAdded) {
        Bridge br = p.bridge();
        if (br != null && (br.created() || bridgeAddrAdded)) {
            records.writeBridge(br.name(), new ConnectionRecords.BridgeRecord(br.created(),
                    bridgeAddrAdded ? p.hostA() : null, bridgeAddrAdded ? p.host6() : null));
        }
        Connection c = new Connection(p.name(), p.hostIf(), p.nsIf(), p.hostA(), p.nsA(), br == null ? null : br.name(),
                p.host6(), p.ns6());
        records.write(c);
        return c;
    }

    // ------------------------------------------------------------------ disconnect

    /** Undoes {@link #connect}: exactly what it recorded, nothing else. */
    public Connection disconnect(String name) {
        Connection c = records.read(name);
        if (c == null) {
            throw new WiringException(WiringException.Kind.NOT_FOUND,
                    "Namespace \"" + name + "\" is not connected (no " + stateFile(name) + ")");
        }
        deleteDefaultRoutes(c);
        try {
            host.deleteLink(c.hostIfname()); // its peer goes with it, and the namespace's addresses
        } catch (RtnlException e) {
            if (e.kind() != RtnlException.Kind.NO_DEVICE) {
                throw e;
            }
        }
        if (c.bridge() != null) {
            releaseBridge(c.bridge());
        }
        records.delete(name);
        return c;
    }

    /** After a port left: when none remains, remove what jnet added to the bridge (or the bridge it made). */
    private void releaseBridge(String bridge) {
        ConnectionRecords.BridgeRecord r = records.readBridge(bridge);
        if (r == null || !hostExists(bridge)) {
            records.deleteBridge(bridge);
            return;
        }
        int brIndex = host.link(bridge).ifindex();
        for (Link l : host.links()) {
            if (l.master().isPresent() && l.master().getAsInt() == brIndex) {
                return; // other namespaces still use it
            }
        }
        if (r.created()) {
            host.deleteLink(bridge);
        } else {
            for (IpPrefix added : new IpPrefix[] {r.address(), r.address6()}) {
                if (added != null) {
                    quietly(() -> host.deleteAddress(toAddress(host, bridge, added)));
                }
            }
        }
        records.deleteBridge(bridge);
    }

    /** The recorded connection of {@code name}, or null. */
    public Connection readState(String name) {
        return records.read(name);
    }

    // ------------------------------------------------------------------ helpers

    private void checkNamespace(String name) {
        boolean ok;
        try {
            ok = manager.exists(name);
        } catch (NetnsException e) {
            ok = false;
        }
        if (!ok) {
            throw new WiringException(WiringException.Kind.NOT_FOUND,
                    "Cannot open network namespace \"" + name + "\": No such file or directory");
        }
    }

    private static void checkIfname(String n) {
        boolean ok = !n.isEmpty() && n.getBytes(StandardCharsets.UTF_8).length <= 15 && !n.equals(".")
                && !n.equals("..") && n.chars().noneMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c));
        if (!ok) {
            throw new WiringException(WiringException.Kind.INVALID_ARGUMENT, "Invalid interface name \"" + n + "\"");
        }
    }

    private RtnlHandle openIn(String name) {
        try {
            return RtnlHandle.open(manager, name);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new WiringException(WiringException.Kind.SYSTEM,
                    "Cannot open network namespace \"" + name + "\": " + e.getMessage(), e);
        }
    }

    private boolean hostExists(String ifname) {
        return exists(host, ifname);
    }

    private static boolean exists(RtnlHandle h, String ifname) {
        try {
            h.ifindex(ifname);
            return true;
        } catch (RtnlException e) {
            if (e.kind() == RtnlException.Kind.NO_DEVICE) {
                return false;
            }
            throw e;
        }
    }

    private static IpPrefix firstV4(List<Address> addrs) {
        for (Address a : addrs) {
            if (!a.isIpv6() && a.scope() == Address.SCOPE_UNIVERSE) {
                return new IpPrefix(IpAddress.of(a.local()), a.prefixlen());
            }
        }
        return null;
    }

    private static boolean hasAddress(List<Address> addrs, IpPrefix c) {
        for (Address a : addrs) {
            if (IpAddress.of(a.local()).equals(c.address()) && a.prefixlen() == c.length()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Ends the batches of {@code first} and {@code second} and throws the first failure, as the
     * same requests made one by one would have (all of {@code first}'s were made before
     * {@code second}'s); the failed connect's undo then removes whatever the others made.
     */
    private static void endBatches(RtnlHandle first, RtnlHandle second) {
        List<RtnlHandle.BatchFailure> a;
        List<RtnlHandle.BatchFailure> b;
        try {
            a = first.endBatch();
        } finally {
            b = second.endBatch();
        }
        if (!a.isEmpty()) {
            throw a.get(0).error();
        }
        if (!b.isEmpty()) {
            throw b.get(0).error();
        }
    }

    private static Address toAddress(RtnlHandle h, String dev, IpPrefix c) {
        return toAddress(h.ifindex(dev), c);
    }

    private static Address toAddress(int ifindex, IpPrefix c) {
        Address a = Address.of(ifindex, c.address().toInetAddress(), c.length());
        if (c.address().isIpv6()) {
            // IFA_F_NODAD: usable at once (no duplicate detection on a link jnet just made)
            return new Address(a.ifindex(), a.local(), a.prefixlen(), null, null, Address.SCOPE_UNIVERSE, null, 0x02);
        }
        return a;
    }

    /** The first N in 0..255 with 10.200.N.0/24 overlapping nothing in use. */
    private static int freeSubnet(UsedPrefixes used) {
        for (int n = 0; n < 256; n++) {
            if (used.overlap(new IpPrefix(IpAddress.ipv4(WIRING_NET | n << 8), 24)).isEmpty()) {
                return n;
            }
        }
        throw new WiringException(WiringException.Kind.NO_FREE_SUBNET, "No free 10.200.N.0/24 subnet left");
    }

    /**
     * What the host and namespace {@code name} use, and the host addresses of recorded connections
     * (but a bridge being joined, and the connections on it: it carries its subnet on purpose).
     */
    private UsedPrefixes used(String name, RtnlHandle ns, String bridge) {
        Set<String> skip = bridge == null ? Set.of() : Set.of(bridge);
        UsedPrefixes used = new UsedPrefixes().add(host, "in the host namespace", skip)
                .add(ns, "in namespace \"" + name + "\"", Set.of());
        for (Connection c : records.all()) {
            if (bridge != null && bridge.equals(c.bridge())) {
                continue;
            }
            for (IpPrefix p : new IpPrefix[] {c.hostAddress(), c.hostAddress6()}) {
                if (p != null) {
                    used.add(p, "address " + p + " of the connection of namespace \"" + c.name() + "\"");
                }
            }
        }
        return used;
    }

    private static void refuseOverlap(UsedPrefixes used, IpPrefix p) {
        if (p == null) {
            return;
        }
        used.overlap(p).ifPresent(u -> {
            throw new WiringException(WiringException.Kind.ADDRESS_IN_USE, p + " overlaps " + u.what());
        });
    }

    /** A default route inside would clash with connect's (or leave it unused): refused before anything is made. */
    private static void checkNoDefaultRoutes(String name, RtnlHandle ns, ConnectOptions o) {
        if (UsedPrefixes.hasDefaultRoute(ns, Route.AF_INET)) {
            throw hasDefaultRoute(name, "IPv4");
        }
        if (o.hostAddress6() != null && UsedPrefixes.hasDefaultRoute(ns, Route.AF_INET6)) {
            throw hasDefaultRoute(name, "IPv6");
        }
    }

    /** Namespace NAME already has a default route (connect's would clash with it or go unused). */
    public static WiringException hasDefaultRoute(String name, String family) {
        return new WiringException(WiringException.Kind.EXISTS, "Namespace \"" + name + "\" already has an "
                + family + " default route");
    }

    /** The default routes connect adds inside: via the host side, through the namespace end only. */
    private static List<Route> defaultRoutes(int nsIndex, IpPrefix hostA, IpPrefix host6) {
        List<Route> out = new ArrayList<>(2);
        out.add(Route.to(Route.AF_INET, null, 0).via(hostA.address().toInetAddress()).dev(nsIndex));
        if (host6 != null) {
            out.add(Route.to(Route.AF_INET6, null, 0).via(host6.address().toInetAddress()).dev(nsIndex));
        }
        return out;
    }

    /** Removes the default routes connect added, when the namespace and its end are still there. */
    private void deleteDefaultRoutes(Connection c) {
        if (!manager.exists(c.name())) {
            return;
        }
        try (RtnlHandle ns = openIn(c.name())) {
            int nsIndex;
            try {
                nsIndex = ns.ifindex(c.nsIfname());
            } catch (RtnlException e) {
                return; // the end is gone, and its routes with it
            }
            for (Route r : defaultRoutes(nsIndex, c.hostAddress(), c.hostAddress6())) {
                try {
                    ns.deleteRoute(r);
                } catch (NetlinkException e) {
                    if (e.errno() != Errno.ESRCH) {
                        throw e;
                    }
                }
            }
        }
    }

    /** The lowest address of the bridge's subnet that is neither the bridge's nor a recorded namespace's. */
    private IpPrefix freeHostOnBridge(String bridge, IpPrefix bridgeAddr) {
        Set<IpAddress> taken = new HashSet<>();
        taken.add(bridgeAddr.address());
        for (Connection c : records.all()) {
            if (bridge.equals(c.bridge()) && c.nsAddress() != null) {
                taken.add(c.nsAddress().address());
            }
        }
        int net = bridgeAddr.network().address().toIpv4Int();
        long size = 1L << Math.min(32 - bridgeAddr.length(), 16);
        for (int i = 1; i < size - 1; i++) {
            IpAddress a = IpAddress.ipv4(net + i);
            if (!taken.contains(a)) {
                return new IpPrefix(a, bridgeAddr.length());
            }
        }
        throw new WiringException(WiringException.Kind.SYSTEM, "No free address left on bridge " + bridge);
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // roll-back: the first failure is the one reported
        }
    }
}
