package dev.jnet.usernet.forward;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.IpOutput;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.nat.FlowTable;
import dev.jnet.usernet.udp.Udp6Nat;
import dev.jnet.usernet.udp.UdpNat;
import dev.jnet.usernet.wire.Inany;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;

/**
 * The UDP half of {@link PortForwarding}, for guests of either family: one host socket per
 * forward; each client (address and port) is a flow with its own source as the guest sees it
 * (the gateway, .2 or prefix::2, with a port picked here, or the client's own address and
 * port when preserved), so the guest's replies, claimed from the UDP NAT of their family, go
 * back to the client that sent. Flows live in one bounded table whose idle ones expire;
 * addresses are {@link Inany}, keys a hash checked against the flow. On the stack's loop.
 */
final class UdpForwards {
    private static final int FIRST_PORT = 32768;
    private static final int LAST_PORT = 60999;
    private static final int READS_PER_WAKEUP = 16;

    private final UsernetConfig config;
    private final EventLoop loop;
    private final Ipv4Output out;
    /** null: IPv6 is off */
    private final Ipv6Output out6;
    private final FlowTable<Flow> flows;
    private final UdpDatagram toGuest = new UdpDatagram();
    private int nextPort = FIRST_PORT;
    private long dropped;

    /** @param udp6 the IPv6 UDP NAT (its replies are claimed too), or {@code null} with IPv6 off */
    UdpForwards(UsernetConfig config, Scheduler scheduler, EventLoop loop, UdpNat udp, Ipv4Output out, Udp6Nat udp6,
            Ipv6Output out6, PortForwarding.Limits limits) {
        this.config = config;
        this.loop = loop;
        this.out = out;
        this.out6 = udp6 == null ? null : out6;
        this.flows = new FlowTable<>(scheduler, limits.udpFlows(), limits.udpIdleNanos(), this::flowRemoved);
        udp.claimGuestDatagrams((ip, d) -> guestDatagram(Inany.V4_HIGH, Inany.v4Low(ip.dst()), d));
        if (udp6 != null) {
            udp6.claimGuestDatagrams((ip, d) -> guestDatagram(ip.dstHigh(), ip.dstLow(), d));
        }
    }

    /** Whether forwards to IPv6 guests can be served. */
    boolean ipv6() {
        return out6 != null;
    }

    int flowCount() {
        return flows.size();
    }

    long dropped() {
        return dropped;
    }

    private IpOutput output(Forward f) {
        return f.guestV6 ? out6 : out;
    }

