package dev.jnet.usernet;

import dev.jnet.linux.FdLimit;
import dev.jnet.usernet.dhcp.Dhcp4Server;
import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.forward.PortForwarding;
import dev.jnet.usernet.icmp.Echo6Sockets;
import dev.jnet.usernet.icmp.EchoSockets;
import dev.jnet.usernet.icmp.IcmpEcho;
import dev.jnet.usernet.icmp.IcmpEchoForwarder;
import dev.jnet.usernet.icmp.Icmpv4Errors;
import dev.jnet.usernet.icmp.PingSocket;
import dev.jnet.usernet.ip.ArpResponder;
import dev.jnet.usernet.ip.Ipv4Handler;
import dev.jnet.usernet.ip.Ipv4Input;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Handler;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.ip.Reassembler;
import dev.jnet.usernet.link.FrameHandler;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.nat.HostRedirect;
import dev.jnet.usernet.tcp.AcceptedTcpSockets;
import dev.jnet.usernet.tcp.RawTcpHostConnector;
import dev.jnet.usernet.tcp.TcpHostConnector;
import dev.jnet.usernet.tcp.TcpStack;
import dev.jnet.usernet.udp.NettyUdpHostConnector;
import dev.jnet.usernet.udp.Udp6Nat;
import dev.jnet.usernet.udp.UdpHostConnector;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEventLoop;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntSupplier;

/**
 * One guest's user-mode network stack: the frames of its tap device in, frames to it out.
 * Demultiplexes Ethernet: frames to another unicast MAC are dropped, the guest's MAC is learned
 * from every frame for us, ARP goes to the {@link ArpResponder}, IPv4 to the {@link Ipv4Input}
 * and on to TCP, UDP (with DNS) and ICMP; IPv6 to the {@link Ipv6Stack} when IPv6 is on
 * ({@link UsernetConfig#ipv6()}); IPv6 while off and other EtherTypes are counted and dropped.
 * All state belongs to the scheduler's thread.
 */
// members that name the internal transports (udp, icmp, dns) are for wiring inside the module and its tests
@SuppressWarnings("exports")
public final class Stack implements FrameHandler, AutoCloseable {
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final UsernetConfig config;
    private final Scheduler scheduler;
    private final Ipv4Output out;
    private final ArpResponder arp;
    private final Ipv4Input ipv4;
    private final Ipv4Handler tcp;
    private final IntSupplier tcpConnections;
    private final UdpNat udp;
    private final IcmpEcho icmp;
    private final Ipv6Stack ipv6;
    /** One reassembly for both families: one memory cap over all pending fragments. */
    private final Reassembler reassembler;
    private final EthernetFrame eth = new EthernetFrame();
    /** host-to-guest forwards (the production stack's), or null */
    private PortForwarding forwarding;
    private boolean closed;

    private long framesReceived;
    private long framesNotForUs;
    private long framesUnsupported;
    private long superPacketsReceived;
    private long handlerErrors;
    private Throwable lastHandlerError;

    /**
     * @param tcp            the TCP handler (closed with the stack if it is {@link AutoCloseable}),
     *                       or {@code null}: TCP packets are then dropped
     * @param tcpConnections its connection count (for {@link #stats()})
     * @param udp            the UDP NAT, or {@code null} to drop UDP
     * @param icmp           ICMP, or {@code null} to drop ICMP
     */
    public Stack(UsernetConfig config, Scheduler scheduler, Ipv4Output out, Ipv4Handler tcp,
            IntSupplier tcpConnections, UdpNat udp, IcmpEcho icmp) {
        this(config, scheduler, out, tcp, tcpConnections, udp, icmp, null);
    }

