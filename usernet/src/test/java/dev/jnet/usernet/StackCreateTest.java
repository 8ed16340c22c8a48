package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.usernet.wire.IcmpV4Packet;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production factory's own choices (no DNS traffic is sent: that is StackLoopbackTest's). */
class StackCreateTest {
    @TempDir
    Path dir;

    @Test
    void readsResolvConfOnlyWhenDnsIsEnabled() throws Exception {
        try (EpollLoop loop = new EpollLoop()) {
            MemoryFrameSink sink = new MemoryFrameSink();
            UsernetConfig unreadable = UsernetConfig.defaults().withResolvConf(dir); // a directory
            assertThatThrownBy(() -> loop.call(() -> Stack.create(unreadable, loop.scheduler, sink)))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(UncheckedIOException.class);

            Stack noDns = loop.call(() -> Stack.create(unreadable.withDns(false), loop.scheduler, sink));
            noDns.close();

            Path conf = dir.resolve("resolv.conf");
            Files.writeString(conf, "nameserver 192.0.2.53\n");
            UsernetConfig config = UsernetConfig.defaults().withResolvConf(conf);
            Stack stack = loop.call(() -> Stack.create(config, loop.scheduler, sink));
            TestGuest guest = new TestGuest(config);
            loop.run(() -> stack.receiveFrame(guest.ping(config.gateway(), 1, 1, new byte[16])));
            assertThat(new TestGuest.Received(sink.take()).icmp().type()).isEqualTo(IcmpV4Packet.TYPE_ECHO_REPLY);
            stack.close();
            stack.close(); // idempotent
        }
    }

    @Test
    void refusesANonEpollLoop() {
        io.netty.channel.DefaultEventLoop plain = new io.netty.channel.DefaultEventLoop();
        try {
            assertThatThrownBy(() -> Stack.create(UsernetConfig.defaults().withDns(false),
                    new EventLoopScheduler(plain), new MemoryFrameSink()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoll");
        } finally {
            plain.shutdownGracefully();
        }
    }
}
