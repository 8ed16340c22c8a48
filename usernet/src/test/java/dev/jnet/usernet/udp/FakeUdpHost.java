package dev.jnet.usernet.udp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Host sockets in memory: records what each flow sent, lets the test play the remote. */
public final class FakeUdpHost implements UdpHostConnector {
    public final List<Socket> sockets = new ArrayList<>();

    @Override
    public HostSocket open(InetSocketAddress remote, Receiver receiver) {
        Socket s = new Socket(remote, receiver);
        sockets.add(s);
        return s;
    }

    public Socket last() {
        return sockets.get(sockets.size() - 1);
    }

    public long open() {
        return sockets.stream().filter(s -> !s.closed).count();
    }

    public static final class Socket implements HostSocket {
        public final InetSocketAddress remote;
        public final Receiver receiver;
        public final List<byte[]> sent = new ArrayList<>();
        public boolean closed;

        Socket(InetSocketAddress remote, Receiver receiver) {
            this.remote = remote;
            this.receiver = receiver;
        }

        @Override
        public void send(ByteBuf payload) {
            try {
                if (closed) {
                    throw new AssertionError("send on a closed host socket");
                }
                byte[] b = new byte[payload.readableBytes()];
                payload.getBytes(payload.readerIndex(), b);
                sent.add(b);
            } finally {
                payload.release();
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        /** The remote answers. */
        public void reply(byte[] payload) {
            receiver.datagram(Unpooled.wrappedBuffer(payload));
        }
    }
}
