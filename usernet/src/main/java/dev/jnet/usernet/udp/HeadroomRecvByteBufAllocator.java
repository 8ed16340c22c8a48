package dev.jnet.usernet.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

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
        return new WithHeadroom((ExtendedHandle) fixed.newHandle());
    }

    private final class WithHeadroom implements ExtendedHandle {
        private final ExtendedHandle delegate;

        WithHeadroom(ExtendedHandle delegate) {
            this.delegate = delegate;
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

        @Override
        public void reset(ChannelConfig config) {
            delegate.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            delegate.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            delegate.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return delegate.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            delegate.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return delegate.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return delegate.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return delegate.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            delegate.readComplete();
        }
    }
}
