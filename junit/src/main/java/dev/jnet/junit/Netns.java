package dev.jnet.junit;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Helper;
import dev.jnet.linux.Syscalls;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import dev.jnet.netlink.NetlinkSocket;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.LinkChange;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlHandle;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One network namespace of a {@link Topology}: configure it (links up, addresses, routes), run
 * processes and code inside it, open sockets that belong to it. Obtained from
 * {@link Topology#namespace}; it goes away with its topology.
 */
public final class Netns {
    /** A task for {@link #callInChildJvm}: serializable, so it can travel to the child JVM. */
    @FunctionalInterface
    public interface SerializableCallable<T extends Serializable> extends Callable<T>, Serializable {}

    private final Topology topology;
    private final String name;
    private final Holder holder;
    private final List<Process> processes = new ArrayList<>();
    private RtnlHandle rtnl;

    Netns(Topology topology, String name, Holder holder) {
        this.topology = topology;
        this.name = name;
        this.holder = holder;
    }

    /** The name the test gave it (unique within its topology; the kernel's namespaces have none). */
    public String name() {
        return name;
    }

    /** A path that opens the namespace ({@code /proc/PID/ns/net} of its holder) while the topology lives. */
    public Path path() {
        return holder.ns("net");
    }

    /** An rtnetlink handle on this namespace (links, addresses, routes); the topology closes it. */
    public synchronized RtnlHandle rtnl() {
        if (rtnl == null) {
            rtnl = RtnlHandle.adopt(openSocket(NetlinkSocket.AF_NETLINK, NetlinkSocket.SOCK_RAW, NetlinkSocket.NETLINK_ROUTE));
        }
        return rtnl;
    }

    /** Sets link {@code dev} up. */
    public Netns up(String dev) {
        rtnl().setLink(dev, LinkChange.none().withUp(true));
        return this;
    }

    /**
     * Adds {@code prefix} (e.g. {@code 10.0.0.1/24}, {@code fd00::1/64}) to {@code dev}. IPv6
     * addresses skip duplicate address detection (IFA_F_NODAD), so they can be bound at once.
     */
    public Netns address(String dev, String prefix) {
        IpPrefix p = IpPrefix.parse(prefix);
        RtnlHandle h = rtnl();
        int flags = p.address().isIpv6() ? Address.IFA_F_NODAD : 0;
        h.addAddress(new Address(h.ifindex(dev), p.address().toInetAddress(), p.length(), null, null,
                Address.SCOPE_UNIVERSE, null, flags));
        return this;
    }

    /** Adds a route to {@code destination} ({@code default} or a prefix) via {@code gateway}. */
    public Netns route(String destination, String gateway) {
        IpAddress gw = IpAddress.parse(gateway);
        int family = gw.isIpv6() ? Route.AF_INET6 : Route.AF_INET;
        Route r = destination.equals("default") ? Route.to(family, null, 0)
                : Route.to(family, IpPrefix.parse(destination).address().toInetAddress(),
                        IpPrefix.parse(destination).length());
        rtnl().addRoute(r.via(gw.toInetAddress()));
        return this;
    }

    /**
     * A socket ({@code socket(2)} arguments) that belongs to this namespace for life, made by
     * jnet-helper inside it; the caller owns the fd (wrap it with Netty's epoll channels, or
     * use {@link #call} / {@link #callInChildJvm} for plain java.net code).
     */
    public Fd openSocket(int domain, int type, int protocol) {
        try {
            return enter().takeSocket(domain, type, protocol);
        } catch (Helper.HelperException e) {
            throw new TopologyException("socket in namespace " + name + ": " + e.getMessage(), e);
        }
    }

    /** A command line that runs {@code command} inside this namespace (uid 0 inside, rootless). */
    public List<String> command(String... command) {
        return enter().exec(Arrays.asList(command));
    }

    /**
     * Starts {@code command} inside this namespace (stdout and stderr go to the test's); the
     * topology kills it at the end, and it dies with the JVM.
     */
    public Process start(String... command) {
        return start(new ProcessBuilder().inheritIO(), command);
    }

    /** {@link #start(String...)} with the caller's redirections and environment in {@code pb}. */
    public Process start(ProcessBuilder pb, String... command) {
        pb.command(enter().dieWithParent().exec(Arrays.asList(command)));
        try {
            Process p = Spawner.start(pb);
            synchronized (processes) {
                processes.add(p);
            }
            return p;
        } catch (IOException e) {
            throw new TopologyException("cannot run " + command[0] + " in namespace " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code task} on a new thread inside this namespace and returns its result: sockets it
     * creates belong here for life, threads it starts inherit the namespace. Needs root (the
     * kernel moves no unprivileged thread into a namespace of another user namespace); rootless
     * topologies use {@link #callInChildJvm}.
     */
    public <T> T call(Callable<T> task) throws Exception {
        if (topology.isRootless()) {
            throw new TopologyException("cannot run code on a thread inside rootless namespace " + name
                    + ": an unprivileged thread cannot enter another user namespace; use callInChildJvm");
        }
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (Fd ns = Fd.open(path().toString(), Syscalls.O_RDONLY)) {
                Syscalls.setns(ns.get(), Syscalls.CLONE_NEWNET, "namespace " + name);
                result.set(task.call());
            } catch (Exception e) {
                failure.set(e);
            }
        }, "jnet-netns-" + name);
        t.start();
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    /**
     * Runs {@code task} in a new JVM inside this namespace (the test's class path), rootful and
     * rootless alike, and returns its result. The task travels serialized: a lambda capturing
     * only serializable values (not the test instance). Its exceptions are rethrown here.
     */
    public <T extends Serializable> T callInChildJvm(SerializableCallable<T> task) throws Exception {
        return ChildJvm.call(this, task);
    }

    Helper.Command enter() {
        Helper.Command cmd = Helper.command();
        topology.userns().ifPresent(u -> cmd.joinUserns(u.toString()));
        return cmd.joinNetns(path().toString());
    }

    void close() {
        synchronized (processes) {
            for (Process p : processes) {
                try {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            processes.clear();
        }
        synchronized (this) {
            if (rtnl != null) {
                rtnl.close();
                rtnl = null;
            }
        }
        holder.close();
    }

    @Override
    public String toString() {
        return "netns " + name + " (holder " + holder.pid() + ")";
    }
}