    /**
     * With IPv6: {@code ipv6} (closed with the stack) gets the IPv6 frames and is started (its
     * first router advertisement) on the scheduler's thread; {@code null} drops IPv6.
     */
    public Stack(UsernetConfig config, Scheduler scheduler, Ipv4Output out, Ipv4Handler tcp,
            IntSupplier tcpConnections, UdpNat udp, IcmpEcho icmp, Ipv6Stack ipv6) {
        this.config = config;
        this.scheduler = scheduler;
        this.out = out;
        this.tcp = tcp;
        this.tcpConnections = tcpConnections;
        this.udp = udp;
        this.icmp = icmp;
        this.arp = new ArpResponder(config, out.sink());
        this.ipv4 = new Ipv4Input(config, tcp, udp, icmp, new Icmpv4Errors().protocolUnreachable(out));
        this.ipv6 = ipv6;
        this.reassembler = new Reassembler(scheduler, Reassembler.Limits.DEFAULT);
        ipv4.reassembleWith(reassembler);
        if (ipv6 != null) {
            ipv6.input().reassembleWith(reassembler);
            scheduler.execute(() -> {
                if (!closed) {
                    ipv6.start();
                }
            });
        }
    }

    /**
     * The production stack on {@code scheduler}'s epoll event loop: ARP, ICMP echo (answered
     * for .2/.3, forwarded through ping sockets), UDP NAT, DNS forwarding to the resolvers of
     * {@code config.resolvConf()}, and TCP. Makes no socket yet (host sockets open per flow);
     * call on the event loop or before any frame flows; frames must then arrive on the loop.
     *
     * @throws java.io.UncheckedIOException if DNS is enabled and resolv.conf exists but cannot be read
     */
    public static Stack create(UsernetConfig config, EventLoopScheduler scheduler, FrameSink sink) {
        // with --disable-dns nothing reaches the forwarder: do not even read resolv.conf
        DnsForwarder dns = !config.dns() ? DnsForwarder.of(List.of())
                : config.dnsServers() != null ? DnsForwarder.of(config.dnsServers()) : DnsForwarder.fromResolvConf(config);
        return create(config, scheduler, sink, dns);
    }

    /** {@link #create(UsernetConfig, EventLoopScheduler, FrameSink)} with explicit DNS upstreams (tests). */
    public static Stack create(UsernetConfig config, EventLoopScheduler scheduler, FrameSink sink, DnsForwarder dns) {
        return create(config, scheduler, sink, dns, null);
    }

    /**
     * {@link #create(UsernetConfig, EventLoopScheduler, FrameSink, DnsForwarder)} where {@code redirect}
     * (null: none) decides where the guest's destinations go on the host side: a closed world of
     * chosen hosts, e.g. a test's fake internet.
     */
    public static Stack create(UsernetConfig config, EventLoopScheduler scheduler, FrameSink sink, DnsForwarder dns,
            HostRedirect redirect) {
        // Netty's own EpollIoHandler loses host sockets from epoll (see KeepRegisteredEpollIoHandler)
        if (!(scheduler.eventLoop() instanceof IoEventLoop loop) || !loop.isIoType(KeepRegisteredEpollIoHandler.class)) {
            throw new IllegalArgumentException("the stack needs a Netty epoll IoEventLoop made with "
                    + "KeepRegisteredEpollIoHandler.newFactory(), not " + scheduler.eventLoop().getClass().getName());
        }
        HostTables tables = HostTables.forFdLimit(FdLimit.soft());
        Ipv4Output out = new Ipv4Output(config, sink);
        AddressMap map = new AddressMap(config, redirect);
        int maxUdpPayload = out.maxDatagramLength() - UdpDatagram.HEADER_LENGTH;
        // every host socket opened for the guest is counted by its link (OpenBudget)
        UdpHostConnector udpSockets = counted(sink,
                new NettyUdpHostConnector(loop, config.outboundAddr(), config.outboundAddr6(), maxUdpPayload,
                        UdpNat.HEADROOM));
        UdpNat udp = new UdpNat(config, scheduler, out, map, dns, udpSockets, tables.udp());
        if (config.services().dhcp4()) {
            udp.serveOnGateway(new Dhcp4Server(config, scheduler, out));
        }
        IcmpEcho icmp = new IcmpEcho(config, out, map, new IcmpEchoForwarder(scheduler, out,
                counted(sink, PingSocket.factory(loop, config.outboundAddr())), tables.icmpFlows(), IcmpEchoForwarder.IDLE_NANOS));
        Ipv6Output out6 = config.ipv6() == null ? null : new Ipv6Output(config, out);
        AcceptedTcpSockets tcpSockets = new AcceptedTcpSockets(scheduler);
        TcpStack tcp = new TcpStack(config, scheduler, out, out6, map, counted(sink, new RawTcpHostConnector(scheduler, config)),
                dns.tcpUpstream(), tables.tcp());
        IntSupplier tcpConnections = tcp::connectionCount;
        Ipv6Stack ipv6 = null;
        if (out6 != null) {
            Ipv6Handler tcp6 = tcp; // TCP over IPv6: the same TcpStack, through its IPv6 entry
            int maxUdp6Payload = out6.maxDatagramLength() - UdpDatagram.HEADER_LENGTH;
            UdpHostConnector udp6Sockets = counted(sink, new NettyUdpHostConnector(loop, config.outboundAddr(),
                    config.outboundAddr6(), maxUdp6Payload, Udp6Nat.HEADROOM));
            ipv6 = Ipv6Stack.create(config, scheduler, out6, map, dns, udp6Sockets,
                    counted(sink, PingSocket.factory6(loop, config.outboundAddr6())), tcp6, tables.udp(), tables.icmpFlows());
        }
        Stack stack = new Stack(config, scheduler, out, tcp, tcpConnections, udp, icmp, ipv6);
        stack.forwarding = new PortForwarding(config, scheduler, loop, tcp, tcpSockets, udp, out,
                ipv6 == null ? null : ipv6.udp(), out6, PortForwarding.Limits.DEFAULT);
        return stack;
    }

