package dev.jnet.usernet.forward;

import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.FlowTable;
import dev.jnet.usernet.tcp.NettyTcpHostConnector;
import dev.jnet.usernet.tcp.TcpStack;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Errors;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 *       in a bounded table whose idle flows expire ({@link FlowTable}).</li>
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
    private static final int FIRST_UDP_PORT = 32768;
    private static final int LAST_UDP_PORT = 60999;
    private static final int UDP_READS_PER_WAKEUP = 16;

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
    private final NettyTcpHostConnector tcpSockets;
    private final Ipv4Output out;
    private final FlowTable<UdpFlow> udpFlows;
    private final TreeMap<Integer, Forward> forwards = new TreeMap<>();
    private final UdpDatagram toGuest = new UdpDatagram();
    private int pendingBinds;
    private int nextId = 1;
    private int nextUdpPort = FIRST_UDP_PORT;
    private boolean closed;
    private long udpDropped;

    /**
     * @param udp the stack's UDP NAT, whose guest datagrams this service claims first (replies
     *            to forwarded flows); {@code null}: no UDP forwards
     */
    public PortForwarding(UsernetConfig config, Scheduler scheduler, EventLoop loop, TcpStack tcp,
            NettyTcpHostConnector tcpSockets, UdpNat udp, Ipv4Output out, Limits limits) {
        this.config = config;
        this.scheduler = scheduler;
        this.loop = loop;
        this.tcp = tcp;
        this.tcpSockets = tcpSockets;
        this.out = out;
        this.udpFlows = udp == null ? null
                : new FlowTable<>(scheduler, limits.udpFlows(), limits.udpIdleNanos(), this::flowRemoved);
        if (udp != null) {
            udp.claimGuestDatagrams(this::guestDatagram);
        }
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

    /** UDP client flows now (all forwards). */
    public int udpFlowCount() {
        return udpFlows == null ? 0 : udpFlows.size();
    }

    /** UDP datagrams dropped (too large for the guest link, or the client socket backed up). */
    public long udpDropped() {
        return udpDropped;
    }

    /** Closes every forward's host socket; later calls fail. On the loop (the stack's close). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Forward f : new ArrayList<>(forwards.values())) {
            f.close();
        }
        forwards.clear();
        if (udpFlows != null) {
            udpFlows.clear();
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
        ChannelFuture bind = spec.proto() == HostForward.Proto.TCP ? tcpListener(f) : udpSocket(f);
        f.channel = bind.channel();
        pendingBinds++;
        bind.addListener(done -> {
            pendingBinds--;
            if (!done.isSuccess()) {
                f.channel.close();
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
        f.close().addListener(done -> result.complete(null));
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
            long[] hl = halves((Inet6Address) guest);
            if (v6 == null) {
                throw new ForwardException(ForwardException.Kind.BAD_GUEST_ADDRESS, "guest address " + guest.getHostAddress()
                        + " is IPv6, which is off (--enable-ipv6)");
            }
            if (!v6.inPrefix(hl[0], hl[1]) || hl[1] == 0 || v6.isGateway(hl[0], hl[1]) || v6.isDns(hl[0], hl[1])) {
                throw new ForwardException(ForwardException.Kind.BAD_GUEST_ADDRESS, "guest address " + guest.getHostAddress()
                        + " is no guest address of " + v6);
            }
            if (f.proto() == HostForward.Proto.UDP) {
                throw new ForwardException(ForwardException.Kind.UNSUPPORTED,
                        "UDP forwards to an IPv6 guest address are not supported");
            }
        }
        if (f.proto() == HostForward.Proto.UDP && udpFlows == null) {
            throw new ForwardException(ForwardException.Kind.UNSUPPORTED, "this stack has no UDP");
        }
        return new HostForward(f.proto(), host, f.hostPort(), guest, f.guestPort(), f.preserveSource());
    }

    private static ForwardException bindError(HostForward spec, Throwable cause) {
        String where = spec.hostAddr().getHostAddress() + ":" + spec.hostPort() + "/" + spec.proto().wireName();
        int errno = cause instanceof Errors.NativeIoException n ? Math.abs(n.expectedErr()) : 0;
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
     * and {@code ::} is dual-stack (IPV6_V6ONLY off, the Linux default).
     */
    private ChannelFuture tcpListener(Forward f) {
        SocketProtocolFamily family = f.spec.hostAddr() instanceof Inet6Address ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        return new ServerBootstrap().group(loop).channelFactory(() -> new EpollServerSocketChannel(family))
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

    /** A client connected to a TCP forward: open towards the guest, spliced to this socket. */
    private void accepted(Forward f, Channel ch) {
        if (f.closed || closed) {
            ch.close();
            return;
        }
        InetSocketAddress client = (InetSocketAddress) ch.remoteAddress();
        long srcHigh;
        long srcLow;
        int srcPort = 0; // the stack picks one
        if (f.guestV6) {
            long[] hl = f.spec.preserveSource() ? preservable6(client.getAddress()) : null;
            srcHigh = hl != null ? hl[0] : config.ipv6().prefixHigh();
            srcLow = hl != null ? hl[1] : Ipv6Config.GATEWAY_LOW;
            srcPort = hl != null ? client.getPort() : 0;
        } else {
            int a = f.spec.preserveSource() ? preservable4(client.getAddress()) : 0;
            srcHigh = 0;
            srcLow = (a != 0 ? a : config.gateway()) & 0xFFFF_FFFFL;
            srcPort = a != 0 ? client.getPort() : 0;
        }
        if (!tcp.openToGuest(f.guestV6, srcHigh, srcLow, srcPort, f.guestHigh, f.guestLow, f.spec.guestPort(),
                listener -> tcpSockets.adopt(ch, listener))) {
            ch.close();
        }
    }

    // ---------------------------------------------------------------- UDP

    private ChannelFuture udpSocket(Forward f) {
        int maxPayload = out.maxTransportLength() - UdpDatagram.HEADER_LENGTH;
        SocketProtocolFamily family = f.spec.hostAddr() instanceof Inet6Address ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        return new Bootstrap().group(loop)
                .channelFactory(() -> new EpollDatagramChannel(family))
                // one byte more than the guest link carries: a larger datagram shows as such and is dropped
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(maxPayload + 1).maxMessagesPerRead(UDP_READS_PER_WAKEUP))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 << 10, 1 << 20))
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        try {
                            if (msg instanceof DatagramPacket p && !f.closed) {
                                clientDatagram(f, p.sender(), p.content());
                            }
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        udpDropped++; // e.g. ECONNREFUSED from an earlier send: the socket lives on
                    }
                })
                .bind(f.spec.hostSocketAddress());
    }

    private void clientDatagram(Forward f, InetSocketAddress client, ByteBuf payload) {
        int len = payload.readableBytes();
        if (len > out.maxTransportLength() - UdpDatagram.HEADER_LENGTH) {
            udpDropped++; // no fragmentation towards the guest
            return;
        }
        UdpFlow flow = f.clients.get(client);
        if (flow == null) {
            flow = newFlow(f, client);
            if (flow == null) {
                udpDropped++;
                return;
            }
        } else {
            udpFlows.touch(flow.key);
        }
        ByteBuf buf = out.allocate(UdpDatagram.HEADER_LENGTH + len);
        int start = buf.writerIndex();
        UdpDatagram.emitHeader(buf, start, flow.srcPort, f.spec.guestPort(), len);
        buf.writerIndex(start + UdpDatagram.HEADER_LENGTH);
        buf.writeBytes(payload, payload.readerIndex(), len);
        toGuest.wrap(buf, start, UdpDatagram.HEADER_LENGTH + len).fillChecksumIpv4(flow.srcAddr, f.guestAddr);
        toGuest.clear();
        out.send(buf, flow.srcAddr, f.guestAddr, Ipv4Packet.PROTO_UDP);
    }

    /** A flow for a new client: its own address if preserved and free, else the gateway and a free port. */
    private UdpFlow newFlow(Forward f, InetSocketAddress client) {
        int guestPort = f.spec.guestPort();
        int src = f.spec.preserveSource() ? preservable4(client.getAddress()) : 0;
        int srcPort = client.getPort();
        if (src == 0 || udpFlows.get(flowKey(src, srcPort, guestPort)) != null) {
            src = config.gateway();
            srcPort = 0;
            for (int i = LAST_UDP_PORT - FIRST_UDP_PORT; i >= 0 && srcPort == 0; i--) {
                int port = nextUdpPort;
                nextUdpPort = port == LAST_UDP_PORT ? FIRST_UDP_PORT : port + 1;
                if (udpFlows.get(flowKey(src, port, guestPort)) == null) {
                    srcPort = port;
                }
            }
            if (srcPort == 0) {
                return null;
            }
        }
        UdpFlow flow = new UdpFlow(f, client, src, srcPort, flowKey(src, srcPort, guestPort));
        udpFlows.put(flow.key, flow); // a full table evicts the least recently used flow
        f.clients.put(client, flow);
        return flow;
    }

    /** Key of a flow as the guest's replies show it: (their destination, its port, their source port). */
    private static long flowKey(int src, int srcPort, int guestPort) {
        return ((src & 0xFFFF_FFFFL) << 32) | ((long) srcPort << 16) | guestPort;
    }

    /**
     * A UDP datagram from the guest (already checked): claimed, and sent to its client, when it
     * answers a forwarded flow. Runs for every guest datagram: no flows, no work.
     */
    private boolean guestDatagram(Ipv4Packet ip, UdpDatagram udp) {
        if (udpFlows.size() == 0) {
            return false;
        }
        UdpFlow flow = udpFlows.get(flowKey(ip.dst(), udp.dstPort(), udp.srcPort()));
        if (flow == null || flow.forward.guestAddr != ip.src() || flow.forward.closed) {
            return false;
        }
        Channel ch = flow.forward.channel;
        if (!ch.isWritable()) {
            udpDropped++; // the client socket is backed up: lost like any datagram
            return true;
        }
        ByteBuf data = ip.buffer().retainedSlice(udp.payloadOffset(), udp.payloadLength());
        ch.writeAndFlush(new DatagramPacket(data, flow.client), ch.voidPromise());
        return true;
    }

    private void flowRemoved(UdpFlow flow) {
        flow.forward.clients.remove(flow.client, flow);
    }

    // ---------------------------------------------------------------- sources

    /** The client's IPv4 address if the guest can be shown it, else 0 (then: the gateway). */
    private int preservable4(InetAddress client) {
        Inet4Address a4 = ipv4(client);
        if (a4 == null) {
            return 0;
        }
        int a = Ipv4Packet.fromInetAddress(a4);
        if (a == 0 || (a >>> 24) == 127 || (a >>> 28) >= 0xE || config.inSubnet(a)) {
            return 0; // loopback is a martian on the guest's link; its own subnet would be itself
        }
        return a;
    }

    /** The client's IPv6 address as halves if the guest can be shown it, else {@code null}. */
    private long[] preservable6(InetAddress client) {
        if (!(client instanceof Inet6Address a6) || a6.isLoopbackAddress() || a6.isLinkLocalAddress()
                || a6.isAnyLocalAddress() || a6.isMulticastAddress()) {
            return null;
        }
        long[] hl = halves(a6);
        return config.ipv6().inPrefix(hl[0], hl[1]) || (hl[0] == 0 && (hl[1] >>> 32) == 0xFFFF) ? null : hl;
    }

    /** IPv4, also when it arrives IPv4-mapped on an IPv6 socket; else {@code null}. */
    private static Inet4Address ipv4(InetAddress a) {
        if (a instanceof Inet4Address a4) {
            return a4;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return null;
            }
        }
        if (b[10] != (byte) 0xFF || b[11] != (byte) 0xFF) {
            return null;
        }
        return Ipv4Packet.toInetAddress(((b[12] & 0xFF) << 24) | ((b[13] & 0xFF) << 16) | ((b[14] & 0xFF) << 8)
                | (b[15] & 0xFF));
    }

    private static long[] halves(Inet6Address a) {
        byte[] b = a.getAddress();
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (b[i] & 0xFF);
            low = (low << 8) | (b[i + 8] & 0xFF);
        }
        return new long[] {high, low};
    }

    // ---------------------------------------------------------------- state

    private final class Forward {
        final HostForward spec;
        final boolean guestV6;
        final long guestHigh;
        final long guestLow;
        /** IPv4 guest address (UDP forwards are IPv4 only) */
        final int guestAddr;
        /** UDP: the flow of each client */
        final Map<InetSocketAddress, UdpFlow> clients = new HashMap<>();
        int id;
        Channel channel;
        boolean closed;

        Forward(HostForward spec) {
            this.spec = spec;
            if (spec.guestAddr() instanceof Inet6Address g6) {
                long[] hl = halves(g6);
                guestV6 = true;
                guestHigh = hl[0];
                guestLow = hl[1];
                guestAddr = 0;
            } else {
                guestV6 = false;
                guestAddr = Ipv4Packet.fromInetAddress((Inet4Address) spec.guestAddr());
                guestHigh = 0;
                guestLow = guestAddr & 0xFFFF_FFFFL;
            }
        }

        ChannelFuture close() {
            closed = true;
            if (udpFlows != null && !clients.isEmpty()) {
                for (UdpFlow flow : new ArrayList<>(clients.values())) {
                    udpFlows.remove(flow.key);
                }
            }
            return channel.close();
        }
    }

    private record UdpFlow(Forward forward, InetSocketAddress client, int srcAddr, int srcPort, long key) {}
}
