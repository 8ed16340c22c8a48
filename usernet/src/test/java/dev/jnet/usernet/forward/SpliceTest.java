package dev.jnet.usernet.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.EpollLoop;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Splice} between two real loopback connections: a "client" end that sends a request and
 * half-closes, and a "server" end that answers only after that EOF (as HTTP/1.0 clients,
 * {@code nc -N} and the port-forward tests' client do). The request and the answer must both
 * arrive, also when the request and its EOF came before the splice was joined.
 */
class SpliceTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private final EpollLoop loop = new EpollLoop();

    @AfterEach
    void stop() throws Exception {
        loop.close();
    }

    @Test
    void aHalfCloseCarriesOverAndTheAnswerAfterItComesBack() throws Exception {
        exchange(false);
    }

    @Test
    void anEofReadBeforeTheJoinIsPassedOnAtTheJoin() throws Exception {
        exchange(true);
    }

    private void exchange(boolean eofFirst) throws Exception {
        try (ServerSocket clientSide = new ServerSocket(0, 1, LO); ServerSocket serverSide = new ServerSocket(0, 1, LO)) {
            Channel a = connect(clientSide.getLocalPort());
            Channel b = connect(serverSide.getLocalPort());
            try (Socket client = clientSide.accept(); Socket server = serverSide.accept()) {
                client.setSoTimeout(5000);
                server.setSoTimeout(5000);
                client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                if (eofFirst) {
                    awaitEof(a); // Netty reads on EPOLLRDHUP, auto-read off or not
                }
                loop.run(() -> Splice.join(a, b));
                InputStream in = server.getInputStream();
                String got = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(got).as("what reached the server up to its EOF").isEqualTo("request");
                server.getOutputStream().write("answer".getBytes(StandardCharsets.US_ASCII));
                server.shutdownOutput();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("answer");
                assertThat(a.closeFuture().await(5, TimeUnit.SECONDS)).as("both directions ended: closed").isTrue();
                assertThat(b.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    /** pasta's splice gave up: what was held goes to the handlers of the other way, then the EOF. */
    @Test
    void unholdReplaysWhatWasReadAndTheEof() throws Exception {
        try (ServerSocket clientSide = new ServerSocket(0, 1, LO)) {
            Channel a = connect(clientSide.getLocalPort());
            try (Socket client = clientSide.accept()) {
                client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                awaitEof(a);
                StringBuilder seen = new StringBuilder();
                loop.run(() -> {
                    Runnable replay = Splice.unhold(a);
                    a.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            seen.append(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
                            ((ByteBuf) msg).release();
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            seen.append(evt instanceof ChannelInputShutdownEvent ? "|EOF" : "|" + evt);
                        }
                    });
                    replay.run();
                });
                assertThat(seen.toString()).isEqualTo("request|EOF");
                a.close().sync();
            }
        }
    }

    /** Holds {@code a}'s reads and waits until it has read its peer's EOF. */
    private void awaitEof(Channel a) throws Exception {
        for (int i = 0; i < 250 && !loop.call(() -> ((DuplexChannel) a).isInputShutdown()); i++) {
            Thread.sleep(20);
        }
        assertThat(loop.call(() -> ((DuplexChannel) a).isInputShutdown())).as("the EOF was read").isTrue();
    }

    /** A connection to {@code port}, not auto-reading, its reads held as the splices' are. */
    private Channel connect(int port) throws Exception {
        Channel ch = new Bootstrap().group(loop.loop).channel(EpollSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false).handler(new ChannelInboundHandlerAdapter())
                .connect(LO, port).sync().channel();
        loop.run(() -> Splice.hold(ch));
        return ch;
    }
}
