package dev.jnet.usernet;

import com.sun.jna.Memory;
import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.link.TapLink;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * A class-archive training run (the CLI launcher's {@code Main.Training} calls it): a usernet stack on
 * an epoll loop serves one guest TCP connection to a server on 127.0.0.1, the "tap" being a
 * socket pair whose other end plays the guest. The classes {@code jnet usernet} loads before it
 * is ready and on its first connection (Netty's epoll transport and pooled buffers, the stack,
 * TCP) then come from the archive instead of being loaded and verified on every start.
 * Loopback only, every wait bounded; best effort: a failure only leaves the archive smaller.
 */
public final class Training {
    private static final long GUEST_MAC = 0x0200_0000_0064L;
    private static final int GUEST_PORT = 40000;
    /** Where the guest's received frames keep the IPv4 header and the TCP header (no IP options from the stack). */
    private static final int IP_AT = EthernetFrame.HEADER_LENGTH;
    private static final int TCP_AT = IP_AT + Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int IP_PROTOCOL_AT = IP_AT + 9;
    private static final int TCP_SEQ_AT = TCP_AT + 4;
    private static final int TCP_FLAGS_AT = TCP_AT + 13;

    private Training() {}

    /** Serves the one connection; never throws (a failure only leaves the archive smaller). */
    public static void run() {
        MultiThreadIoEventLoopGroup group = null;
        int guestEnd = -1;
        try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Usernet.prepareProcess(); // what every start runs first: logging, time zone, MXBeans (jnet usernetd: before it listens)
            group = new MultiThreadIoEventLoopGroup(1, KeepRegisteredEpollIoHandler.newFactory());
            IoEventLoop loop = (IoEventLoop) group.next();
            int[] sv = Syscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_SEQPACKET | Syscalls.SOCK_CLOEXEC, 0, "training link");
            guestEnd = sv[0];
            Syscalls.setNonBlocking(sv[1], "training link");
            UsernetConfig config = UsernetConfig.defaults().withDns(false);
            TapLink link = TapLink.register(loop, Fd.adopt(sv[1], "training link"), config.mtu(),
                    PooledByteBufAllocator.DEFAULT, TapLink.DEFAULT_TX_QUEUE, cause -> { });
            Stack stack = loop.submit(() -> {
                Stack s = Stack.create(config, new EventLoopScheduler(loop), link);
                link.start(s);
                return s;
            }).get(10, TimeUnit.SECONDS);
            connect(guestEnd, config, server.getLocalPort());
            loop.submit(() -> {
                stack.close();
                link.close();
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception | LinkageError e) {
            // training only: the archive is still made, with fewer classes
        } finally {
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
            if (guestEnd >= 0) {
                Syscalls.close(guestEnd);
            }
        }
    }

    /** SYN, the stack's SYN-ACK, ACK with one byte of data, the stack's ACK, RST. */
    private static void connect(int guest, UsernetConfig config, int port) {
        int seq = 1_000;
        TcpOptions syn = new TcpOptions().mss(config.mss()).windowScale(7).sackPermitted(true);
        send(guest, config, port, seq, 0, TcpSegment.SYN, syn, 0);
        Memory in = new Memory(config.mtu() + EthernetFrame.HEADER_LENGTH);
        int synAck = receiveTcp(guest, in, TcpSegment.SYN | TcpSegment.ACK);
        if (synAck < 0) {
            return;
        }
        int ack = in.getInt(TCP_SEQ_AT);
        ack = Integer.reverseBytes(ack) + 1; // network order on the wire
        send(guest, config, port, seq + 1, ack, TcpSegment.ACK | TcpSegment.PSH, null, 1);
        receiveTcp(guest, in, TcpSegment.ACK);
        send(guest, config, port, seq + 2, ack, TcpSegment.RST, null, 0);
    }

    private static void send(int guest, UsernetConfig config, int port, int seq, int ack, int flags, TcpOptions opts,
            int payload) {
        int tcpLength = TcpSegment.MIN_HEADER_LENGTH + (opts == null ? 0 : TcpSegment.optionsLength(opts)) + payload;
        int tcpStart = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
        ByteBuf b = Unpooled.buffer(tcpStart + tcpLength);
        try {
            EthernetFrame.emitHeader(b, 0, config.gatewayMac(), GUEST_MAC, EthernetFrame.ETHERTYPE_IPV4);
            Ipv4Packet.emitHeader(b, EthernetFrame.HEADER_LENGTH, config.guestAddress(), config.gateway(),
                    Ipv4Packet.PROTO_TCP, 64, 0, tcpLength);
            int hl = TcpSegment.emitHeader(b, tcpStart, GUEST_PORT, port, seq, ack, flags, 65535, 0, opts);
            for (int i = 0; i < payload; i++) {
                b.setByte(tcpStart + hl + i, 'x');
            }
            b.writerIndex(tcpStart + tcpLength);
            new TcpSegment().wrap(b, tcpStart, tcpLength).fillChecksumIpv4(config.guestAddress(), config.gateway());
            Memory m = new Memory(b.readableBytes());
            m.write(0, b.array(), b.arrayOffset(), b.readableBytes());
            Syscalls.send(guest, m, b.readableBytes(), "training link");
        } finally {
            b.release();
        }
    }

    /** Waits (at most 2 s) for a TCP frame with all of {@code flags}; its length, or -1. */
    private static int receiveTcp(int guest, Memory in, int flags) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end) {
            if (!Syscalls.pollIn(guest, 200, "training link")) {
                continue;
            }
            int n = (int) Syscalls.recv(guest, in, in.size(), Syscalls.MSG_DONTWAIT, "training link");
            if (n >= TCP_AT + TcpSegment.MIN_HEADER_LENGTH && in.getByte(IP_PROTOCOL_AT) == Ipv4Packet.PROTO_TCP
                    && (in.getByte(TCP_FLAGS_AT) & flags) == flags) {
                return n;
            }
        }
        return -1;
    }
}
