package dev.jnet.bench.usernet;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.tcp.TcpStack;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpOptions;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;

/**
 * One established guest connection through a real {@link TcpStack}: in-memory link
 * ({@link MemoryLink}), host that takes everything ({@link FakeHost}), the benchmark thread as
 * the event loop ({@link InlineScheduler}). The guest side is played here: it builds frames as a
 * Linux guest sends them (full MSS, checksummed) and acknowledges what the stack sent.
 * Addresses: guest 10.0.2.100, "host" 203.0.113.10 (TEST-NET, never contacted: the host is fake).
 */
final class TcpPath implements AutoCloseable {
    static final int GUEST = 0x0A000264;
    static final int REMOTE = 0xCB00710A;
    static final int GUEST_PORT = 40000;
    static final int REMOTE_PORT = 5201;
    private static final int GUEST_WINDOW_SCALE = 7;

    final UsernetConfig config;
    final InlineScheduler scheduler = new InlineScheduler();
    final MemoryLink link;
    final FakeHost host = new FakeHost(scheduler);
    final TcpStack stack;
    final int mss;
    private final ByteBufAllocator alloc;
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpSegment seg = new TcpSegment();
    /** the guest's next sequence number */
    int guestSeq = 1_000_000;

    TcpPath(int mtu, ByteBufAllocator alloc) {
        UsernetConfig d = UsernetConfig.defaults();
        this.config = d.withMtu(mtu).withDns(false);
        this.alloc = alloc;
        this.link = new MemoryLink(alloc);
        Ipv4Output out = new Ipv4Output(config, link);
        out.learnGuestMac(0x0200_0000_0064L);
        this.stack = new TcpStack(config, scheduler, out, new AddressMap(config), host,
                () -> new InetSocketAddress("127.0.0.1", 53));
        this.mss = config.mss();
        handshake();
    }

    private void handshake() {
        TcpOptions syn = new TcpOptions().mss(mss).windowScale(GUEST_WINDOW_SCALE).sackPermitted(true);
        receive(frame(guestSeq, 0, TcpSegment.SYN, 0, syn));
        scheduler.runPending(); // host connected: SYN-ACK
        if ((link.lastFlags & (TcpSegment.SYN | TcpSegment.ACK)) != (TcpSegment.SYN | TcpSegment.ACK)) {
            throw new IllegalStateException("no SYN-ACK from the stack");
        }
        guestSeq++;
        receive(frame(guestSeq, link.nextSeq, TcpSegment.ACK, 0, null));
        scheduler.runPending();
    }

    /**
     * A guest frame: Ethernet + IPv4 + TCP with {@code payload} bytes (pattern-filled),
     * checksummed, in a pooled direct buffer as the tap link reads it.
     */
    ByteBuf frame(int seq, int ack, int flags, int payload, TcpOptions opts) {
        int optLen = opts == null ? 0 : TcpSegment.optionsLength(opts);
        int tcpLen = TcpSegment.MIN_HEADER_LENGTH + optLen + payload;
        int ipStart = EthernetFrame.HEADER_LENGTH;
        int tcpStart = ipStart + Ipv4Packet.MIN_HEADER_LENGTH;
        ByteBuf b = alloc.directBuffer(tcpStart + tcpLen);
        EthernetFrame.emitHeader(b, 0, config.gatewayMac(), 0x0200_0000_0064L, EthernetFrame.ETHERTYPE_IPV4);
        Ipv4Packet.emitHeader(b, ipStart, GUEST, REMOTE, Ipv4Packet.PROTO_TCP, 64, 0, tcpLen);
        int hl = TcpSegment.emitHeader(b, tcpStart, GUEST_PORT, REMOTE_PORT, seq, ack, flags, 65535, 0, opts);
        for (int i = 0; i < payload; i++) {
            b.setByte(tcpStart + hl + i, i * 31);
        }
        b.writerIndex(tcpStart + tcpLen);
        seg.wrap(b, tcpStart, tcpLen).fillChecksumIpv4(GUEST, REMOTE);
        seg.clear();
        return b;
    }

    /**
     * Moves a frame built by {@link #frame} to a new sequence number, updating the checksum
     * incrementally (RFC 1624), as cheap as the guest's kernel makes it for us.
     */
    static void resequence(ByteBuf frame, int seq) {
        int tcpStart = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
        int old = frame.getInt(tcpStart + 4);
        int checksum = frame.getUnsignedShort(tcpStart + 16);
        long sum = (~checksum & 0xffff) + InternetChecksum.sum32(~old) + InternetChecksum.sum32(seq);
        frame.setInt(tcpStart + 4, seq);
        frame.setShort(tcpStart + 16, InternetChecksum.finish(sum));
    }

    /** Hands a guest frame's IPv4 packet to the TCP layer, as Ipv4Input does; the frame stays the caller's. */
    void receive(ByteBuf frame) {
        ip.wrap(frame, EthernetFrame.HEADER_LENGTH, frame.writerIndex() - EthernetFrame.HEADER_LENGTH);
        stack.receive(ip);
    }

    /** Receives and releases. */
    void receiveOnce(ByteBuf frame) {
        try {
            receive(frame);
        } finally {
            frame.release();
        }
    }

    /** The guest acknowledges everything the stack sent so far. */
    void ackAll() {
        receiveOnce(frame(guestSeq, link.nextSeq, TcpSegment.ACK, 0, null));
    }

    @Override
    public void close() {
        stack.close();
        scheduler.runPending();
    }
}
