package dev.jnet.usernet.forward;

import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.tcp.AcceptedTcpSockets;
import dev.jnet.usernet.tcp.TcpStack;
import dev.jnet.usernet.udp.Udp6Nat;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Errors;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Host-to-guest port forwards (slirp4netns's {@code add_hostfwd}), served on the stack's event
 * loop: each forward is a listening epoll socket on the host.
 * <ul>
 *   <li>TCP: every accepted connection becomes an active open of the {@link TcpStack} towards
 *       the guest (SYN to the guest's address and port); a guest refusal resets the client.</li>
 *   <li>UDP: one host socket per forward; each client (address and port) is a flow with its own
 *       source as the guest sees it, so the guest's replies go back to the client that sent,
 *       in a bounded table whose idle flows expire ({@link UdpForwards}); IPv4 and IPv6 guests.</li>
 * </ul>
 * Source as the guest sees it: the gateway with a port the stack picks (what slirp4netns
 * shows for local clients), or with {@link HostForward#preserveSource} the client's own
 * address and port: the guest answers via its default route, which is us, so any address
 * works (loopback clients and clients inside the guest's subnet still appear as the gateway).
 *
 * <p>Thread-safe: every method may be called from any thread; work hops onto the loop and the
 * returned future completes there (at once when called on the loop, except for {@link #add},
 * whose bind completes in a later loop turn).
 */
// members that name the internal transports (udp, icmp, dns) are for wiring inside the module and its tests
@SuppressWarnings("exports")
public final class PortForwarding implements AutoCloseable {
    /** Forwards at most (each holds a host socket). */
    public static final int MAX_FORWARDS = 1024;
    private static final int BACKLOG = 128;
    private static final int ENODEV = 19;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_V6ONLY = 26;

    /** Bounds of the UDP client table. */
    public record Limits(int udpFlows, long udpIdleNanos) {
        /** 4096 client flows over all forwards; 240 s idle, libslirp's UDP expiry. */
        public static final Limits DEFAULT = new Limits(4096, TimeUnit.SECONDS.toNanos(240));
    }

    /** One forward as listed: its id and the forward with defaults filled in. */
    public record Entry(int id, HostForward forward) {}

    private final UsernetConfig config;
    private final Scheduler scheduler;
    private final EventLoop loop;
    private final TcpStack tcp;
    private final AcceptedTcpSockets tcpSockets;
    /** null: no UDP forwards */
    private final UdpForwards udp;
    private final TreeMap<Integer, Forward> forwards = new TreeMap<>();
    private int pendingBinds;
    private int nextId = 1;
    private boolean closed;
    /** null: every TCP client goes through the guest's interface */
    private LoopbackSplice splice;

    /**
     * @param udp the stack's UDP NAT, whose guest datagrams this service claims first (replies
     *            to forwarded flows); {@code null}: no UDP forwards
     */
    public PortForwarding(UsernetConfig config, Scheduler scheduler, EventLoop loop, TcpStack tcp,
            AcceptedTcpSockets tcpSockets, UdpNat udp, Ipv4Output out, Limits limits) {
        this(config, scheduler, loop, tcp, tcpSockets, udp, out, null, null, limits);
    }

    /**
     * With UDP forwards to IPv6 guests too.
     *
     * @param udp6 the stack's IPv6 UDP NAT (claimed likewise), or {@code null} with IPv6 off
     * @param out6 the IPv6 output towards the guest, or {@code null} with IPv6 off
     */
    public PortForwarding(UsernetConfig config, Scheduler scheduler, EventLoop loop, TcpStack tcp,
            AcceptedTcpSockets tcpSockets, UdpNat udp, Ipv4Output out, Udp6Nat udp6, Ipv6Output out6,
            Limits limits) {
        this.config = config;
        this.scheduler = scheduler;
        this.loop = loop;
        this.tcp = tcp;
        this.tcpSockets = tcpSockets;
        this.udp = udp == null ? null : new UdpForwards(config, scheduler, loop, udp, out, udp6, out6, limits);
    }

    // ---------------------------------------------------------------- public, any thread

    /**
     * Starts a forward; completes with its id once the host socket listens, or exceptionally
     * with a {@link ForwardException} (port in use, bad address, ...).
     */
    public CompletableFuture<Integer> add(HostForward forward) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        onLoop(result, () -> addOnLoop(forward, result));
        return result;
    }

    /** Stops a forward: its host socket closes (connections it made live on); completes once closed. */
    public CompletableFuture<Void> remove(int id) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        onLoop(result, () -> removeOnLoop(id, result));
        return result;
    }

    /** The forwards, in id order. */
    public CompletableFuture<List<Entry>> list() {
        CompletableFuture<List<Entry>> result = new CompletableFuture<>();
        onLoop(result, () -> {
            List<Entry> all = new ArrayList<>(forwards.size());
            forwards.values().forEach(f -> all.add(new Entry(f.id, f.spec)));
            result.complete(all);
        });
        return result;
    }

    /**
     * From now on, TCP clients from the host's loopback reach an IPv4 guest's loopback first,
     * through sockets {@code sockets} makes in the namespace (pasta's splice), and the guest's
     * interface only when nothing listens there. Completes once in effect.
     */
    public CompletableFuture<Void> spliceLoopback(NamespaceSockets sockets) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        onLoop(result, () -> {
            splice = new LoopbackSplice(loop, sockets);
            result.complete(null);
        });
        return result;
    }

    /** UDP client flows now (all forwards). */
    public int udpFlowCount() {
        return udp == null ? 0 : udp.flowCount();
    }

    /** UDP datagrams dropped (too large for the guest link, or the client socket backed up). */
    public long udpDropped() {
        return udp == null ? 0 : udp.dropped();
    }

    /** Closes every forward's host socket; later calls fail. On the loop (the stack's close). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Forward f : new ArrayList<>(forwards.values())) {
            close(f);
        }
        forwards.clear();
        if (udp != null) {
            udp.close();
        }
    }

    private void onLoop(CompletableFuture<?> result, Runnable task) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        if (scheduler.inLoop()) {
            guarded.run();
            return;
        }
        try {
            scheduler.execute(guarded);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new ForwardException(ForwardException.Kind.UNAVAILABLE, "the stack is closed", e));
        }
    }

    // ---------------------------------------------------------------- add / remove

    private void addOnLoop(HostForward requested, CompletableFuture<Integer> result) {
        if (closed) {
            throw new ForwardException(ForwardException.Kind.UNAVAILABLE, "the stack is closed");
        }
        if (forwards.size() + pendingBinds >= MAX_FORWARDS) {
            throw new ForwardException(ForwardException.Kind.UNAVAILABLE, "too many forwards (" + MAX_FORWARDS + ")");
        }
        HostForward spec = normalize(requested);
        Forward f = new Forward(spec);
        ChannelFuture bind = spec.proto() == HostForward.Proto.TCP ? tcpListener(f) : udp.bind(f);
        f.channel = bind.channel();
        pendingBinds++;
        bind.addListener(done -> {
            pendingBinds--;
            if (!done.isSuccess()) {
                if (f.channel.isRegistered()) { // unregistered: the socket could not be made (no such interface)
                    f.channel.close();
                }
                result.completeExceptionally(bindError(spec, done.cause()));
            } else if (closed) {
                f.channel.close();
                result.completeExceptionally(new ForwardException(ForwardException.Kind.UNAVAILABLE, "the stack is closed"));
            } else {
                f.id = nextId++;
                forwards.put(f.id, f);
                result.complete(f.id);
            }
        });
    }

    private void removeOnLoop(int id, CompletableFuture<Void> result) {
        Forward f = forwards.remove(id);
        if (f == null) {
            throw new ForwardException(ForwardException.Kind.UNKNOWN_ID, "no forward with id " + id);
        }
        close(f).addListener(done -> result.complete(null));
    }

    /** Defaults filled in (0.0.0.0, the guest's address) and the guest address checked. */
    private HostForward normalize(HostForward f) {
        InetAddress host = f.hostAddr() != null ? f.hostAddr() : Ipv4Packet.toInetAddress(0);
        if (host.isMulticastAddress()) {
            throw new ForwardException(ForwardException.Kind.BAD_HOST_ADDRESS, "host address " + host.getHostAddress()
                    + " is a multicast address");
        }
        InetAddress guest = f.guestAddr() != null ? f.guestAddr() : Ipv4Packet.toInetAddress(config.guestAddress());
        if (guest instanceof Inet4Address g4) {
            int a = Ipv4Packet.fromInetAddress(g4);
            if (!config.inSubnet(a) || a == config.network() || a == config.broadcast() || a == config.gateway()
                    || a == config.dnsAddress()) {
                throw new ForwardException(ForwardException.Kind.BAD_GUEST_ADDRESS, "guest address " + g4.getHostAddress()
                        + " is no guest address of " + Ipv4Packet.addressToString(config.network()) + "/"
                        + config.prefixLength());
            }
        } else {
            Ipv6Config v6 = config.ipv6();
            long[] hl = ForwardSources.halves((Inet6Address) guest);
            if (v6 == null) {
                throw new ForwardException(ForwardException.Kind.BAD_GUEST_ADDRESS, "guest address " + guest.getHostAddress()
                        + " is IPv6, which is off (--enable-ipv6)");
            }
            if (!v6.inPrefix(hl[0], hl[1]) || hl[1] == 0 || v6.isGateway(hl[0], hl[1]) || v6.isDns(hl[0], hl[1])) {
                throw new ForwardException(ForwardException.Kind.BAD_GUEST_ADDRESS, "guest address " + guest.getHostAddress()
                        + " is no guest address of " + v6);
            }
            if (f.proto() == HostForward.Proto.UDP && udp != null && !udp.ipv6()) {
                throw new ForwardException(ForwardException.Kind.UNSUPPORTED, "this stack has no UDP over IPv6");
            }
        }
        if (f.proto() == HostForward.Proto.UDP && udp == null) {
            throw new ForwardException(ForwardException.Kind.UNSUPPORTED, "this stack has no UDP");
        }
        return new HostForward(f.proto(), host, f.hostPort(), guest, f.guestPort(), f.preserveSource(), f.hostInterface(),
                f.v6only());
    }

    private static ForwardException bindError(HostForward spec, Throwable cause) {
        String where = spec.hostAddr().getHostAddress() + (spec.hostInterface() == null ? "" : "%" + spec.hostInterface())
                + ":" + spec.hostPort() + "/" + spec.proto().wireName();
        int errno = cause instanceof Errors.NativeIoException n ? Math.abs(n.expectedErr())
                : cause instanceof SyscallException s ? s.errno() : 0;
        if (errno == ENODEV) {
            return new ForwardException(ForwardException.Kind.BAD_HOST_ADDRESS, where + ": no such interface "
                    + spec.hostInterface(), cause);
        }
        String m = String.valueOf(cause.getMessage());
        if (errno == 98 || m.contains("Address already in use")) {
            return new ForwardException(ForwardException.Kind.PORT_IN_USE, where + ": address already in use", cause);
        }
        if (errno == 99 || m.contains("Cannot assign requested address")) {
            return new ForwardException(ForwardException.Kind.BAD_HOST_ADDRESS, where + ": not an address of this host", cause);
        }
        if (errno == 13 || m.contains("Permission denied")) {
            return new ForwardException(ForwardException.Kind.BIND_FAILED, where + ": permission denied", cause);
        }
        return new ForwardException(ForwardException.Kind.BIND_FAILED, where + ": " + m, cause);
    }

    // ---------------------------------------------------------------- TCP

    /**
     * An IPv4 host address (0.0.0.0 included) gets an IPv4 socket, as slirp4netns binds it: a
     * 0.0.0.0 forward listens on IPv4 only. An IPv6 one ({@code ::} included) gets an IPv6 socket,
     * and {@code ::} is dual-stack (IPV6_V6ONLY off, the Linux default) unless the forward is
     * {@link HostForward#v6only}.
     */
    private ChannelFuture tcpListener(Forward f) {
        SocketProtocolFamily family = f.spec.hostAddr() instanceof Inet6Address ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        return new ServerBootstrap().group(loop).channelFactory(() -> beforeBind(new EpollServerSocketChannel(family), f.spec))
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted(f, ch);
                    }
                })
                .bind(f.spec.hostSocketAddress());
    }

    /**
     * {@code ch} with what the forward asks of its socket before the bind: bound to its
     * interface (SO_BINDTODEVICE must come before the bind), IPv6 only (IPV6_V6ONLY likewise);
     * a failure here fails the forward's bind, and Netty closes {@code ch}.
     */
    static <C extends Channel & UnixChannel> C beforeBind(C ch, HostForward spec) {
        try {
            if (spec.hostInterface() != null) {
                Syscalls.bindToDevice(ch.fd().intValue(), spec.hostInterface(), "forward " + spec);
            }
            if (spec.v6only()) {
                Syscalls.setsockopt(ch.fd().intValue(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "forward " + spec);
            }
        } catch (SyscallException e) {
            ch.unsafe().closeForcibly();
            throw e;
        }
        return ch;
    }

    /** A client connected to a TCP forward: open towards the guest, spliced to this socket. */
    private void accepted(Forward f, Channel ch) {
        if (f.closed || closed) {
            ch.close();
            return;
        }
        InetSocketAddress client = (InetSocketAddress) ch.remoteAddress();
        if (splice != null && LoopbackSplice.spliced(client.getAddress()) != null) {
            splice.connect(ch, client.getAddress(), f.spec.guestPort(), () -> toGuest(f, ch, client));
            return;
        }
        toGuest(f, ch, client);
    }

    /** Opens towards the guest's address through its interface, spliced to {@code ch}. */
    private void toGuest(Forward f, Channel ch, InetSocketAddress client) {
        if (f.closed || closed) {
            ch.close();
            return;
        }
        long srcHigh;
        long srcLow;
        int srcPort = 0; // the stack picks one
        if (f.guestV6) {
            long[] hl = f.spec.preserveSource() ? ForwardSources.preservable6(config, client.getAddress()) : null;
            srcHigh = hl != null ? hl[0] : config.ipv6().gatewayHigh();
            srcLow = hl != null ? hl[1] : config.ipv6().gatewayLow();
            srcPort = hl != null ? client.getPort() : 0;
        } else {
            int a = f.spec.preserveSource() ? ForwardSources.preservable4(config, client.getAddress()) : 0;
            srcHigh = 0;
            srcLow = (a != 0 ? a : config.gateway()) & 0xFFFF_FFFFL;
            srcPort = a != 0 ? client.getPort() : 0;
        }
        if (!tcp.openToGuest(f.guestV6, srcHigh, srcLow, srcPort, f.guestHigh, f.guestLow, f.spec.guestPort(),
                listener -> tcpSockets.adopt(ch, listener))) {
            ch.close();
        }
    }

    /** Closes a forward's host socket; its UDP flows go with it. */
    private ChannelFuture close(Forward f) {
        f.closed = true;
        if (udp != null) {
            udp.forget(f);
        }
        return f.channel.close();
    }
}
