package dev.jnet.bench.usernet;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.tcp.TcpHostConnector;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Host sockets that connect at once (on the next {@link InlineScheduler#runPending}) and take
 * every write immediately: the stack's cost without the kernel's. The last connection's
 * listener is kept so a benchmark can play the host sending data.
 */
final class FakeHost implements TcpHostConnector {
    private final Scheduler scheduler;
    Listener listener;
    long bytesWritten;
    /** what each write is shown before it is released (copy counting) */
    java.util.function.Consumer<ByteBuf> inspect;

    FakeHost(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public HostConnection connect(InetSocketAddress remote, Listener l) {
        this.listener = l;
        scheduler.execute(l::connected);
        return new HostConnection() {
            @Override
            public void setReading(int bytes) {
            }

            @Override
            public void write(ByteBuf data) {
                bytesWritten += data.readableBytes();
                if (inspect != null) {
                    inspect.accept(data);
                }
                data.release();
            }

            @Override
            public void flush() {
            }

            @Override
            public long pendingWriteBytes() {
                return 0;
            }

            @Override
            public void shutdownOutput() {
            }

            @Override
            public void close() {
                scheduler.execute(l::closed);
            }

            @Override
            public void abort() {
                scheduler.execute(l::closed);
            }
        };
    }
}
