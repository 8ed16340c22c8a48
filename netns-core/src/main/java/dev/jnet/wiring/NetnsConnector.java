package dev.jnet.wiring;

import dev.jnet.linux.Syscalls;
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
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
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

    private final NetnsManager manager;
    private final RtnlHandle host;
    private final Path connectDir;
    private final Path bridgeDir;

    /**
     * @param manager the namespaces
     * @param host a handle on the host (the caller's) namespace; the caller keeps ownership
     * @param stateDir where connections and bridges are recorded ({@code connect/} and {@code bridges/} below it)
     */
    public NetnsConnector(NetnsManager manager, RtnlHandle host, Path stateDir) {
        this.manager = manager;
        this.host = host;
        this.connectDir = stateDir.resolve("connect");
        this.bridgeDir = stateDir.resolve("bridges");
    }

    /** The state directory for the current user: /run/jnet as root, else under the runtime directory. */
    public static Path defaultStateDir() {
        if (Syscalls.geteuid() == 0) {
            return ROOTFUL_STATE_DIR;
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        return xdg != null && !xdg.isEmpty() ? Path.of(xdg, "jnet") : Path.of("/tmp", "jnet-" + Syscalls.geteuid());
    }

    /** The state file of {@code name}'s connection. */
    public Path stateFile(String name) {
        return connectDir.resolve(name);
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

    public Connection connect(String name, ConnectOptions o) {
        checkNamespace(name);
        String hostIf = o.hostIfname() != null ? o.hostIfname() : defaultHostIfname(name);
        String nsIf = o.nsIfname() != null ? o.nsIfname() : "eth0";
        checkIfname(hostIf);
        checkIfname(nsIf);
        if (o.bridge() != null) {
            checkIfname(o.bridge());
        }
        if ((o.hostAddress() == null) != (o.nsAddress() == null)) {
            throw new WiringException(WiringException.Kind.INVALID_ARGUMENT,
                    "--addr and --peer-addr go together: give both or neither");
        }
        if ((o.hostAddress6() == null) != (o.nsAddress6() == null)) {
            throw new WiringException(WiringException.Kind.INVALID_ARGUMENT,
                    "--ipv6 needs both addresses: HOST6/PLEN,NS6/PLEN");
        }
        Cidr hostA = o.hostAddress() == null ? null : Cidr.parse(o.hostAddress(), 4);
        Cidr nsA = o.nsAddress() == null ? null : Cidr.parse(o.nsAddress(), 4);
        Cidr host6 = o.hostAddress6() == null ? null : Cidr.parse(o.hostAddress6(), 6);
        Cidr ns6 = o.nsAddress6() == null ? null : Cidr.parse(o.nsAddress6(), 6);
        if (hostA != null && hostA.v6() != nsA.v6()) {
            throw new WiringException(WiringException.Kind.INVALID_ARGUMENT,
                    "--addr and --peer-addr must be of one family");
        }
        if (Files.exists(stateFile(name))) {
            Connection c = readState(name);
            throw new WiringException(WiringException.Kind.EXISTS, "Namespace \"" + name + "\" is already connected"
                    + (c != null ? " (host end " + c.hostIfname() + ")" : "") + "; \"jnet netns disconnect " + name
                    + "\" first");
        }
        if (hostExists(hostIf)) {
            throw new WiringException(WiringException.Kind.EXISTS,
                    "Device \"" + hostIf + "\" already exists in the host namespace");
        }
        createDirs();
        // the state file doubles as the lock: one connect per name at a time
        Path state = stateFile(name);
        try {
            Files.writeString(state, "state=connecting\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            Connection c = readState(name);
            throw new WiringException(WiringException.Kind.EXISTS, "Namespace \"" + name + "\" is already connected"
                    + (c != null ? " (host end " + c.hostIfname() + ")" : "") + "; \"jnet netns disconnect " + name
                    + "\" first");
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + state, e);
        }
        Deque<Runnable> undo = new ArrayDeque<>();
        undo.push(() -> deleteQuietly(state));
        try (RtnlHandle ns = openIn(name)) {
            if (exists(ns, nsIf)) {
                throw new WiringException(WiringException.Kind.EXISTS,
                        "Device \"" + nsIf + "\" already exists in namespace \"" + name + "\"");
            }
            boolean bridgeCreated = false;
            boolean bridgeAddrAdded = false;
            Cidr bridgeAddr = null;
            if (o.bridge() != null) {
                if (hostExists(o.bridge())) {
                    Link br = host.link(o.bridge());
                    if (!"bridge".equals(br.kind())) {
                        throw new WiringException(WiringException.Kind.EXISTS,
                                "Device \"" + o.bridge() + "\" exists and is not a bridge");
                    }
                    bridgeAddr = firstV4(host.addresses(Route.AF_INET, o.bridge()));
                } else {
                    host.addLink(LinkSpec.of(o.bridge(), new LinkKind.Bridge()));
                    undo.push(() -> quietly(() -> host.deleteLink(o.bridge())));
                    bridgeCreated = true;
                }
                host.setLink(o.bridge(), LinkChange.none().withUp(true));
            }
            // addresses: given, the bridge's, or a free 10.200.N.0/24
            if (hostA == null) {
                if (bridgeAddr != null) {
                    hostA = bridgeAddr;
                    nsA = freeHostOnBridge(o.bridge(), bridgeAddr);
                } else {
                    int n = freeSubnet();
                    hostA = Cidr.parse("10.200." + n + ".1/24", 4);
                    nsA = Cidr.parse("10.200." + n + ".2/24", 4);
                }
            }
            // the veth pair, its peer made directly inside the namespace
            host.addLink(LinkSpec.of(hostIf, new LinkKind.Veth(nsIf, new NetnsTarget.ByPath(manager.path(name)))));
            undo.push(() -> quietly(() -> host.deleteLink(hostIf)));
            // every lookup first, then the changes pipelined on both sockets, host side first
            String hostAddrDev = o.bridge() != null ? o.bridge() : hostIf;
            boolean addHostA = o.bridge() == null || ((bridgeAddr == null || !bridgeAddr.equals(hostA))
                    && !hasAddress(host.addresses(0, o.bridge()), hostA));
            boolean addHost6 = host6 != null && !hasAddress(host.addresses(0, hostAddrDev), host6);
            int hostAddrIndex = host.ifindex(hostAddrDev);
            int nsIndex = ns.ifindex(nsIf);
            host.beginBatch();
            ns.beginBatch();
            try {
                if (o.bridge() != null) {
                    host.setLink(hostIf, LinkChange.none().withMaster(o.bridge()).withUp(true));
                }
                if (addHostA) {
                    host.addAddress(toAddress(hostAddrIndex, hostA));
                    if (o.bridge() != null) {
                        bridgeAddrAdded = true;
                        Cidr added = hostA;
                        undo.push(() -> quietly(() -> host.deleteAddress(toAddress(host, o.bridge(), added))));
                    }
                }
                if (o.bridge() == null) {
                    host.setLink(hostIf, LinkChange.none().withUp(true));
                }
                if (addHost6) {
                    host.addAddress(toAddress(hostAddrIndex, host6));
                    if (o.bridge() != null) {
                        String dev = hostAddrDev;
                        Cidr added = host6;
                        undo.push(() -> quietly(() -> host.deleteAddress(toAddress(host, dev, added))));
                    }
                }
                // inside: lo up, the address, the end up, default routes via the host end
                ns.setLink("lo", LinkChange.none().withUp(true));
                ns.addAddress(toAddress(nsIndex, nsA));
                if (ns6 != null) {
                    ns.addAddress(toAddress(nsIndex, ns6));
                }
                ns.setLink(nsIf, LinkChange.none().withUp(true));
                if (!nsA.v6()) {
                    ns.addRoute(Route.to(Route.AF_INET, null, 0).via(hostA.address()));
                }
                if (host6 != null) {
                    ns.addRoute(Route.to(Route.AF_INET6, null, 0).via(host6.address()));
                }
            } catch (RuntimeException e) {
                try {
                    host.endBatch(); // the undo below needs both handles out of batch mode
                } finally {
                    ns.endBatch();
                }
                throw e;
            }
            endBatches(host, ns);
            if (bridgeCreated || bridgeAddrAdded) {
                writeBridgeState(o.bridge(), bridgeCreated, bridgeAddrAdded ? hostA.toString() : null,
                        bridgeAddrAdded && host6 != null ? host6.toString() : null);
            }
            Connection c = new Connection(name, hostIf, nsIf, hostA.toString(), nsA.toString(), o.bridge(),
                    host6 == null ? null : host6.toString(), ns6 == null ? null : ns6.toString());
            writeState(c);
            return c;
        } catch (RuntimeException e) {
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
            throw e;
        }
    }

    // ------------------------------------------------------------------ disconnect

    /** Undoes {@link #connect}: exactly what it recorded, nothing else. */
    public Connection disconnect(String name) {
        Connection c = readState(name);
        if (c == null) {
            throw new WiringException(WiringException.Kind.NOT_FOUND,
                    "Namespace \"" + name + "\" is not connected (no " + stateFile(name) + ")");
        }
        try {
            host.deleteLink(c.hostIfname()); // its peer goes with it, and the namespace's address and route
        } catch (RtnlException e) {
            if (e.kind() != RtnlException.Kind.NO_DEVICE) {
                throw e;
            }
        }
        if (c.bridge() != null) {
            releaseBridge(c.bridge());
        }
        deleteQuietly(stateFile(name));
        return c;
    }

    /** After a port left: when none remains, remove what jnet added to the bridge (or the bridge it made). */
    private void releaseBridge(String bridge) {
        Path f = bridgeDir.resolve(bridge);
        Properties p = load(f);
        if (p == null || !hostExists(bridge)) {
            deleteQuietly(f);
            return;
        }
        int brIndex = host.link(bridge).ifindex();
        for (Link l : host.links()) {
            if (l.master().isPresent() && l.master().getAsInt() == brIndex) {
                return; // other namespaces still use it
            }
        }
        if (Boolean.parseBoolean(p.getProperty("created"))) {
            host.deleteLink(bridge);
        } else {
            for (String key : List.of("address", "address6")) {
                String a = p.getProperty(key);
                if (a != null) {
                    Cidr ca = Cidr.parse(a, a.contains(":") ? 6 : 4);
                    quietly(() -> host.deleteAddress(toAddress(host, bridge, ca)));
                }
            }
        }
        deleteQuietly(f);
    }

    /** The recorded connection of {@code name}, or null. */
    public Connection readState(String name) {
        Properties p = load(stateFile(name));
        if (p == null || p.getProperty("host_ifname") == null) {
            return null;
        }
        return new Connection(name, p.getProperty("host_ifname"), p.getProperty("ns_ifname"),
                p.getProperty("host_address"), p.getProperty("ns_address"), p.getProperty("bridge"),
                p.getProperty("host_address6"), p.getProperty("ns_address6"));
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

    private static Cidr firstV4(List<Address> addrs) {
        for (Address a : addrs) {
            if (!a.isIpv6() && a.scope() == Address.SCOPE_UNIVERSE) {
                return new Cidr(a.local(), a.prefixlen());
            }
        }
        return null;
    }

    private static boolean hasAddress(List<Address> addrs, Cidr c) {
        for (Address a : addrs) {
            if (a.local().equals(c.address()) && a.prefixlen() == c.length()) {
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

    private static Address toAddress(RtnlHandle h, String dev, Cidr c) {
        return toAddress(h.ifindex(dev), c);
    }

    private static Address toAddress(int ifindex, Cidr c) {
        Address a = Address.of(ifindex, c.address(), c.length());
        if (c.v6()) {
            // IFA_F_NODAD: usable at once (no duplicate detection on a link jnet just made)
            return new Address(a.ifindex(), a.local(), a.prefixlen(), null, null, Address.SCOPE_UNIVERSE, null, 0x02);
        }
        return a;
    }

    /** The first N in 0..255 with 10.200.N.0/24 free of host addresses and recorded connections. */
    private int freeSubnet() {
        List<Cidr> used = new ArrayList<>();
        for (Address a : host.addresses(Route.AF_INET, null)) {
            used.add(new Cidr(a.local(), a.prefixlen()));
            if (a.peer() != null) {
                used.add(new Cidr(a.peer(), a.prefixlen()));
            }
        }
        for (Connection c : recorded()) {
            if (c.hostAddress() != null && !c.hostAddress().contains(":")) {
                used.add(Cidr.parse(c.hostAddress(), 4));
            }
        }
        for (int n = 0; n < 256; n++) {
            Cidr cand = Cidr.parse("10.200." + n + ".0/24", 4);
            boolean clash = false;
            for (Cidr u : used) {
                if (u.overlaps(cand)) {
                    clash = true;
                    break;
                }
            }
            if (!clash) {
                return n;
            }
        }
        throw new WiringException(WiringException.Kind.SYSTEM, "No free 10.200.N.0/24 subnet left: give --addr and --peer-addr");
    }

    /** The lowest address of the bridge's subnet that is neither the bridge's nor a recorded namespace's. */
    private Cidr freeHostOnBridge(String bridge, Cidr bridgeAddr) {
        Set<InetAddress> taken = new HashSet<>();
        taken.add(bridgeAddr.address());
        for (Connection c : recorded()) {
            if (bridge.equals(c.bridge()) && c.nsAddress() != null) {
                taken.add(Cidr.parse(c.nsAddress(), 0).address());
            }
        }
        byte[] net = bridgeAddr.network().getAddress();
        int hostBits = 32 - bridgeAddr.length();
        long size = 1L << Math.min(hostBits, 16);
        for (long i = 1; i < size - 1; i++) {
            byte[] b = net.clone();
            long v = ((b[0] & 0xffL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8 | (b[3] & 0xffL)) + i;
            b = new byte[] {(byte) (v >> 24), (byte) (v >> 16), (byte) (v >> 8), (byte) v};
            InetAddress a = Cidr.addr(b);
            if (!taken.contains(a)) {
                return new Cidr(a, bridgeAddr.length());
            }
        }
        throw new WiringException(WiringException.Kind.SYSTEM, "No free address left on bridge " + bridge);
    }

    private List<Connection> recorded() {
        List<Connection> out = new ArrayList<>();
        if (!Files.isDirectory(connectDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(connectDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith(".")) {
                    continue;
                }
                Connection c = readState(n);
                if (c != null) {
                    out.add(c);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + connectDir, e);
        }
        return out;
    }

    private void createDirs() {
        try {
            Files.createDirectories(connectDir);
            Files.createDirectories(bridgeDir);
        } catch (IOException e) {
            throw new WiringException(WiringException.Kind.SYSTEM, "Cannot create " + connectDir + ": " + e, e);
        }
    }

    private void writeState(Connection c) {
        Properties p = new Properties();
        p.setProperty("state", "connected");
        p.setProperty("host_ifname", c.hostIfname());
        p.setProperty("ns_ifname", c.nsIfname());
        p.setProperty("host_address", c.hostAddress());
        p.setProperty("ns_address", c.nsAddress());
        if (c.bridge() != null) {
            p.setProperty("bridge", c.bridge());
        }
        if (c.hostAddress6() != null) {
            p.setProperty("host_address6", c.hostAddress6());
            p.setProperty("ns_address6", c.nsAddress6());
        }
        store(stateFile(c.name()), p);
    }

    private void writeBridgeState(String bridge, boolean created, String address, String address6) {
        Path f = bridgeDir.resolve(bridge);
        if (Files.exists(f)) {
            return; // recorded by the connect that created it or first added to it
        }
        Properties p = new Properties();
        p.setProperty("created", Boolean.toString(created));
        if (address != null) {
            p.setProperty("address", address);
        }
        if (address6 != null) {
            p.setProperty("address6", address6);
        }
        store(f, p);
    }

    /** Writes whole or not at all: a temporary file renamed over the target. */
    private static void store(Path f, Properties p) {
        Path tmp = f.resolveSibling("." + f.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "jnet netns connect");
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + tmp, e);
        }
        try {
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("renaming " + tmp, e);
        }
    }

    private static Properties load(Path f) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
            return p;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + f, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // roll-back: the first failure is the one reported
        }
    }

    /** An address with a prefix length. */
    record Cidr(InetAddress address, int length) {
        boolean v6() {
            return address instanceof Inet6Address;
        }

        /** ADDR/PLEN of {@code family} (4, 6, or 0 for either). */
        static Cidr parse(String s, int family) {
            int slash = s.indexOf('/');
            String a = slash < 0 ? s : s.substring(0, slash);
            boolean literal = !a.isEmpty() && a.chars().allMatch(c -> c == '.' || c == ':' || Character.digit(c, 16) >= 0);
            InetAddress ia = null;
            if (literal) {
                try {
                    ia = InetAddress.getByName(a);
                } catch (UnknownHostException e) {
                    ia = null;
                }
            }
            if (ia == null || (family == 4 && !(ia instanceof Inet4Address)) || (family == 6 && !(ia instanceof Inet6Address))) {
                throw new WiringException(WiringException.Kind.INVALID_ARGUMENT,
                        "Invalid " + (family == 6 ? "IPv6 " : family == 4 ? "IPv4 " : "") + "address \"" + s
                                + "\" (ADDR/PLEN expected)");
            }
            int max = ia instanceof Inet6Address ? 128 : 32;
            int len = max;
            if (slash >= 0) {
                try {
                    len = Integer.parseInt(s.substring(slash + 1));
                } catch (NumberFormatException e) {
                    len = -1;
                }
                if (len < 0 || len > max) {
                    throw new WiringException(WiringException.Kind.INVALID_ARGUMENT,
                            "Invalid prefix length in \"" + s + "\"");
                }
            }
            return new Cidr(ia, len);
        }

        InetAddress network() {
            byte[] b = address.getAddress();
            for (int i = 0; i < b.length; i++) {
                int bits = Math.max(0, Math.min(8, length - 8 * i));
                b[i] &= (byte) (0xff << (8 - bits));
            }
            return addr(b);
        }

        boolean overlaps(Cidr o) {
            if (v6() != o.v6()) {
                return false;
            }
            int l = Math.min(length, o.length);
            return new Cidr(address, l).network().equals(new Cidr(o.address, l).network());
        }

        static InetAddress addr(byte[] b) {
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return address.getHostAddress() + "/" + length;
        }
    }
}
