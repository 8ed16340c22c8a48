package dev.jnet.usernet.tcp;

import dev.jnet.usernet.ManualScheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * In-memory host side: each connect becomes a {@link FakeHost} the test resolves by hand
 * (connected, refused, ...). A host either drains writes at once ({@code autoDrain}) or keeps
 * them pending until {@link FakeHost#drain} (a slow host). Host-to-guest data is fed from a
 * byte array in chunks, only as much as the stack allows (its room).
 */
final class FakeHostConnector implements TcpHostConnector {
    final ManualScheduler scheduler;
    final List<FakeHost> hosts = new ArrayList<>();
    /** every buffer the fake host handed to the stack */
    final List<ByteBuf> handedOut = new ArrayList<>();
    boolean autoDrain = true;
    int readChunk = 16 * 1024;

    FakeHostConnector(ManualScheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public HostConnection connect(InetSocketAddress remote, Listener listener) {
        FakeHost h = new FakeHost(remote, listener);
        hosts.add(h);
        return h;
    }

    FakeHost last() {
        return hosts.get(hosts.size() - 1);
    }

    long leakedBuffers() {
        return handedOut.stream().filter(b -> b.refCnt() > 0).count();
    }

    long openCount() {
        return hosts.stream().filter(h -> !h.closed).count();
    }

    final class FakeHost implements HostConnection {
        final InetSocketAddress remote;
        final Listener listener;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
        long pendingBytes;
        boolean connected;
        /** the stack's allowance (setReading), lowered by what is handed over; 0: not reading */
        int room;
        boolean outputShutdown;
        boolean shutdownRequested;
        boolean closeRequested;
        boolean aborted;
        boolean closed;
        boolean slow;
        byte[] source = new byte[0];
        int sourceOffset;
        boolean eofAfterSource;
        boolean eofSent;
        private boolean readScheduled;

        FakeHost(InetSocketAddress remote, Listener listener) {
            this.remote = remote;
            this.listener = listener;
        }

        void accept() {
            connected = true;
            listener.connected();
        }

        void fail(Failure f) {
            listener.connectFailed(f);
            finishClose();
        }

        /** The host application sends {@code data}, then EOF if {@code eof}. */
        void send(byte[] data, boolean eof) {
            byte[] joined = new byte[source.length - sourceOffset + data.length];
            System.arraycopy(source, sourceOffset, joined, 0, source.length - sourceOffset);
            System.arraycopy(data, 0, joined, source.length - sourceOffset, data.length);
            source = joined;
            sourceOffset = 0;
            eofAfterSource |= eof;
            scheduleRead();
        }

        void resetByPeer() {
            listener.reset();
            finishClose();
        }

        private void scheduleRead() {
            if (room > 0 && !readScheduled && !closed) {
                readScheduled = true;
                scheduler.execute(this::readLoop);
            }
        }

        private void readLoop() {
            readScheduled = false;
            for (int i = 0; i < 4 && room > 0 && !closed && sourceOffset < source.length; i++) {
                int n = Math.min(Math.min(readChunk, room), source.length - sourceOffset);
                room -= n;
                ByteBuf b = Unpooled.directBuffer(n);
                b.writeBytes(source, sourceOffset, n);
                sourceOffset += n;
                handedOut.add(b);
                listener.received(b);
            }
            if (room > 0 && !closed && sourceOffset == source.length && eofAfterSource && !eofSent) {
                eofSent = true;
                listener.inputShutdown();
            }
            if (sourceOffset < source.length) {
                scheduleRead();
            }
        }

        @Override
        public void setReading(int bytes) {
            room = bytes;
            scheduleRead();
        }

        @Override
        public void write(ByteBuf data) {
            if (closed || aborted || shutdownRequested || closeRequested) {
                data.release();
                throw new AssertionError("write after close/shutdown");
            }
            pendingBytes += data.readableBytes();
            pending.add(data);
        }

        @Override
        public void flush() {
            if (!slow && autoDrain) {
                scheduler.execute(() -> drain(Long.MAX_VALUE));
            }
        }

        /** The host application consumes up to {@code max} bytes. */
        void drain(long max) {
            long done = 0;
            while (!pending.isEmpty() && done < max) {
                ByteBuf b = pending.peek();
                int n = (int) Math.min(b.readableBytes(), max - done);
                byte[] chunk = new byte[n];
                b.readBytes(chunk);
                written.write(chunk, 0, n);
                done += n;
                pendingBytes -= n;
                if (!b.isReadable()) {
                    pending.poll().release();
                }
            }
            if (done > 0 && !closed) {
                listener.writeCompleted();
            }
            afterDrain();
        }

        private void afterDrain() {
            if (pending.isEmpty()) {
                if (shutdownRequested || closeRequested) {
                    outputShutdown = true; // a graceful close sends the FIN too
                }
                if (closeRequested && !closed) {
                    finishClose();
                }
            }
        }

        @Override
        public long pendingWriteBytes() {
            return pendingBytes;
        }

        @Override
        public void shutdownOutput() {
            shutdownRequested = true;
            afterDrain();
        }

        @Override
        public void close() {
            closeRequested = true;
            room = 0;
            afterDrain();
        }

        @Override
        public void abort() {
            aborted = true;
            room = 0;
            finishClose();
        }

        private void finishClose() {
            if (closed) {
                return;
            }
            closed = true;
            while (!pending.isEmpty()) {
                pending.poll().release();
            }
            pendingBytes = 0;
            listener.closed();
        }

        byte[] writtenBytes() {
            return written.toByteArray();
        }
    }
}
