package dev.jnet.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jnet.netlink.NetlinkException;
import dev.jnet.netns.NetnsThreads;
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
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The bridge plugin: the reference {@code bridge} plugin's behaviour on jnet's rtnetlink
 * client. ADD: the bridge (created when missing), a veth pair whose container end is made
 * directly in the container's namespace and whose host end joins the bridge, addresses and
 * routes from the IPAM plugin, the gateway address on the bridge, masquerading. Everything ADD
 * made is undone when a later step fails. DEL is best effort and idempotent.
 */
public final class BridgePlugin {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int EEXIST = 17;

    private final BridgeConf conf;
    private final CniEnv env;
    private final Delegate delegate;

    public BridgePlugin(BridgeConf conf, CniEnv env) {
        this.conf = conf;
        this.env = env;
        this.delegate = new Delegate(env.path(), env.all());
    }

    // ------------------------------------------------------------------ ADD

    public ObjectNode add() {
        Deque<Runnable> undo = new ArrayDeque<>();
        try (RtnlHandle host = RtnlHandle.open(); RtnlHandle cont = openContainerNs(env.netns())) {
            if (exists(cont, env.ifname())) {
                throw new CniException(CniException.INTERNAL,
                        "container veth name provided (" + env.ifname() + ") already exists");
            }
            try {
                CniResult result = new CniResult();
                // the bridge
                ensureBridge(host, undo);
                // the veth pair: container end made inside the container's namespace
                String hostVeth = createVeth(host, cont, undo);
                host.setLink(hostVeth, LinkChange.none().withMaster(conf.bridge()).withUp(true));
                if (conf.hairpinMode()) {
                    host.socket().request(BridgePorts.hairpinMessage(host.ifindex(hostVeth)));
                }
                if (conf.vlan() != 0) {
                    BridgePorts.setPortVlan(host, host.ifindex(hostVeth), conf.vlan());
                }
                // the peer made with the pair has the kernel's default MTU: set it as the host end's
                LinkChange up = LinkChange.none().withUp(true);
                cont.setLink(env.ifname(), conf.mtu() > 0 ? up.withMtu(conf.mtu()) : up);
                Link br = host.link(conf.bridge());
                Link hv = host.link(hostVeth);
                Link cv = cont.link(env.ifname());
                result.interfaces.add(new CniResult.Iface(br.ifname(), br.addressString(), null));
                result.interfaces.add(new CniResult.Iface(hv.ifname(), hv.addressString(), null));
                result.interfaces.add(new CniResult.Iface(cv.ifname(), cv.addressString(), env.netns()));
                if (!conf.ipamType().isEmpty()) {
                    layer3(host, cont, cv, result, undo);
                }
                result.dns = conf.dns();
                // the bridge's MAC may have changed with its new port
                Link br2 = host.link(conf.bridge());
                result.interfaces.set(0, new CniResult.Iface(br2.ifname(), br2.addressString(), null));
                return result.toJson(conf.cniVersion());
            } catch (RuntimeException e) {
                while (!undo.isEmpty()) {
                    try {
                        undo.pop().run();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }
    }

    private void layer3(RtnlHandle host, RtnlHandle cont, Link cv, CniResult result, Deque<Runnable> undo) {
        JsonNode ipamOut = ipam("ADD");
        undo.push(() -> ipam("DEL"));
        if (ipamOut == null) {
            throw new CniException(CniException.INTERNAL, "IPAM plugin returned missing IP config");
        }
        CniResult ipamResult = CniResult.parse(ipamOut);
        if (ipamResult.ips.isEmpty()) {
            throw new CniException(CniException.INTERNAL, "IPAM plugin returned missing IP config");
        }
        // gateways: the IPAM's, or (isGateway) the subnet's first address, as the reference's calcGateways
        InetAddress gw4 = null;
        InetAddress gw6 = null;
        List<IpNet> bridgeAddrs = new ArrayList<>();
        for (CniResult.Ip ip : ipamResult.ips) {
            InetAddress gw = ip.gateway();
            if (gw == null && conf.isGateway()) {
                gw = ip.address().firstHost();
            }
            result.ips.add(new CniResult.Ip(ip.address(), gw, 2));
            if (gw != null) {
                boolean v4 = ip.address().isV4();
                if (v4 && gw4 == null) {
                    gw4 = gw;
                    bridgeAddrs.add(new IpNet(gw, ip.address().prefix()));
                } else if (!v4 && gw6 == null) {
                    gw6 = gw;
                    bridgeAddrs.add(new IpNet(gw, ip.address().prefix()));
                }
            }
        }
        result.routes.addAll(ipamResult.routes);
        if (conf.isDefaultGateway()) {
            for (InetAddress gw : new InetAddress[] {gw4, gw6}) {
                if (gw == null) {
                    continue;
                }
                boolean v4 = gw.getAddress().length == 4;
                boolean has = false;
                for (CniResult.RouteEntry r : result.routes) {
                    if (r.dst().prefix() == 0 && r.dst().isV4() == v4) {
                        has = true;
                    }
                }
                if (!has) {
                    result.routes.add(new CniResult.RouteEntry(IpNet.parse(v4 ? "0.0.0.0/0" : "::/0"), gw, null));
                }
            }
        }
        // inside: addresses, then routes (a route without gw goes via the family's gateway, as ConfigureIface)
        for (CniResult.Ip ip : result.ips) {
            cont.addAddress(Address.of(cv.ifindex(), ip.address().address(), ip.address().prefix()));
        }
        for (CniResult.RouteEntry r : result.routes) {
            boolean v4 = r.dst().isV4();
            InetAddress gw = r.gw() != null ? r.gw() : v4 ? gw4 : gw6;
            Route route = Route.to(v4 ? Route.AF_INET : Route.AF_INET6, r.dst().prefix() == 0 ? null
                    : r.dst().network().address(), r.dst().prefix()).dev(cv.ifindex());
            if (gw != null) {
                route = route.via(gw);
            } else {
                route = route.scope(Route.SCOPE_LINK);
            }
            if (r.raw() != null && r.raw().has("priority")) {
                route = route.metric(r.raw().get("priority").asInt());
            }
            try {
                cont.addRoute(route);
            } catch (NetlinkException e) {
                throw new CniException(CniException.INTERNAL, "failed to add route '" + r.dst() + " via "
                        + (gw == null ? "<nil>" : IpNet.str(gw)) + " dev " + env.ifname() + "': " + e.getMessage());
            }
        }
        // host: the gateway on the bridge, forwarding on
        if (conf.isGateway()) {
            for (IpNet a : bridgeAddrs) {
                ensureBridgeAddress(host, a);
                enableForwarding(a.isV4());
            }
        }
        if (conf.ipMasq()) {
            List<IpNet> masq = new ArrayList<>();
            for (CniResult.Ip ip : result.ips) {
                masq.add(ip.address());
            }
            withLock(() -> IpMasq.forHost().setup(conf.name(), env.containerId(), masq));
            undo.push(() -> withLock(() -> IpMasq.forHost().teardown(conf.name(), env.containerId())));
        }
    }

    private void ensureBridge(RtnlHandle host, Deque<Runnable> undo) {
        String name = conf.bridge();
        Link br = linkOrNull(host, name);
        if (br == null) {
            try {
                host.addLink(new LinkSpec(name, new LinkKind.Bridge(), conf.mtu(), null, -1, null));
                undo.push(() -> quietly(() -> host.deleteLink(name)));
            } catch (NetlinkException e) {
                if (e.errno() != EEXIST) { // else made by a concurrent ADD just now
                    throw e;
                }
            }
            br = host.link(name);
            if (conf.vlan() != 0) {
                try {
                    host.socket().request(BridgePorts.vlanFilteringMessage(br.ifindex()));
                } catch (NetlinkException e) {
                    throw new CniException(CniException.INTERNAL, "failed to turn VLAN filtering on for \""
                            + name + "\": " + e.getMessage());
                }
            }
        }
        if (!"bridge".equals(br.kind())) {
            throw new CniException(CniException.INTERNAL, "\"" + name + "\" already exists but is not a bridge");
        }
        if (conf.promiscMode() && (br.flags() & Link.IFF_PROMISC) == 0) {
            host.socket().request(BridgePorts.promiscMessage(br.ifindex(), name));
        }
        if (!br.isUp()) {
            host.setLink(name, LinkChange.none().withUp(true));
        }
    }

    private String createVeth(RtnlHandle host, RtnlHandle cont, Deque<Runnable> undo) {
        for (int attempt = 0;; attempt++) {
            String hostVeth = String.format("veth%08x", RANDOM.nextInt());
            try {
                host.addLink(new LinkSpec(hostVeth, new LinkKind.Veth(env.ifname(),
                        new NetnsTarget.ByPath(Path.of(env.netns()))), conf.mtu(), null, -1, null));
            } catch (NetlinkException e) {
                if (e.errno() == EEXIST && attempt < 10 && !exists(cont, env.ifname())) {
                    continue; // the random host name was taken
                }
                if (e.errno() == EEXIST) {
                    throw new CniException(CniException.INTERNAL,
                            "container veth name provided (" + env.ifname() + ") already exists");
                }
                throw new CniException(CniException.INTERNAL, "failed to make veth pair: " + e.getMessage());
            }
            undo.push(() -> quietly(() -> host.deleteLink(hostVeth)));
            return hostVeth;
        }
    }

    /** The gateway address on the bridge, as the reference's ensureAddr (forceAddress replaces a different one). */
    private void ensureBridgeAddress(RtnlHandle host, IpNet want) {
        int family = want.isV4() ? Route.AF_INET : Route.AF_INET6;
        for (Address a : host.addresses(family, conf.bridge())) {
            if (a.scope() == Address.SCOPE_LINK) {
                continue;
            }
            IpNet have = new IpNet(a.local(), a.prefixlen());
            if (have.address().equals(want.address()) && have.prefix() == want.prefix()) {
                return;
            }
            if (have.contains(want.address()) || want.contains(have.address())) {
                if (!conf.forceAddress()) {
                    throw new CniException(CniException.INTERNAL, "\"" + conf.bridge()
                            + "\" already has an IP address different from " + want);
                }
                host.deleteAddress(a);
            }
        }
        try {
            host.addAddress(Address.of(host.ifindex(conf.bridge()), want.address(), want.prefix()));
        } catch (NetlinkException e) {
            if (e.errno() != EEXIST) { // a concurrent ADD put it there
                throw e;
            }
        }
    }

    private static void enableForwarding(boolean v4) {
        Path p = Path.of(v4 ? "/proc/sys/net/ipv4/ip_forward" : "/proc/sys/net/ipv6/conf/all/forwarding");
        try {
            if (!Files.readString(p).strip().equals("1")) {
                Files.writeString(p, "1");
            }
        } catch (IOException e) {
            throw new CniException(CniException.INTERNAL, "failed to enable forwarding: " + p + ": " + e.getMessage());
        }
    }

    // ------------------------------------------------------------------ DEL

    public void del() {
        CniException first = null;
        if (!conf.ipamType().isEmpty()) {
            try {
                ipam("DEL");
            } catch (CniException e) {
                first = e;
            }
        }
        if (env.netns() != null) {
            RtnlHandle cont = null;
            try {
                cont = openContainerNs(env.netns());
            } catch (CniException e) {
                // the namespace is gone: so is its end of the pair, and with it the host end
            }
            if (cont != null) {
                try (RtnlHandle c = cont) {
                    c.deleteLink(env.ifname());
                } catch (RtnlException e) {
                    if (e.kind() != RtnlException.Kind.NO_DEVICE && first == null) {
                        first = new CniException(CniException.INTERNAL, "failed to delete \"" + env.ifname()
                                + "\": " + e.getMessage());
                    }
                } catch (NetlinkException e) {
                    if (e.errno() != 19 /* ENODEV */ && first == null) {
                        first = new CniException(CniException.INTERNAL, "failed to delete \"" + env.ifname()
                                + "\": " + e.getMessage());
                    }
                }
            }
        }
        if (conf.ipMasq()) {
            try {
                withLock(() -> IpMasq.forHost().teardown(conf.name(), env.containerId()));
            } catch (CniException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    // ------------------------------------------------------------------ CHECK

    public void check() {
        if (conf.prevResult() == null) {
            throw new CniException(CniException.INVALID_NETWORK_CONFIG, "Required prevResult missing");
        }
        CniResult prev = CniResult.parse(conf.prevResult());
        if (!conf.ipamType().isEmpty()) {
            ipam("CHECK");
        }
        int contIndex = -1;
        for (int i = 0; i < prev.interfaces.size(); i++) {
            CniResult.Iface f = prev.interfaces.get(i);
            if (f.name().equals(env.ifname()) && env.netns().equals(f.sandbox())) {
                contIndex = i;
            }
        }
        if (contIndex < 0) {
            throw new CniException(CniException.INTERNAL, "Sandbox interface " + env.ifname()
                    + " not found in prevResult");
        }
        CniResult.Iface contIface = prev.interfaces.get(contIndex);
        try (RtnlHandle host = RtnlHandle.open(); RtnlHandle cont = openContainerNs(env.netns())) {
            Link cv = linkOrNull(cont, env.ifname());
            if (cv == null) {
                throw new CniException(CniException.INTERNAL, "Error: Container Interface name in prevResult: "
                        + env.ifname() + " not found");
            }
            if (!"veth".equals(cv.kind())) {
                throw new CniException(CniException.INTERNAL, "Error: Container interface " + env.ifname()
                        + " not of type veth");
            }
            if (contIface.mac() != null && !contIface.mac().equalsIgnoreCase(cv.addressString())) {
                throw new CniException(CniException.INTERNAL, "Interface MAC " + contIface.mac()
                        + " does not match container MAC " + cv.addressString());
            }
            List<Address> have = cont.addresses(0, env.ifname());
            for (CniResult.Ip ip : prev.ips) {
                if (ip.iface() != contIndex) {
                    continue;
                }
                boolean found = false;
                for (Address a : have) {
                    if (a.local().equals(ip.address().address()) && a.prefixlen() == ip.address().prefix()) {
                        found = true;
                    }
                }
                if (!found) {
                    throw new CniException(CniException.INTERNAL, "Failed to find IP address " + ip.address()
                            + " on " + env.ifname());
                }
            }
            List<Route> routes = cont.routes(0, Route.TABLE_MAIN);
            for (CniResult.RouteEntry r : prev.routes) {
                boolean found = false;
                for (Route kr : routes) {
                    InetAddress dst = kr.dst();
                    boolean dstMatch = r.dst().prefix() == 0 ? kr.dstLen() == 0 && kr.family() == (r.dst().isV4()
                            ? Route.AF_INET : Route.AF_INET6)
                            : dst != null && kr.dstLen() == r.dst().prefix() && dst.equals(r.dst().network().address());
                    if (dstMatch && (r.gw() == null || r.gw().equals(kr.gateway()))) {
                        found = true;
                    }
                }
                if (!found) {
                    throw new CniException(CniException.INTERNAL, "Failed to find route " + r.dst()
                            + (r.gw() == null ? "" : " via " + IpNet.str(r.gw())) + " in " + env.ifname());
                }
            }
            Link br = linkOrNull(host, conf.bridge());
            if (br == null || !"bridge".equals(br.kind())) {
                throw new CniException(CniException.INTERNAL, "Error: bridge " + conf.bridge() + " not found");
            }
            // the host end: an interface of prevResult without sandbox that is not the bridge, a port of it
            boolean hostEnd = false;
            for (CniResult.Iface f : prev.interfaces) {
                if (f.sandbox() != null || f.name().equals(conf.bridge())) {
                    continue;
                }
                Link hv = linkOrNull(host, f.name());
                if (hv == null) {
                    throw new CniException(CniException.INTERNAL, "Error: host veth " + f.name() + " not found");
                }
                if (hv.master().isEmpty() || hv.master().getAsInt() != br.ifindex()) {
                    throw new CniException(CniException.INTERNAL, "Error: host veth " + f.name()
                            + " is not a port of " + conf.bridge());
                }
                hostEnd = true;
            }
            if (!hostEnd) {
                throw new CniException(CniException.INTERNAL, "Error: no host veth in prevResult");
            }
        }
    }

    // ------------------------------------------------------------------ STATUS and GC (1.1.0)

    /** STATUS: ready when the IPAM plugin is (one that predates 1.1.0 has no STATUS: taken as ready). */
    public void status() {
        if (!conf.ipamType().isEmpty()) {
            delegate.find(conf.ipamType());
            ipamTolerant("STATUS");
        }
    }

    /**
     * GC: masquerading rules of attachments no longer valid are removed, then the IPAM plugin
     * collects its own (one that predates 1.1.0 is skipped).
     */
    public void gc() {
        Set<String> valid = new HashSet<>();
        for (String[] a : conf.validAttachments()) {
            valid.add(a[0]);
        }
        if (!conf.name().isEmpty()) {
            withLock(() -> {
                IpMasq m;
                try {
                    m = IpMasq.forHost();
                } catch (CniException e) {
                    return; // no firewall tool: nothing of ours can exist
                }
                for (String id : m.containerIds(conf.name())) {
                    if (!valid.contains(id)) {
                        m.teardown(conf.name(), id);
                    }
                }
            });
        }
        if (!conf.ipamType().isEmpty()) {
            ipamTolerant("GC");
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Runs the IPAM plugin. Under 1.1.0 an IPAM plugin that speaks only up to 1.0.0 (as Debian's
     * 1.1.1 plugins) says "incompatible version": the call is repeated as 1.0.0, whose result
     * shape is the same.
     */
    private JsonNode ipam(String command) {
        try {
            return delegate.exec(conf.ipamType(), command, conf.raw());
        } catch (CniException e) {
            if (e.code() == CniException.INCOMPATIBLE_VERSION && CniVersions.compare(conf.cniVersion(), "1.0.0") > 0) {
                ObjectNode older = conf.raw().deepCopy();
                older.put("cniVersion", "1.0.0");
                return delegate.exec(conf.ipamType(), command, older);
            }
            throw e;
        }
    }

    /**
     * STATUS and GC on the IPAM plugin, when its VERSION lists 1.1.0: one that predates it (as
     * Debian's 1.1.1 host-local) cannot be asked (its skel refuses the command as a missing container ID).
     */
    private void ipamTolerant(String command) {
        ObjectNode ask = BridgeConf.JSON.createObjectNode();
        ask.put("cniVersion", conf.cniVersion());
        JsonNode v = delegate.exec(conf.ipamType(), "VERSION", ask);
        boolean speaks = false;
        if (v != null) {
            for (JsonNode s : v.path("supportedVersions")) {
                speaks |= CniVersions.compare(s.asText(), "1.1.0") >= 0;
            }
        }
        if (speaks) {
            delegate.exec(conf.ipamType(), command, conf.raw());
        }
    }

    /** A handle inside the namespace CNI_NETNS names (a path: /run/netns/NAME, /proc/PID/ns/net). */
    static RtnlHandle openContainerNs(String netns) {
        Path p = Path.of(netns);
        if (!Files.exists(p)) {
            throw new CniException(CniException.INTERNAL, "failed to open netns \"" + netns
                    + "\": failed to Statfs \"" + netns + "\": no such file or directory");
        }
        try {
            return NetnsThreads.call(p, "cni", RtnlHandle::open);
        } catch (RuntimeException e) {
            throw new CniException(CniException.INTERNAL, "failed to open netns \"" + netns + "\": " + e.getMessage());
        } catch (Exception e) {
            throw new CniException(CniException.INTERNAL, "failed to open netns \"" + netns + "\": " + e);
        }
    }

    private static boolean exists(RtnlHandle h, String name) {
        return linkOrNull(h, name) != null;
    }

    private static Link linkOrNull(RtnlHandle h, String name) {
        try {
            return h.link(name);
        } catch (RtnlException e) {
            if (e.kind() == RtnlException.Kind.NO_DEVICE) {
                return null;
            }
            throw e;
        }
    }

    /** Firewall changes are serialized host-wide: the last teardown removes jnet's table. */
    private static void withLock(Runnable r) {
        Path lock = Path.of("/run/lock/jnet-cni.lock");
        if (!Files.isDirectory(lock.getParent())) {
            lock = Path.of("/tmp/jnet-cni.lock");
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock l = ch.lock()) {
            r.run();
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot lock " + lock + ": " + e.getMessage());
        }
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // best effort: the original failure is what is reported
        }
    }
}
