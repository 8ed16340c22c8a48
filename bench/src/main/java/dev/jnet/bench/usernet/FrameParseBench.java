package dev.jnet.bench.usernet;

import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The views a guest TCP frame goes through on its way in (Ethernet, IPv4, TCP): wrap, check,
 * read the fields the dispatcher and the connection use. {@code parse} is the header work alone;
 * {@code parseAndVerify} adds the IPv4 header and TCP checksums, as Ipv4Input and TcpStack do.
 * The views are reused (no allocation per frame), as in the stack.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FrameParseBench {
    @Param({"1500", "65520"})
    public int mtu;

    private TcpPath path;
    private ByteBuf frame;
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpSegment tcp = new TcpSegment();

    @Setup
    public void setUp() {
        path = new TcpPath(mtu, PooledByteBufAllocator.DEFAULT);
        frame = path.frame(path.guestSeq, path.link.nextSeq, TcpSegment.ACK, path.mss, null);
    }

    @TearDown
    public void tearDown() {
        frame.release();
        path.close();
    }

    @Benchmark
    public void parse(Blackhole bh) {
        headers(bh);
    }

    @Benchmark
    public void parseAndVerify(Blackhole bh) {
        if (headers(bh)) {
            bh.consume(ip.verifyChecksum());
            bh.consume(tcp.verifyChecksumIpv4(ip.src(), ip.dst()));
        }
    }

    private boolean headers(Blackhole bh) {
        eth.wrap(frame);
        if (!eth.check() || eth.etherType() != EthernetFrame.ETHERTYPE_IPV4) {
            return false;
        }
        bh.consume(eth.src());
        ip.wrap(frame, eth.payloadOffset(), eth.payloadLength());
        if (!ip.check() || ip.protocol() != Ipv4Packet.PROTO_TCP) {
            return false;
        }
        tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
        if (!tcp.check()) {
            return false;
        }
        bh.consume(ip.src() ^ ip.dst());
        bh.consume(tcp.srcPort() ^ tcp.dstPort() ^ tcp.seq() ^ tcp.ackNumber() ^ tcp.flags() ^ tcp.window());
        bh.consume(tcp.payloadLength());
        return true;
    }
}
