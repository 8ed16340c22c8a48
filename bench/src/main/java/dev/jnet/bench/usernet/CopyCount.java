package dev.jnet.bench.usernet;

import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * Bytes copied in user space per payload byte, guest to host and host to guest, measured by
 * instrumenting the ends of a real {@link dev.jnet.usernet.tcp.TcpStack} (see {@link TcpPath}):
 * <ul>
 *   <li>guest to host: each write the host connection receives is checked for whether its bytes
 *       lie inside the guest frame's memory (a slice: no copy) or elsewhere (copied);</li>
 *   <li>host to guest: each frame sent to the guest is checked for whether its payload lies
 *       inside the host read buffer's memory (no copy) or in the frame's own memory (one copy),
 *       and compared byte for byte with the host data.</li>
 * </ul>
 * The kernel's copies (tap read, socket write; socket read, tap write) are not counted: they are
 * the same for every user-mode stack. Prints one line per direction and MTU; exits non-zero if a
 * payload arrived wrong.
 *
 * <p>Usage: {@code java -cp ... dev.jnet.bench.usernet.CopyCount [segments]}
 */
public final class CopyCount {
    private CopyCount() {
    }

    public static void main(String[] args) {
        int segments = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        boolean ok = true;
        for (int mtu : new int[] {1500, 65520}) {
            ok &= guestToHost(mtu, segments);
            ok &= hostToGuest(mtu, segments);
        }
        if (!ok) {
            System.exit(1);
        }
    }

    private static boolean inside(ByteBuf part, ByteBuf whole) {
        long a = part.memoryAddress() + part.readerIndex();
        long start = whole.memoryAddress();
        return a >= start && a + part.readableBytes() <= start + whole.capacity();
    }

    private static boolean guestToHost(int mtu, int segments) {
        try (TcpPath path = new TcpPath(mtu, PooledByteBufAllocator.DEFAULT)) {
            long[] copied = {0};
            long[] payload = {0};
            ByteBuf[] current = {null};
            path.host.inspect = data -> {
                payload[0] += data.readableBytes();
                if (!data.hasMemoryAddress() || !inside(data, current[0])) {
                    copied[0] += data.readableBytes();
                }
            };
            for (int i = 0; i < segments; i++) {
                ByteBuf frame = path.frame(path.guestSeq, path.link.nextSeq, TcpSegment.ACK, path.mss, null);
                current[0] = frame;
                path.receiveOnce(frame);
                path.guestSeq += path.mss;
                path.scheduler.runPending();
            }
            boolean ok = payload[0] == (long) segments * path.mss;
            System.out.printf("copies_per_payload_byte direction=guest_to_host mtu=%d value=%.3f payload_bytes=%d%s%n",
                    mtu, (double) copied[0] / Math.max(1, payload[0]), payload[0], ok ? "" : " WRONG_LENGTH");
            return ok;
        }
    }

    private static boolean hostToGuest(int mtu, int segments) {
        try (TcpPath path = new TcpPath(mtu, PooledByteBufAllocator.DEFAULT)) {
            long[] copied = {0};
            long[] payload = {0};
            boolean[] intact = {true};
            ByteBuf[] current = {null};
            Ipv4Packet ip = new Ipv4Packet();
            TcpSegment seg = new TcpSegment();
            path.link.inspect = frame -> {
                ip.wrap(frame, frame.readerIndex() + EthernetFrame.HEADER_LENGTH,
                        frame.readableBytes() - EthernetFrame.HEADER_LENGTH);
                TcpSegment s = seg.wrap(frame, ip.payloadOffset(), ip.payloadLength());
                int len = s.payloadLength();
                if (len > 0) {
                    ByteBuf p = frame.slice(s.payloadOffset(), len);
                    payload[0] += len;
                    if (!inside(p, current[0])) {
                        copied[0] += len;
                    }
                    for (int i = 0; i < len; i += 97) {
                        intact[0] &= p.getByte(i) == (byte) (i * 7);
                    }
                }
                s.clear();
            };
            for (int i = 0; i < segments; i++) {
                ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(path.mss);
                for (int j = 0; j < path.mss; j++) {
                    data.writeByte(j * 7);
                }
                current[0] = data.retain(); // kept alive to compare addresses after the stack let go
                path.host.listener.received(data);
                path.scheduler.runPending();
                path.ackAll();
                path.scheduler.runPending();
                current[0].release();
            }
            boolean ok = intact[0] && payload[0] == (long) segments * path.mss;
            System.out.printf("copies_per_payload_byte direction=host_to_guest mtu=%d value=%.3f payload_bytes=%d%s%n",
                    mtu, (double) copied[0] / Math.max(1, payload[0]), payload[0], ok ? "" : " WRONG_DATA");
            return ok;
        }
    }
}