    private static UdpHostConnector counted(FrameSink sink, UdpHostConnector c) {
        return (remote, receiver) -> {
            sink.hostSocketOpened();
            return c.open(remote, receiver);
        };
    }

    private static TcpHostConnector counted(FrameSink sink, TcpHostConnector c) {
        return (remote, listener) -> {
            sink.hostSocketOpened();
            return c.connect(remote, listener);
        };
    }

    private static EchoSockets counted(FrameSink sink, EchoSockets c) {
        return (host, receiver) -> {
            sink.hostSocketOpened();
            return c.open(host, receiver);
        };
    }

    private static Echo6Sockets counted(FrameSink sink, Echo6Sockets c) {
        return (host, receiver) -> {
            sink.hostSocketOpened();
            return c.open(host, receiver);
        };
    }

    /** Host-to-guest port forwards (thread-safe); {@code null} for a stack not made by {@link #create}. */
    public PortForwarding forwarding() {
        return forwarding;
    }

    @Override
    public void receiveFrame(ByteBuf frame) {
        receive(frame, false);
    }

    /** The link vouches for the TCP/UDP checksums of this frame: they are not verified again. */
    @Override
    public void receiveTrustedFrame(ByteBuf frame) {
        receive(frame, true);
    }

    @Override
    public boolean takesTrustedFrames() {
        return true;
    }

    private void receive(ByteBuf frame, boolean checksumTrusted) {
        try {
            if (closed) {
                return;
            }
            framesReceived++;
            if (frame.readableBytes() > config.mtu() + EthernetFrame.HEADER_LENGTH) {
                superPacketsReceived++; // only a tap with offloads passes these (GSO)
            }
            eth.wrap(frame);
            // group addresses too: broadcast ARP, and IPv6 neighbour discovery (33:33:ff:...)
            if (!eth.check() || !(eth.dst() == config.gatewayMac() || eth.isMulticast())) {
                framesNotForUs++;
                return;
            }
            out.learnGuestMac(eth.src());
            switch (eth.etherType()) {
                case EthernetFrame.ETHERTYPE_ARP -> arp.receive(eth);
                case EthernetFrame.ETHERTYPE_IPV4 -> ipv4.receive(frame, eth.payloadOffset(), eth.payloadLength(), checksumTrusted);
                case EthernetFrame.ETHERTYPE_IPV6 -> {
                    if (ipv6 != null) {
                        ipv6.receive(frame, eth.payloadOffset(), eth.payloadLength(), checksumTrusted);
                    } else {
                        framesUnsupported++;
                    }
                }
                default -> framesUnsupported++;
            }
        } catch (RuntimeException | LinkageError | OutOfMemoryError | StackOverflowError e) {
            // a bug in one handler, or an allocation that failed for this frame (direct memory
            // exhausted), costs one packet, not the guest's whole link or the loop; counted and kept
            handlerErrors++;
            lastHandlerError = e;
        } finally {
            eth.clear();
            frame.release();
        }
    }

