package dev.jnet.usernet.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * A receive handle that does what another does ({@link #delegate}), for a subclass to change
 * what it allocates and when a read goes on: the host sockets' read buffers with headroom
 * (UDP), or sized by a connection's room (TCP). Netty's epoll channels need an
 * {@link RecvByteBufAllocator.ExtendedHandle}, which its own {@code DelegatingHandle} is not.
 */
public abstract class DelegatingRecvHandle implements RecvByteBufAllocator.ExtendedHandle {
    protected final RecvByteBufAllocator.ExtendedHandle delegate;

    protected DelegatingRecvHandle(RecvByteBufAllocator.Handle delegate) {
        this.delegate = (RecvByteBufAllocator.ExtendedHandle) delegate;
    }

    @Override
    public ByteBuf allocate(ByteBufAllocator alloc) {
        return alloc.ioBuffer(guess());
    }

    @Override
    public int guess() {
        return delegate.guess();
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