    /** Binds the forward's host socket (the host address's family) on the loop. */
    ChannelFuture bind(Forward f) {
        int maxPayload = output(f).maxDatagramLength() - UdpDatagram.HEADER_LENGTH;
        SocketProtocolFamily family = f.spec.hostAddr() instanceof Inet6Address ? SocketProtocolFamily.INET6
                : SocketProtocolFamily.INET;
        return new Bootstrap().group(loop)
                .channelFactory(() -> PortForwarding.beforeBind(new EpollDatagramChannel(family), f.spec))
                // one byte more than the guest link carries: a larger datagram shows as such and is dropped
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                        new FixedRecvByteBufAllocator(maxPayload + 1).maxMessagesPerRead(READS_PER_WAKEUP))
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
                        dropped++; // e.g. ECONNREFUSED from an earlier send: the socket lives on
                    }
                })
                .bind(f.spec.hostSocketAddress());
    }

    private void clientDatagram(Forward f, InetSocketAddress client, ByteBuf payload) {
        IpOutput o = output(f);
        int len = payload.readableBytes();
        if (len > o.maxDatagramLength() - UdpDatagram.HEADER_LENGTH) {
            dropped++; // above what one IP datagram holds, even fragmented
            return;
        }
        Flow flow = f.clients.get(client);
        if (flow == null) {
            flow = newFlow(f, client);
            if (flow == null) {
                dropped++;
                return;
            }
        } else {
            flows.touch(flow.key);
        }
        int udpLength = UdpDatagram.HEADER_LENGTH + len;
        ByteBuf buf = o.allocate(udpLength);
        int start = buf.writerIndex();
        UdpDatagram.emitHeader(buf, start, flow.srcPort, f.spec.guestPort(), len);
        buf.writerIndex(start + UdpDatagram.HEADER_LENGTH);
        buf.writeBytes(payload, payload.readerIndex(), len);
        long gh = f.guestInanyHigh();
        long gl = f.guestInanyLow();
        toGuest.wrap(buf, start, udpLength).fillChecksum(
                o.pseudoHeaderSum(flow.srcHigh, flow.srcLow, gh, gl, Ipv4Packet.PROTO_UDP, udpLength));
        toGuest.clear();
        o.send(buf, flow.srcHigh, flow.srcLow, gh, gl, Ipv4Packet.PROTO_UDP);
    }

    /** A flow for a new client: its own address if preserved and free, else the gateway and a free port. */
    private Flow newFlow(Forward f, InetSocketAddress client) {
        int guestPort = f.spec.guestPort();
        long srcHigh = 0;
        long srcLow = 0;
        int srcPort = client.getPort();
        boolean preserved = false;
        if (f.spec.preserveSource() && f.guestV6) {
            long[] hl = ForwardSources.preservable6(config, client.getAddress());
            if (hl != null) {
                srcHigh = hl[0];
                srcLow = hl[1];
                preserved = true;
            }
        } else if (f.spec.preserveSource()) {
            int a = ForwardSources.preservable4(config, client.getAddress());
            srcLow = Inany.v4Low(a);
            preserved = a != 0;
        }
        if (!preserved || flows.get(key(srcHigh, srcLow, srcPort, guestPort)) != null) {
            srcHigh = f.guestV6 ? config.ipv6().gatewayHigh() : Inany.V4_HIGH;
            srcLow = f.guestV6 ? config.ipv6().gatewayLow() : Inany.v4Low(config.gateway());
            srcPort = freePort(srcHigh, srcLow, guestPort);
            if (srcPort == 0) {
                return null;
            }
        }
        Flow flow = new Flow(f, client, srcHigh, srcLow, srcPort, key(srcHigh, srcLow, srcPort, guestPort));
        flows.put(flow.key, flow); // a full table evicts the least recently used flow
        f.clients.put(client, flow);
        return flow;
    }

    /** A source port no flow of {@code src} to {@code guestPort} uses, round robin; 0 if none. */
    private int freePort(long srcHigh, long srcLow, int guestPort) {
        for (int i = LAST_PORT - FIRST_PORT; i >= 0; i--) {
            int port = nextPort;
            nextPort = port == LAST_PORT ? FIRST_PORT : port + 1;
            if (flows.get(key(srcHigh, srcLow, port, guestPort)) == null) {
                return port;
            }
        }
        return 0;
    }

    /** Key of a flow as the guest's replies show it: (their destination and its port, their source port). */
    private static long key(long srcHigh, long srcLow, int srcPort, int guestPort) {
        return mix(mix(srcHigh) ^ Long.rotateLeft(mix(srcLow), 29) ^ ((long) srcPort << 16 | guestPort));
    }

    private static long mix(long v) {
        v = (v ^ (v >>> 33)) * 0xFF51_AFD7_ED55_8CCDL;
        return v ^ (v >>> 29);
    }

    /**
     * A UDP datagram from the guest (already checked) to {@code dst}: claimed,
     * and sent to its client, when it answers a forwarded flow. Runs for every guest datagram of
     * the family: no flows, no work.
     */
    private boolean guestDatagram(long dstHigh, long dstLow, UdpDatagram udp) {
        if (flows.size() == 0) {
            return false;
        }
        Flow flow = flows.get(key(dstHigh, dstLow, udp.dstPort(), udp.srcPort()));
        // The guest's source address is not compared: a server on a wildcard socket answers from
        // whichever of its addresses the kernel selects for the stand-in (RFC 6724), e.g. its
        // SLAAC address beside the configured one, or its link-local one when the stand-in is the
        // link-local gateway. Everything on the tap is the guest's; the flow is known by
        // (stand-in address, its port, guest port), which only this flow's datagrams carry.
        if (flow == null || flow.srcHigh != dstHigh || flow.srcLow != dstLow || flow.srcPort != udp.dstPort()
                || flow.forward.spec.guestPort() != udp.srcPort() || flow.forward.closed) {
            return false;
        }
        Channel ch = flow.forward.channel;
        if (!ch.isWritable()) {
            dropped++; // the client socket is backed up: lost like any datagram
            return true;
        }
        ByteBuf data = udp.buffer().retainedSlice(udp.payloadOffset(), udp.payloadLength());
        ch.writeAndFlush(new DatagramPacket(data, flow.client), ch.voidPromise());
        return true;
    }

    /** Drops the flows of a forward that closes. */
    void forget(Forward f) {
        if (!f.clients.isEmpty()) {
            for (Flow flow : new ArrayList<>(f.clients.values())) {
                flows.remove(flow.key);
            }
        }
    }

    void close() {
        flows.clear();
    }

    private void flowRemoved(Flow flow) {
        flow.forward.clients.remove(flow.client, flow);
    }

    /** One client of a forward; {@code src} is what the guest sees as the source. */
    record Flow(Forward forward, InetSocketAddress client, long srcHigh, long srcLow, int srcPort, long key) {}
}
