package dev.jnet.usernet.udp;

import dev.jnet.usernet.netty.DelegatingRecvHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/**
 * Receive buffers of a fixed size with room reserved in front: a host socket reads each
 * datagram at {@code headroom}, so the stack writes the guest's Ethernet, IPv4 and UDP headers
 * in front of it and sends that same buffer to the guest, with no copy. Reading behaviour
 * (messages per read, continue-reading) is {@link FixedRecvByteBufAllocator}'s.
 */
final class HeadroomRecvByteBufAllocator implements RecvByteBufAllocator {
    private final FixedRecvByteBufAllocator fixed;
    private final int headroom;
    private final int size;

    /** @param size bytes readable per datagram after the headroom */
    HeadroomRecvByteBufAllocator(int headroom, int size) {
        this.fixed = new FixedRecvByteBufAllocator(size);
        this.headroom = headroom;
        this.size = size;
    }

    @Override
    public Handle newHandle() {
        return new WithHeadroom(fixed.newHandle());
    }

    private final class WithHeadroom extends DelegatingRecvHandle {
        WithHeadroom(Handle delegate) {
            super(delegate);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf buf = alloc.directBuffer(headroom + size);
            buf.setIndex(headroom, headroom);
            return buf;
        }

        @Override
        public int guess() {
            return size;
        }
    }
}
