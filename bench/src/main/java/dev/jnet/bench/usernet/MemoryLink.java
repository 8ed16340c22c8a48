package dev.jnet.bench.usernet;

import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.TcpSegment;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The guest's side of the link in memory: every frame the stack sends is parsed for its TCP
 * sequence numbers (what the guest would acknowledge next) and released, as a tap write would.
 */
final class MemoryLink implements FrameSink {
    private final ByteBufAllocator alloc;
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpSegment tcp = new TcpSegment();
    long frames;
    long payloadBytes;
    /** sequence number after the last TCP segment sent (seq + payload, + 1 for SYN/FIN) */
    int nextSeq;
    int lastFlags;
    /** what {@link #inspect} does to a frame before it is released (copy counting) */
    java.util.function.Consumer<ByteBuf> inspect;

    MemoryLink(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    public void sendFrame(ByteBuf frame) {
        try {
            frames++;
            ip.wrap(frame, frame.readerIndex() + EthernetFrame.HEADER_LENGTH,
                    frame.readableBytes() - EthernetFrame.HEADER_LENGTH);
            if (ip.protocol() == Ipv4Packet.PROTO_TCP) {
                TcpSegment s = tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
                int flags = s.flags();
                int len = s.payloadLength();
                payloadBytes += len;
                lastFlags = flags;
                nextSeq = s.seq() + len + ((flags & (TcpSegment.SYN | TcpSegment.FIN)) != 0 ? 1 : 0);
                s.clear();
            }
            if (inspect != null) {
                inspect.accept(frame);
            }
        } finally {
            frame.release();
        }
    }
}
