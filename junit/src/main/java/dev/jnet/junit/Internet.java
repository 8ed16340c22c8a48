package dev.jnet.junit;

import dev.jnet.net.IpAddress;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlHandle;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.Stack;
import dev.jnet.usernet.StackFactory;
import dev.jnet.usernet.Usernet;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.UsernetException;
import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.dns.DnsZones;
import dev.jnet.usernet.forward.ForwardException;
import dev.jnet.usernet.forward.HostForward;
import dev.jnet.usernet.guest.GuestTarget;
import dev.jnet.usernet.link.PacketCapture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A user-mode internet for one namespace of a {@link Topology}, as slirp4netns gives one: a tap
 * device in it served by usernet's stack in this JVM (no root, no daemon), configured as
 * {@code slirp4netns --configure -6} does it, dual-stack: {@value #GUEST}/24, gateway {@value #GATEWAY},
 * DNS {@value #DNS}; {@value #GUEST6}/64 (added at once, without waiting for the stack's router
 * advertisement and duplicate address detection), gateway {@value #GATEWAY6}, DNS {@value #DNS6}.
 * Unlike slirp4netns, it is a closed world the test declares:
 * <ul>
 * <li>{@linkplain #host hosts} (use TEST-NET addresses: 192.0.2.0/24, 198.51.100.0/24,
 *     203.0.113.0/24, and the IPv6 documentation prefix 2001:db8::/32) whose ports the test
 *     serves (in-JVM handlers, or servers on the loopback; TCP and UDP ports apart); any other
 *     destination is unreachable (TCP reset, ICMP unreachable): nothing leaves the machine;
 * <li>DNS zones: the stack's DNS addresses answer the test's {@linkplain #address A/AAAA} and
 *     {@linkplain #cname CNAME} records over UDP and TCP, NXDOMAIN for any other name, and ask
 *     no real resolver;
 * <li>{@linkplain #publish published ports}: a port on the host's loopback forwarded to a guest
 *     port (slirp4netns's {@code add_hostfwd}).
 * </ul>
 * The guest's {@code /etc/resolv.conf} is the host's: ask {@value #DNS} or {@value #DNS6} by name ({@code dig @10.0.2.3}).
 * Every frame of the tap is written to a pcap of the topology's captures.
 *
 * <pre>{@code
 * Netns guest = t.namespace("guest");
 * Internet net = t.internet(guest);
 * net.host("192.0.2.10").serve(80, s -> s.getOutputStream().write(RESPONSE));
 * net.address("example.test", "192.0.2.10").cname("www.example.test", "example.test");
 * int port = net.publish(8080); // 127.0.0.1:port reaches the guest's port 8080
 * }</pre>
 */
public final class Internet {
    /** The guest's address (slirp4netns's 10.0.2.100). */
    public static final String GUEST = "10.0.2.100";
    /** The gateway's address; it reaches nothing of the host here. */
    public static final String GATEWAY = "10.0.2.2";
    /** The DNS address: the test's zones. */
    public static final String DNS = "10.0.2.3";
    /** The guest's IPv6 address (in slirp4netns's prefix fd00::/64). */
    public static final String GUEST6 = "fd00::100";
    /** The IPv6 gateway's address; it reaches nothing of the host here. */
    public static final String GATEWAY6 = "fd00::2";
    /** The IPv6 DNS address: the test's zones. */
    public static final String DNS6 = "fd00::3";
    private static final long TIMEOUT_SECONDS = 10;

    private final Netns namespace;
    private final FakeHosts hosts = new FakeHosts();
    private final Map<IpAddress, FakeHost> byAddress = new LinkedHashMap<>();
    private final DnsZones zones = new DnsZones();
    private final List<AutoCloseable> parts = new ArrayList<>();
    private final Path capture;
    private Usernet usernet;

    private Internet(Netns namespace, Path capture) {
        this.namespace = namespace;
        this.capture = capture;
    }

    static Internet start(Netns ns, Path userns, String tap, Path captureDir) {
        Internet net = new Internet(ns, captureDir.resolve("internet-" + ns.name() + "-" + tap + ".pcap"));
        try {
            net.run(userns, tap);
            return net;
        } catch (RuntimeException | IOException e) {
            net.close();
            throw e instanceof TopologyException te ? te
                    : new TopologyException("cannot give namespace " + ns.name() + " an internet: " + e.getMessage(), e);
        }
    }

    private void run(Path userns, String tap) throws IOException {
        FakeResolver resolver = new FakeResolver(zones);
        parts.add(resolver);
        PacketCapture pcap = PacketCapture.open(capture, ImpairedLink.CAPTURE_BYTES);
        parts.add(pcap);
        DnsForwarder dns = DnsForwarder.of(List.of(resolver.address()));
        StackFactory stack = (config, scheduler, sink) -> {
            Stack s = Stack.create(config, scheduler, sink, dns, hosts);
            return new StackFactory.Attached(s, s, s::stats, s.forwarding(), s::flows);
        };
        UsernetConfig config = UsernetConfig.defaults().withHostLoopback(false).withDns(true)
                .withIpv6(Ipv6Config.defaults());
        try {
            usernet = Usernet.start(new Usernet.Options(new GuestTarget.ByPath(namespace.path(), userns), tap, true,
                    config, -1, stack.withCapture(pcap)));
        } catch (UsernetException e) {
            throw new TopologyException("usernet for namespace " + namespace.name() + ": " + e.getMessage(), e);
        }
        parts.add(0, usernet); // stops before the capture and the resolver close
        // IPv6 at once, as slirp4netns --configure does IPv4: fd00::100 without DAD, and the default
        // route replaces the one the stack's router advertisement may have made already (both lead to the stack)
        namespace.address(tap, GUEST6 + "/64");
        RtnlHandle rtnl = namespace.rtnl();
        rtnl.replaceRoute(Route.to(Route.AF_INET6, null, 0).via(IpAddress.parse(GATEWAY6).toInetAddress())
                .dev(rtnl.ifindex(tap)));
    }

    /** The namespace this internet serves. */
    public Netns namespace() {
        return namespace;
    }

    /**
     * The fake host at {@code address} (IPv4, or IPv6 such as 2001:db8::10), declared now if it is
     * new: it answers ping from now on.
     */
    public synchronized FakeHost host(String address) {
        IpAddress a;
        try {
            a = IpAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new TopologyException(e.getMessage(), e);
        }
        if (a.isIpv4() && (a.toIpv4Int() & 0xFFFF_FF00) == 0x0A00_0200) {
            throw new TopologyException(address + " is in the guest's own subnet 10.0.2.0/24");
        }
        if (a.isIpv6() && FakeHosts.high(a) == Ipv6Config.DEFAULT_PREFIX_HIGH) {
            throw new TopologyException(address + " is in the guest's own prefix fd00::/64");
        }
        if (a.isIpv6() && (FakeHosts.high(a) >>> 61) != 1) {
            throw new TopologyException(address + " is not a global unicast address (2000::/3; use 2001:db8::/32)");
        }
        return byAddress.computeIfAbsent(a, k -> {
            hosts.addHost(k);
            return new FakeHost(k, hosts);
        });
    }

    /** An A record ({@code address} IPv4) or AAAA record (IPv6) for {@code name} in the zones. */
    public Internet address(String name, String address) {
        try {
            zones.address(name, IpAddress.parse(address));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new TopologyException(e.getMessage(), e);
        }
        return this;
    }

    /** A CNAME record: {@code alias} is another name of {@code target}. */
    public Internet cname(String alias, String target) {
        try {
            zones.cname(alias, target);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new TopologyException(e.getMessage(), e);
        }
        return this;
    }

    /** Publishes the guest's TCP port {@code guestPort} on a free port of the host's loopback, returned. */
    public int publish(int guestPort) {
        TopologyException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            } catch (IOException e) {
                throw new TopologyException("no free loopback port: " + e.getMessage(), e);
            }
            try {
                publish(port, guestPort);
                return port;
            } catch (TopologyException e) {
                if (!(e.getCause() instanceof ForwardException f) || f.kind() != ForwardException.Kind.PORT_IN_USE) {
                    throw e;
                }
                last = e; // taken between the probe and the forward: another one
            }
        }
        throw last;
    }

    /** Publishes the guest's TCP port {@code guestPort} on {@code 127.0.0.1:hostPort} (slirp4netns's add_hostfwd). */
    public Internet publish(int hostPort, int guestPort) {
        HostForward f;
        try {
            f = HostForward.of(HostForward.Proto.TCP, InetAddress.getLoopbackAddress(), hostPort, guestPort);
            usernet.forwarding().add(f).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ForwardException e) {
            throw new TopologyException("publishing " + hostPort + " -> " + guestPort + ": " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw new TopologyException("publishing " + hostPort + " -> " + guestPort + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopologyException("interrupted while publishing " + hostPort);
        } catch (TimeoutException e) {
            throw new TopologyException("publishing " + hostPort + ": no answer from the stack in " + TIMEOUT_SECONDS + " s");
        }
        return this;
    }

    /** The stack serving the link (statistics, flows, forwards). */
    public Usernet usernet() {
        return usernet;
    }

    /** The pcap file of the tap's frames. */
    public Path capture() {
        return capture;
    }

    /** Stops the stack, the hosts' listeners and the resolver; the capture is flushed and kept. */
    synchronized void close() {
        byAddress.values().forEach(FakeHost::close);
        for (AutoCloseable c : parts) {
            try {
                c.close();
            } catch (Exception ignored) {
                // disposal goes on
            }
        }
        parts.clear();
    }
}
