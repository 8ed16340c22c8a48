package dev.jnet.rtnl;

import dev.jnet.linux.Errno;
import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import dev.jnet.netlink.NetlinkException;
import dev.jnet.netlink.NetlinkMessage;
import dev.jnet.netlink.NetlinkSocket;
import dev.jnet.netlink.NsidRequests;
import dev.jnet.netns.NetnsInfo;
import dev.jnet.netns.NetnsManager;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * rtnetlink operations on one network namespace: the namespace of the thread that opened it
 * (or the one named at {@link #open(NetnsManager, String)}), for the handle's whole life.
 * Not thread-safe: one owner at a time.
 *
 * <p>Link arguments are names, resolved to indexes inside this namespace; a missing one is
 * {@link RtnlException} {@code Cannot find device "x"}. Kernel refusals are
 * {@link dev.jnet.netlink.NetlinkException}s (errno + extended-ack text).
 *
 * <p>Batching: between {@link #beginBatch()} and {@link #endBatch()}, mutating requests are
 * pipelined: queued and sent many per {@code send()}, without waiting for answers (see
 * {@link NetlinkSocket}); {@code endBatch} collects them all and returns the failures in
 * request order. Inside a batch, mutating
 * calls do not throw: a request that cannot even be sent (bad argument, unknown device)
 * is a failure at its index too. Queries inside a batch see every earlier request applied.
 */
public final class RtnlHandle implements AutoCloseable {
    private static final int DUMP_RETRIES = 10;
    private static final int EADDRNOTAVAIL = 99;

    private final NetlinkSocket socket;
    /** Where tuntap devices are created. */
    private final HandleNamespace ns;

    private boolean batching;
    private int batchIndex;
    private final List<Pending> pending = new ArrayList<>();
    private final List<BatchFailure> early = new ArrayList<>();

    private record Pending(int seq, int index, Function<NetlinkException, RuntimeException> map) {}

    private RtnlHandle(NetlinkSocket socket, HandleNamespace ns) {
        this.socket = socket;
        this.ns = ns;
    }

    /** A handle on the calling thread's network namespace. */
    public static RtnlHandle open() {
        NetlinkSocket s = NetlinkSocket.open();
        try {
            return new RtnlHandle(s, HandleNamespace.ofThread());
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A handle over a route socket made in another namespace (see {@link NetlinkSocket#adopt}):
     * rootless, jnet-helper makes it inside the target user+net namespaces, and requests on it
     * carry the helper's privileges there. It cannot create tun/tap devices (those need a
     * thread in the namespace): everything else works.
     */
    public static RtnlHandle adopt(Fd socket) {
        return new RtnlHandle(NetlinkSocket.adopt(socket), HandleNamespace.NONE);
    }

    /**
     * A handle on namespace {@code name}. Rootful, a thread inside creates its socket; rootless,
     * jnet-helper creates it inside the holder's user+net namespaces and the handle adopts it
     * (see {@link #adopt}), so every request but tun/tap creation works for an unprivileged user.
     */
    public static RtnlHandle open(NetnsManager manager, String name) throws Exception {
        if (manager.isRootless()) {
            return new RtnlHandle(NetlinkSocket.adopt(manager.openSocket(name, NetlinkSocket.AF_NETLINK,
                    NetlinkSocket.SOCK_RAW, NetlinkSocket.NETLINK_ROUTE)), HandleNamespace.NONE);
        }
        return new RtnlHandle(manager.call(name, NetlinkSocket::open), HandleNamespace.named(manager, name));
    }

    /** The socket under this handle (for requests the handle does not model). */
    public NetlinkSocket socket() {
        return socket;
    }

    /**
     * nsid -> name of {@code manager}'s named namespaces that this handle's namespace knows by an
     * nsid (what {@code ip link} prints as {@code link-netns NAME}); the first name wins for an id
     * two names share. Best effort: a namespace deleted meanwhile or not ours to ask about is
     * left out, and no namespace directory to read gives an empty map.
     */
    public Map<Integer, String> namesByNsid(NetnsManager manager) {
        Map<Integer, String> names = new HashMap<>();
        try {
            for (NetnsInfo n : manager.list()) {
                if (!n.usable()) {
                    continue;
                }
                try (Fd ns = Fd.open(n.path().toString(), Syscalls.O_RDONLY)) {
                    NsidRequests.get(socket, ns.get(), n.name()).ifPresent(id -> names.putIfAbsent(id, n.name()));
                } catch (RuntimeException e) {
                    // gone meanwhile, or not ours to ask about: no name for its id
                }
            }
        } catch (RuntimeException e) {
            // no namespace directory to read: no names
        }
        return names;
    }

    // ---- plumbing ----

    /** A dump, retried when the kernel says it was interrupted by a concurrent change. */
    private List<ByteBuffer> dump(java.util.function.Supplier<NetlinkMessage> request) {
        for (int i = 0;; i++) {
            List<ByteBuffer> replies = socket.request(request.get());
            boolean interrupted = false;
            for (ByteBuffer r : replies) {
                if ((r.order(ByteOrder.nativeOrder()).getShort(6) & Rtnl.NLM_F_DUMP_INTR) != 0) {
                    interrupted = true;
                    break;
                }
            }
            if (!interrupted || i >= DUMP_RETRIES) {
                return replies;
            }
        }
    }

    private static int type(ByteBuffer r) {
        return Short.toUnsignedInt(r.order(ByteOrder.nativeOrder()).getShort(4));
    }

    /** Sends a mutating request: now (throwing) or, in a batch, without waiting. */
    private void mutate(NetlinkMessage m, Function<NetlinkException, RuntimeException> map) {
        if (batching) {
            pending.add(new Pending(socket.submit(m), batchIndex, map));
            return;
        }
        try {
            socket.request(m);
        } catch (NetlinkException e) {
            throw map.apply(e);
        }
    }

    /** Runs one public mutating call: in a batch, its failures are recorded at its index. */
    private void call(Runnable body) {
        if (!batching) {
            body.run();
            return;
        }
        try {
            body.run();
        } catch (RuntimeException e) {
            early.add(new BatchFailure(batchIndex, e));
        } finally {
            batchIndex++;
        }
    }

    private static Function<NetlinkException, RuntimeException> noDeviceAs(String name) {
        return e -> e.errno() == Errno.ENODEV ? RtnlException.noDevice(name) : e;
    }

    private static final Function<NetlinkException, RuntimeException> AS_IS = e -> e;

    /** Namespace target as the kernel takes it; a path is opened into {@code opened} (caller closes). */
    private static LinkCodec.NsRef nsRef(NetnsTarget t, List<Fd> opened) {
        if (t == null) {
            return null;
        }
        if (t instanceof NetnsTarget.ByPid p) {
            if (p.pid() <= 0 || p.pid() > Integer.MAX_VALUE) {
                throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid pid " + p.pid());
            }
            return LinkCodec.NsRef.pid((int) p.pid());
        }
        if (t instanceof NetnsTarget.ByFd f) {
            if (f.fd() < 0) {
                throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "invalid fd " + f.fd());
            }
            return LinkCodec.NsRef.fd(f.fd());
        }
        NetnsTarget.ByPath bp = (NetnsTarget.ByPath) t;
        Fd fd = Fd.open(bp.path().toString(), Syscalls.O_RDONLY);
        opened.add(fd);
        return LinkCodec.NsRef.fd(fd.get());
    }

    /**
     * Closes the namespace fds a request names, once it has reached the kernel: a submitted
     * request may still be queued, so it is sent first (the kernel reads the fd inside send()).
     */
    private void closeFlushed(List<Fd> fds) {
        if (fds.isEmpty()) {
            return;
        }
        try {
            socket.flush();
        } finally {
            for (Fd f : fds) {
                f.close();
            }
        }
    }

    /**
     * The index of link {@code name} now (one RTM_GETLINK, no dump; only the index is read).
     *
     * @throws RtnlException {@code Cannot find device "name"}
     */
    public int ifindex(String name) {
        for (ByteBuffer r : getLink(name)) {
            if (type(r) == Rtnl.RTM_NEWLINK) {
                return r.getInt(NetlinkMessage.HEADER_LEN + 4); // ifinfomsg: family, pad, type, then the index
            }
        }
        throw RtnlException.noDevice(name);
    }

    // ---- links ----

    public List<Link> links() {
        List<ByteBuffer> replies = dump(LinkCodec::dump);
        List<Link> out = new ArrayList<>(replies.size());
        for (ByteBuffer r : replies) {
            if (type(r) == Rtnl.RTM_NEWLINK) {
                out.add(LinkCodec.parse(r));
            }
        }
        return out;
    }

    /** @throws RtnlException {@code Cannot find device "name"} */
    public Link link(String name) {
        for (ByteBuffer r : getLink(name)) {
            if (type(r) == Rtnl.RTM_NEWLINK) {
                return LinkCodec.parse(r);
            }
        }
        throw RtnlException.noDevice(name);
    }

    private List<ByteBuffer> getLink(String name) {
        try {
            LinkCodec.checkName(name, "link");
        } catch (RtnlException e) {
            throw RtnlException.noDevice(name);
        }
        try {
            return socket.request(LinkCodec.getByName(name));
        } catch (NetlinkException e) {
            throw noDeviceAs(name).apply(e);
        }
    }

    public Link link(int ifindex) {
        if (ifindex <= 0) {
            throw new RtnlException(RtnlException.Kind.NO_DEVICE, "Cannot find device with index " + ifindex);
        }
        List<ByteBuffer> replies;
        try {
            replies = socket.request(LinkCodec.getByIndex(ifindex));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                throw new RtnlException(RtnlException.Kind.NO_DEVICE, "Cannot find device with index " + ifindex);
            }
            throw e;
        }
        for (ByteBuffer r : replies) {
            if (type(r) == Rtnl.RTM_NEWLINK) {
                return LinkCodec.parse(r);
            }
        }
        throw new RtnlException(RtnlException.Kind.NO_DEVICE, "Cannot find device with index " + ifindex);
    }

    public void addLink(LinkSpec spec) {
        call(() -> doAddLink(spec));
    }

    private void doAddLink(LinkSpec spec) {
        LinkCodec.validate(spec);
        if (spec.kind() instanceof LinkKind.Tuntap t) {
            addTuntap(spec, t);
            return;
        }
        int parent = 0;
        if (spec.kind() instanceof LinkKind.Vlan v) {
            parent = ifindex(v.parent());
        } else if (spec.kind() instanceof LinkKind.Macvlan mv) {
            parent = ifindex(mv.parent());
        }
        List<Fd> opened = new ArrayList<>(2);
        try {
            LinkCodec.NsRef ns = nsRef(spec.netns(), opened);
            LinkCodec.NsRef peerNs = spec.kind() instanceof LinkKind.Veth v ? nsRef(v.peerNetns(), opened) : null;
            mutate(LinkCodec.newLink(spec, parent, ns, peerNs), AS_IS);
        } finally {
            closeFlushed(opened);
        }
    }

    private void addTuntap(LinkSpec spec, LinkKind.Tuntap t) {
        // TUNSETIFF would attach to an existing persistent device (IFF_TUN_EXCL makes it EBUSY):
        // say EEXIST as every other kind does
        boolean exists;
        try {
            link(spec.name());
            exists = true;
        } catch (RtnlException e) {
            exists = false;
        }
        if (exists) {
            throw new NetlinkException(Errno.EEXIST, "add link " + spec.name(), null);
        }
        Runnable create = () -> TuntapDevices.create(spec.name(), t.tap(), t.owner(), t.group());
        ns.run(create);
        LinkChange rest = LinkChange.none();
        boolean any = false;
        if (spec.mtu() > 0) {
            rest = rest.withMtu(spec.mtu());
            any = true;
        }
        if (spec.address() != null) {
            rest = rest.withAddress(spec.address());
            any = true;
        }
        if (spec.txqlen() >= 0) {
            rest = rest.withTxqlen(spec.txqlen());
            any = true;
        }
        if (spec.netns() != null) {
            rest = rest.withNetns(spec.netns());
            any = true;
        }
        if (any) {
            try {
                doSetLink(spec.name(), rest, false);
            } catch (RuntimeException e) {
                try {
                    socket.request(LinkCodec.delete(spec.name())); // all or nothing, as RTM_NEWLINK
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    public void deleteLink(String name) {
        call(() -> {
            try {
                LinkCodec.checkName(name, "link");
            } catch (RtnlException e) {
                throw RtnlException.noDevice(name);
            }
            mutate(LinkCodec.delete(name), noDeviceAs(name));
        });
    }

    public void setLink(String name, LinkChange change) {
        call(() -> doSetLink(name, change, true));
    }

    private void doSetLink(String name, LinkChange change, boolean viaMutate) {
        LinkCodec.validate(change);
        try {
            LinkCodec.checkName(name, "link");
        } catch (RtnlException e) {
            throw RtnlException.noDevice(name);
        }
        int index = change.newName() != null ? ifindex(name) : 0;
        int master = -1;
        if (change.master() != null) {
            master = change.master().equals(LinkChange.NO_MASTER) ? 0 : ifindex(change.master());
        }
        List<Fd> opened = new ArrayList<>(1);
        try {
            NetlinkMessage m = LinkCodec.set(index, name, change, master, nsRef(change.netns(), opened));
            if (viaMutate) {
                mutate(m, noDeviceAs(name));
            } else {
                try {
                    socket.request(m);
                } catch (NetlinkException e) {
                    throw noDeviceAs(name).apply(e);
                }
            }
        } finally {
            closeFlushed(opened);
        }
    }

    // ---- addresses ----

    /** Addresses of {@code family} (0 for both) on link {@code dev} (null for all links). */
    public List<Address> addresses(int family, String dev) {
        int index = dev == null ? 0 : ifindex(dev);
        List<ByteBuffer> replies = dump(() -> AddressCodec.dump(family));
        List<Address> out = new ArrayList<>(replies.size());
        for (ByteBuffer r : replies) {
            if (type(r) != Rtnl.RTM_NEWADDR) {
                continue;
            }
            int fam = AddressCodec.familyOf(r);
            if (family != 0 && fam != family) {
                continue;
            }
            Address a = AddressCodec.parse(r);
            if (index == 0 || a.ifindex() == index) {
                out.add(a);
            }
        }
        return out;
    }

    public void addAddress(Address address) {
        call(() -> mutate(AddressCodec.add(address), AS_IS));
    }

    public void deleteAddress(Address address) {
        call(() -> mutate(AddressCodec.delete(address), AS_IS));
    }

    /** Removes every address of {@code family} (0 for both) from link {@code dev}. */
    public void flushAddresses(int family, String dev) {
        call(() -> {
            if (dev == null) {
                throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "flush needs a device");
            }
            List<Address> all = addresses(family, dev);
            // deleting the primary IPv4 address also removes its secondaries: those then say EADDRNOTAVAIL
            List<Integer> seqs = new ArrayList<>();
            for (Address a : all) {
                NetlinkMessage m = AddressCodec.delete(a);
                if (batching) {
                    pending.add(new Pending(socket.submit(m), batchIndex, AS_IS));
                } else {
                    seqs.add(socket.submit(m));
                }
            }
            if (!batching) {
                List<NetlinkException> errs = socket.awaitAcks(seqs.stream().mapToInt(Integer::intValue).toArray());
                for (NetlinkException e : errs) {
                    if (e != null && e.errno() != EADDRNOTAVAIL) {
                        throw e;
                    }
                }
            }
        });
    }

    // ---- routes ----

    /** Routes of {@code family} in {@code table} (254 main; 0 for all tables). */
    public List<Route> routes(int family, int table) {
        List<ByteBuffer> replies = dump(() -> RouteCodec.dump(family));
        List<Route> out = new ArrayList<>(replies.size());
        for (ByteBuffer r : replies) {
            if (type(r) != Rtnl.RTM_NEWROUTE || (RouteCodec.rtmFlags(r) & Rtnl.RTM_F_CLONED) != 0) {
                continue;
            }
            Route route = RouteCodec.parse(r);
            if (route.family() != Rtnl.AF_INET && route.family() != Rtnl.AF_INET6) {
                continue;
            }
            if ((family == 0 || route.family() == family) && (table == 0 || route.table() == table)) {
                out.add(route);
            }
        }
        return out;
    }

    public void addRoute(Route route) {
        call(() -> mutate(RouteCodec.add(route), AS_IS));
    }

    public void replaceRoute(Route route) {
        call(() -> mutate(RouteCodec.replace(route), AS_IS));
    }

    public void deleteRoute(Route route) {
        call(() -> mutate(RouteCodec.delete(route), AS_IS));
    }

    /** The kernel's route lookup ({@code ip route get}); see {@link RouteLookup#request}. */
    public RouteLookup routeGet(int family, java.net.InetAddress dst, java.net.InetAddress src, int srcLen, int iif,
            int oif) {
        for (ByteBuffer r : socket.request(RouteLookup.request(family, dst, src, srcLen, iif, oif))) {
            if (type(r) == Rtnl.RTM_NEWROUTE) {
                return RouteLookup.parse(r);
            }
        }
        throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT, "no route in the kernel's answer");
    }

    // ---- neighbours ----

    /** Entries of the neighbour tables of {@code family} (AF_INET, AF_INET6; 0 for both), in the kernel's order. */
    public List<Neighbour> neighbours(int family) {
        List<Neighbour> out = new ArrayList<>();
        for (ByteBuffer r : dump(() -> NeighbourCodec.dump(family))) {
            Neighbour n = NeighbourCodec.isNewNeigh(type(r)) ? NeighbourCodec.parse(r) : null;
            if (n != null && (n.family() == Rtnl.AF_INET || n.family() == Rtnl.AF_INET6)) {
                out.add(n);
            }
        }
        return out;
    }

    /** {@code ip neigh add} ({@code replace} false: NLM_F_EXCL) or {@code ip neigh replace}. */
    public void addNeighbour(Neighbour n, boolean replace) {
        int f = NetlinkMessage.NLM_F_CREATE | (replace ? NetlinkMessage.NLM_F_REPLACE : NetlinkMessage.NLM_F_EXCL);
        call(() -> mutate(NeighbourCodec.add(n, f), AS_IS));
    }

    public void deleteNeighbour(Neighbour n) {
        call(() -> mutate(NeighbourCodec.delete(n), AS_IS));
    }

    // ---- batching ----

    public void beginBatch() {
        if (batching) {
            throw new IllegalStateException("a batch is already open");
        }
        batching = true;
        batchIndex = 0;
        pending.clear();
        early.clear();
    }

    /** Waits for every acknowledgement of the batch; the failures, in request order. */
    public List<BatchFailure> endBatch() {
        if (!batching) {
            throw new IllegalStateException("no batch is open");
        }
        batching = false;
        int[] seqs = new int[pending.size()];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = pending.get(i).seq();
        }
        List<NetlinkException> acks = socket.awaitAcks(seqs);
        List<BatchFailure> failures = new ArrayList<>(early);
        java.util.Set<Integer> failed = new java.util.HashSet<>();
        for (BatchFailure f : early) {
            failed.add(f.index());
        }
        for (int i = 0; i < seqs.length; i++) {
            NetlinkException e = acks.get(i);
            Pending p = pending.get(i);
            if (e != null && failed.add(p.index())) {
                failures.add(new BatchFailure(p.index(), p.map().apply(e)));
            }
        }
        pending.clear();
        early.clear();
        failures.sort(Comparator.comparingInt(BatchFailure::index));
        return Collections.unmodifiableList(failures);
    }

    /** Whether a batch is open. */
    public boolean inBatch() {
        return batching;
    }

    /** The {@code index}-th mutating request of a batch (0-based) failed with {@code error}. */
    public record BatchFailure(int index, RuntimeException error) {}

    @Override
    public void close() {
        try {
            socket.close();
        } finally {
            ns.close();
        }
    }
}