    /** The stack's configuration. */
    public UsernetConfig config() {
        return config;
    }

    /** The IPv4 output towards the guest (learned guest MAC). */
    public Ipv4Output output() {
        return out;
    }

    /** The UDP NAT. */
    public UdpNat udp() {
        return udp;
    }

    /** ICMP. */
    public IcmpEcho icmp() {
        return icmp;
    }

    /** The IPv6 half, or {@code null} when IPv6 is off; read its counters on the stack's thread. */
    public Ipv6Stack ipv6() {
        return ipv6;
    }

    /** The last exception a handler threw for a frame (see {@link StackStats#handlerErrors()}), or {@code null}. */
    public Throwable lastHandlerError() {
        return onLoop(() -> lastHandlerError);
    }

    /** Counters and table sizes; from any thread (off the loop it waits for the loop to answer). */
    public StackStats stats() {
        return onLoop(this::snapshot);
    }

    /** The TCP connections, UDP/DNS flows of both families and ICMP echo flows (IPv4); from any thread, as {@link #stats()}. */
    public List<FlowInfo> flows() {
        return onLoop(() -> {
            List<FlowInfo> all = new java.util.ArrayList<>();
            if (tcp instanceof TcpStack t) {
                t.flows(all);
            }
            if (udp != null) {
                udp.flows(all);
            }
            if (icmp != null && icmp.forwarder() != null) {
                icmp.forwarder().flows(all);
            }
            if (ipv6 != null) {
                ipv6.flows(all);
            }
            return all;
        });
    }

    private StackStats snapshot() {
        long[] v6 = ipv6 == null ? new long[8] : ipv6.counters();
        return new StackStats(framesReceived, framesNotForUs, framesUnsupported, arp.replies(),
                ipv4.malformed(), ipv4.badChecksum(), ipv4.fragments(), ipv4.ttlExpired(), ipv4.unknownProtocol(),
                tcpConnections.getAsInt(), udp == null ? 0 : udp.flowCount(), udp == null ? 0 : udp.dnsFlowCount(),
                icmp == null ? 0 : icmp.flowCount(), udp == null ? 0 : udp.badChecksum(),
                icmp == null ? 0 : icmp.answered(), handlerErrors, v6[0], v6[1], v6[2], (int) v6[3], (int) v6[4],
                (int) v6[5], v6[6], v6[7], tcp instanceof TcpStack t ? t.sendBufferedBytes() : 0,
                reassembler.reassembled(), reassembler.duplicates(), reassembler.malformed(), reassembler.tinyFirst(),
                reassembler.overlaps(), reassembler.evicted(), reassembler.timedOut(), reassembler.pendingBytes(),
                out.fragmentsSent() + (ipv6 == null ? 0 : ipv6.output().fragmentsSent()), superPacketsReceived,
                tcp instanceof TcpStack t2 ? t2.superPacketsSent() : 0);
    }

    /**
     * Closes every host socket (TCP, UDP, DNS, ICMP) and drops frames from then on. From any
     * thread; off the loop it waits for the loop to finish. Idempotent.
     */
    @Override
    public void close() {
        try {
            onLoop(this::closeOnce);
        } catch (RejectedExecutionException e) {
            closeOnce(); // the loop has shut down: no thread left to race with
        }
    }

    private Void closeOnce() {
        if (!closed) {
            closed = true;
            closeAll();
        }
        return null;
    }

    private void closeAll() {
        RuntimeException failure = null;
        // forwards first: no new connection or flow while the transports close
        for (AutoCloseable c : new AutoCloseable[] {forwarding, tcp instanceof AutoCloseable a ? a : null, udp, icmp,
                ipv6, reassembler}) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the stack", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private <T> T onLoop(java.util.function.Supplier<T> task) {
        if (scheduler.inLoop()) {
            return task.get();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        scheduler.execute(() -> {
            try {
                result.complete(task.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the stack's event loop", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the stack's event loop did not answer within "
                    + CLOSE_WAIT_SECONDS + " s", e);
        }
    }
}
