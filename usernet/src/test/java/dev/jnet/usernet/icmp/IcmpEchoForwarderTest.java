package dev.jnet.usernet.icmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.linux.Errno;
import dev.jnet.linux.SyscallException;
import dev.jnet.usernet.EpollLoop;
import dev.jnet.usernet.ManualScheduler;
import dev.jnet.usernet.MemoryFrameSink;
import dev.jnet.usernet.TestGuest;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class IcmpEchoForwarderTest {
    static final int GUEST = 0x0A000264;
    static final int TEST_NET = 0xC0000207; // 192.0.2.7 as the guest sees it; the host side is 127.0.0.1
    static final int LOOPBACK = 0x7F000001;
    static final long S = TimeUnit.SECONDS.toNanos(1);

    final UsernetConfig config = UsernetConfig.defaults();
    final TestGuest guest = new TestGuest(config);
    final MemoryFrameSink sink = new MemoryFrameSink();
    final Ipv4Packet ip = new Ipv4Packet();
    final IcmpV4Packet icmp = new IcmpV4Packet();

    void forward(IcmpEchoForwarder f, ByteBuf frame, int hostAddr) {
        try {
            ip.wrap(frame, 14, frame.readableBytes() - 14);
            icmp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
            f.forward(ip, icmp, hostAddr);
        } finally {
            ip.clear();
            icmp.clear();
            frame.release();
        }
    }

    @Test
    void echoToAnOutsideHostGoesThroughAPingSocketAndTheReplyKeepsTheGuestsIdentifier() throws Exception {
        try (EpollLoop loop = new EpollLoop()) {
            IcmpEchoForwarder f = loop.call(() -> new IcmpEchoForwarder(loop.scheduler, new Ipv4Output(config, sink),
                    PingSocket.factory(loop.loop), 16, 60 * S));
            byte[] data = "jnet echo payload 0123456789".getBytes(StandardCharsets.US_ASCII);
            byte[] request = TestGuest.echoRequest(0xBEEF, 3, data);
            loop.run(() -> forward(f, guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_ICMP, request), LOOPBACK));
            assumeTrue(!loop.call(f::unsupported), "ping sockets not allowed (net.ipv4.ping_group_range)");

            TestGuest.Received r = new TestGuest.Received(sink.take());
            assertThat(r.ip.src()).isEqualTo(TEST_NET); // from the address the guest pinged
            assertThat(r.ip.dst()).isEqualTo(GUEST);
            byte[] expected = request.clone();
            expected[0] = 0; // echo reply, same identifier, sequence and data
            expected[2] = 0;
            expected[3] = 0;
            int sum = naiveChecksum(expected);
            expected[2] = (byte) (sum >>> 8);
            expected[3] = (byte) sum;
            assertThat(r.transport()).isEqualTo(expected);
            assertThat(loop.call(f::flowCount)).isEqualTo(1);

            // the same flow again: same socket, sequence passes through
            loop.run(() -> forward(f, guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_ICMP,
                    TestGuest.echoRequest(0xBEEF, 4, data)), LOOPBACK));
            TestGuest.Received second = new TestGuest.Received(sink.take());
            assertThat(second.icmp().echoIdentifier()).isEqualTo(0xBEEF);
            assertThat(second.icmp().echoSequence()).isEqualTo(4);
            assertThat(loop.call(f::flowCount)).isEqualTo(1);
            loop.run(f::close);
            assertThat(loop.call(f::flowCount)).isZero();
        }
    }

    /** In-memory sockets: records requests, can refuse like a kernel outside ping_group_range. */
    static final class FakeSockets implements EchoSockets {
        final List<Fake> opened = new ArrayList<>();
        int refuseWith;

        @Override
        public Socket open(int hostAddr, Receiver receiver) {
            if (refuseWith != 0) {
                throw new SyscallException(refuseWith, "socket", "ICMP echo");
            }
            Fake f = new Fake(hostAddr, receiver);
            opened.add(f);
            return f;
        }

        static final class Fake implements Socket {
            final int hostAddr;
            final Receiver receiver;
            final List<byte[]> sent = new ArrayList<>();
            boolean closed;

            Fake(int hostAddr, Receiver receiver) {
                this.hostAddr = hostAddr;
                this.receiver = receiver;
            }

            @Override
            public void send(ByteBuf buf, int index, int length) {
                byte[] b = new byte[length];
                buf.getBytes(index, b);
                sent.add(b);
            }

            @Override
            public void close() {
                closed = true;
            }

            /** The kernel's view of a reply: its own identifier (0x0101), the request's sequence and data. */
            void answer(byte[] request) {
                ByteBuf m = receiver.allocate();
                int at = m.writerIndex();
                m.writeBytes(request);
                m.setByte(at, 0);
                m.setShort(at + 4, 0x0101);
                receiver.reply(m);
            }
        }
    }

    @Test
    void flowsAreIdentifierAndDestinationBoundedAndExpire() {
        ManualScheduler scheduler = new ManualScheduler();
        FakeSockets sockets = new FakeSockets();
        IcmpEchoForwarder f = new IcmpEchoForwarder(scheduler, new Ipv4Output(config, sink), sockets, 2, 60 * S);
        byte[] r1 = TestGuest.echoRequest(1, 1, new byte[8]);
        forward(f, guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_ICMP, r1), LOOPBACK);
        forward(f, guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_ICMP, TestGuest.echoRequest(1, 2, new byte[8])), LOOPBACK);
        assertThat(sockets.opened).hasSize(1);
        assertThat(sockets.opened.get(0).sent).hasSize(2);
        assertThat(sockets.opened.get(0).sent.get(0)).isEqualTo(r1);

        sockets.opened.get(0).answer(r1);
        TestGuest.Received reply = new TestGuest.Received(sink.poll());
        assertThat(reply.icmp().echoIdentifier()).isEqualTo(1); // mapped back from the kernel's 0x0101
        assertThat(reply.ip.src()).isEqualTo(TEST_NET);

        scheduler.advance(S);
        forward(f, guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_ICMP, TestGuest.echoRequest(2, 1, new byte[8])), LOOPBACK);
        forward(f, guest.ipv4(GUEST, TEST_NET + 1, Ipv4Packet.PROTO_ICMP, TestGuest.echoRequest(2, 1, new byte[8])), LOOPBACK);
        assertThat(sockets.opened).hasSize(3);
        assertThat(sockets.opened.get(0).closed).isTrue(); // table of 2: the oldest made room
        assertThat(f.evictedFlows()).isEqualTo(1);

        scheduler.advance(60 * S);
        assertThat(f.flowCount()).isZero();
        assertThat(sockets.opened).allMatch(s -> s.closed);
    }

    @Test
    void pingSocketsRefusedByPingGroupRangeMeanSilentlyUnsupported() {
        FakeSockets sockets = new FakeSockets();
        sockets.refuseWith = Errno.EACCES;
        IcmpEchoForwarder f = new IcmpEchoForwarder(new ManualScheduler(), new Ipv4Output(config, sink), sockets, 2, S);
        forward(f, guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_ICMP, TestGuest.echoRequest(1, 1, new byte[8])), LOOPBACK);
        assertThat(f.unsupported()).isTrue();
        sockets.refuseWith = 0; // never asked again
        forward(f, guest.ipv4(GUEST, TEST_NET, Ipv4Packet.PROTO_ICMP, TestGuest.echoRequest(1, 2, new byte[8])), LOOPBACK);
        assertThat(sockets.opened).isEmpty();
        assertThat(sink.poll()).isNull();
        assertThat(f.dropped()).isEqualTo(2);
    }

    static int naiveChecksum(byte[] data) {
        int sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            sum += ((data[i] & 0xff) << 8) | (i + 1 < data.length ? data[i + 1] & 0xff : 0);
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }
}
