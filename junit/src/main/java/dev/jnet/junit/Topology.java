package dev.jnet.junit;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Helper;
import dev.jnet.linux.Syscalls;
import dev.jnet.rtnl.LinkChange;
import dev.jnet.rtnl.LinkKind;
import dev.jnet.rtnl.LinkSpec;
import dev.jnet.rtnl.NetnsTarget;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A disposable network topology for a test: namespaces, veth pairs, bridges, addresses, routes
 * and {@link ImpairedLink}s, built with library calls (no {@code ip}, no daemon), torn down by
 * {@link #close} — or by the kernel when the JVM dies, since every namespace belongs to a
 * holder process that dies with it ({@code PR_SET_PDEATHSIG}, and EOF on a pipe) and nothing is
 * named on the host (no {@code /run/netns} entry, no shared state: topologies of parallel tests
 * cannot collide, and each can use the same names and addresses).
 *
 * <p>Rootless (not root): the topology first makes a user namespace of its own (you are uid 0
 * inside), and its network namespaces belong to it, so veths and bridges between them work
 * without privileges. Rootful: plain network namespaces. The API is the same.
 *
 * <pre>{@code
 * try (Topology t = Topology.create()) {
 *     Netns a = t.namespace("a"), b = t.namespace("b");
 *     t.veth(a, "eth0", b, "eth0");
 *     a.address("eth0", "10.0.0.1/24");
 *     b.address("eth0", "10.0.0.2/24");
 *     b.start("ping", "-c1", "10.0.0.1").waitFor();
 * }
 * }</pre>
 */
public final class Topology implements AutoCloseable {
    private final boolean rootless;
    private final Holder userns;
    private final Path captureDir;
    private final Map<String, Netns> namespaces = new LinkedHashMap<>();
    private final List<ImpairedLink> links = new ArrayList<>();
    private final List<Internet> internets = new ArrayList<>();
    private final List<VethCapture> vethCaptures = new ArrayList<>();
    private MultiThreadIoEventLoopGroup group;
    private boolean closed;

    private Topology(boolean rootless, Holder userns, Path captureDir) {
        this.rootless = rootless;
        this.userns = userns;
        this.captureDir = captureDir;
    }

    /** Rootful as root, rootless otherwise; link captures go to a new temporary directory. */
    public static Topology create() {
        try {
            return create(Files.createTempDirectory("jnet-topology-"));
        } catch (IOException e) {
            throw new UncheckedIOException("a directory for link captures", e);
        }
    }

    /** Rootful as root, rootless otherwise; link captures go to {@code captureDir} (created if needed). */
    public static Topology create(Path captureDir) {
        return create(Syscalls.geteuid() != 0, captureDir);
    }

    /**
     * {@code rootless}: in a user namespace of its own even as root (what an unprivileged user
     * gets). Fails with {@link UserNamespaces#unavailableReason()}'s words when the kernel or
     * policy forbids user namespaces.
     */
    public static Topology create(boolean rootless, Path captureDir) {
        try {
            Files.createDirectories(captureDir);
        } catch (IOException e) {
            throw new UncheckedIOException("creating " + captureDir, e);
        }
        Holder u = null;
        if (rootless) {
            try {
                u = Holder.start(Helper.command().unshareUser(), "the topology's user namespace");
            } catch (TopologyException e) {
                throw new TopologyException(UserNamespaces.unavailableReason().orElse(e.getMessage()), e);
            }
        }
        return new Topology(rootless, u, captureDir);
    }

    public boolean isRootless() {
        return rootless;
    }

    /** Where the links' pcap files are written. */
    public Path captureDir() {
        return captureDir;
    }

    /** A new network namespace named {@code name} (unique within this topology), its loopback up. */
    public synchronized Netns namespace(String name) {
        open();
        if (namespaces.containsKey(name)) {
            throw new TopologyException("namespace " + name + " exists in this topology");
        }
        Helper.Command steps = Helper.command();
        userns().ifPresent(u -> steps.joinUserns(u.toString()));
        Netns ns = new Netns(this, name, Holder.start(steps.unshareNet(), "namespace " + name));
        namespaces.put(name, ns);
        ns.up("lo");
        return ns;
    }

    /** The namespace named {@code name}. */
    public synchronized Netns get(String name) {
        Netns ns = namespaces.get(name);
        if (ns == null) {
            throw new TopologyException("no namespace " + name + " in this topology");
        }
        return ns;
    }

    public synchronized List<Netns> namespaces() {
        return List.copyOf(namespaces.values());
    }

    /**
     * A veth pair: {@code aDev} in {@code a}, {@code bDev} in {@code b}, both up. Its frames (both
     * ways, seen at {@code aDev}) are captured into a pcap of the topology's {@link #captures}.
     */
    public void veth(Netns a, String aDev, Netns b, String bDev) {
        open();
        try (Fd bNs = Fd.open(b.path().toString(), Syscalls.O_RDONLY)) {
            a.rtnl().addLink(LinkSpec.of(aDev, new LinkKind.Veth(bDev, new NetnsTarget.ByFd(bNs.get()))));
        }
        VethCapture capture = VethCapture.start(a, aDev,
                captureDir.resolve("veth-" + a.name() + "-" + aDev + "--" + b.name() + "-" + bDev + ".pcap"));
        synchronized (this) {
            vethCaptures.add(capture);
        }
        a.up(aDev);
        b.up(bDev);
    }

    /** A bridge {@code name} in {@code ns}, up, with {@code ports} (links already in {@code ns}) attached and up. */
    public void bridge(Netns ns, String name, String... ports) {
        open();
        ns.rtnl().addLink(LinkSpec.of(name, new LinkKind.Bridge()));
        ns.up(name);
        for (String p : ports) {
            ns.rtnl().setLink(p, LinkChange.none().withMaster(name).withUp(true));
        }
    }

    /** An {@link ImpairedLink} of MTU 1500 with fault seed 1: tap {@code aDev} in {@code a}, {@code bDev} in {@code b}. */
    public ImpairedLink impairedLink(Netns a, String aDev, Netns b, String bDev) {
        return impairedLink(a, aDev, b, bDev, 1500, 1);
    }

    /** An {@link ImpairedLink}; the same {@code seed} gives the same faults for the same frames. */
    public synchronized ImpairedLink impairedLink(Netns a, String aDev, Netns b, String bDev, int mtu, long seed) {
        open();
        if (group == null) {
            group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("jnet-topology-link", true),
                    EpollIoHandler.newFactory());
        }
        ImpairedLink link = ImpairedLink.create((IoEventLoop) group.next(), a, aDev, b, bDev, mtu, seed, captureDir);
        links.add(link);
        return link;
    }

    /** An {@link Internet} for {@code ns} through a tap named {@code tap0}. */
    public Internet internet(Netns ns) {
        return internet(ns, "tap0");
    }

    /** An {@link Internet} for {@code ns} through a tap named {@code tap}. */
    public synchronized Internet internet(Netns ns, String tap) {
        open();
        Internet net = Internet.start(ns, userns().orElse(null), tap, captureDir);
        internets.add(net);
        return net;
    }

    public synchronized List<ImpairedLink> impairedLinks() {
        return List.copyOf(links);
    }

    /** The pcap files of every impaired link, internet and veth pair. */
    public synchronized List<Path> captures() {
        List<Path> all = new ArrayList<>();
        links.forEach(l -> all.addAll(l.captures()));
        internets.forEach(n -> all.add(n.capture()));
        vethCaptures.forEach(c -> all.add(c.path()));
        return all;
    }

    Optional<Path> userns() {
        return userns == null ? Optional.empty() : Optional.of(userns.ns("user"));
    }

    private void open() {
        if (closed) {
            throw new TopologyException("the topology is closed");
        }
    }

    /**
     * Removes everything: links (captures are flushed and kept), processes started in the
     * namespaces, the namespaces, the user namespace. Idempotent; goes on past failures.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Internet n : internets) {
            n.close();
        }
        for (VethCapture c : vethCaptures) {
            c.close();
        }
        for (ImpairedLink l : links) {
            l.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        for (Netns ns : namespaces.values()) {
            ns.close();
        }
        if (userns != null) {
            userns.close();
        }
    }

    /** Deletes the capture files and their directory (after a test that passed). */
    public void deleteCaptures() {
        for (Path p : captures()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a capture that stays is harmless
            }
        }
        try {
            Files.deleteIfExists(captureDir);
        } catch (IOException ignored) {
            // not empty: the test put files of its own there
        }
    }
}
