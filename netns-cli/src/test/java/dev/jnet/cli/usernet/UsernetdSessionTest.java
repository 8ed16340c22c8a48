package dev.jnet.cli.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import dev.jnet.linux.UnixSockets;
import dev.jnet.usernet.Usernet;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * jnet usernetd's conversation with one front end, without root: the test is the front end, a
 * SOCK_SEQPACKET socket pair stands in for the tap (as in TapLinkTest).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UsernetdSessionTest {
    private MultiThreadIoEventLoopGroup loops;
    private Fd frontEnd;
    private CompletableFuture<Void> session;
    /** As the daemon runs sessions: each takes a command tree built ahead of time. */
    private PrebuiltCommandLines prebuilt;

    @BeforeEach
    void start() {
        Usernet.prepareProcess();
        loops = Usernet.newSharedLoops(1);
        int[] sv = Syscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_SEQPACKET | Syscalls.SOCK_CLOEXEC, 0, "conn");
        frontEnd = Fd.adopt(sv[0], "front end");
        Fd daemonEnd = Fd.adopt(sv[1], "daemon end");
        IoEventLoop loop = (IoEventLoop) loops.next();
        prebuilt = new PrebuiltCommandLines();
        session = CompletableFuture.runAsync(() -> {
            try (daemonEnd) {
                new UsernetdSession(daemonEnd, loop, new dev.jnet.usernet.link.Neighbours(), prebuilt).run();
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        frontEnd.close();
        session.get(10, TimeUnit.SECONDS);
        prebuilt.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void helpIsUsernetsOwnAndEndsTheConversation() {
        send("attach", "NEW", "/", "--help");
        List<String> f = receive();
        assertThat(f.get(0)).isEqualTo("exit");
        assertThat(f.get(1)).isEqualTo("0");
        assertThat(f.get(2)).startsWith("Usage: jnet usernet [OPTION]... PID|PATH [TAPNAME]\n");
        assertThat(f.get(3)).isEmpty();
    }

    @Test
    void badInputGetsUsernetsLineAndExitStatus() {
        send("attach", "NEW", "/", "--mtu", "70000", "123", "tap0");
        assertThat(receive()).containsExactly("exit", "1", "", "jnet usernet: MTU must be from 68 to 65521: 70000\n");
    }

    @Test
    void aTapIsServedUntilTheFrontEndDetaches() throws Exception {
        send("attach", "NEW", "/tmp", "-r", "7", "-e", "8", "4242", "tap0");
        assertThat(receive()).containsExactly("open", "pid", "4242", "", "tap0", "0", "7", "8");
        int[] tap = Syscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_SEQPACKET | Syscalls.SOCK_CLOEXEC, 0, "tap");
        try (Fd kernelEnd = Fd.adopt(tap[0], "kernel end")) {
            UnixSockets.send(frontEnd, bytes("fds"), new int[] {tap[1]}, "front end");
            Syscalls.close(tap[1]); // the daemon has its own copy
            assertThat(receive()).as("ready, and nothing written to stderr").containsExactly("ready", "");

            send("stats");
            List<String> stats = receive();
            assertThat(stats.get(0)).isEqualTo("stats");
            assertThat(stats.get(1)).startsWith("jnet usernet: stats {").contains("\"tcp_connections\":0");

            send("detach");
            assertThat(receive()).containsExactly("exit", "0", "", "");
            // the daemon closed its copy of the tap: the "kernel" end reads end of file
            assertThat(UnixSockets.receive(kernelEnd, 0, "kernel end").eof()).isTrue();
        }
    }

    @Test
    void configureSendsWhatTheFrontEndSetsOnTheTap() {
        // the front end's child configures the tap in C with these (jnet-tap-config.h)
        send("attach", "NEW", "/", "-c", "--mtu", "1500", "--macaddress", "02:11:22:33:44:5f", "--cidr",
                "10.5.0.0/16", "4242", "tap1");
        assertThat(receive()).containsExactly("open", "pid", "4242", "", "tap1", "1", "-1", "-1",
                "1500", "4096", "02:11:22:33:44:5f", "10.5.0.100", "16", "10.5.255.255", "10.5.0.2");
        send("fds"); // no tap: the session ends
        assertThat(receive().get(0)).isEqualTo("exit");
    }

    @Test
    void aFrontEndThatSendsNoTapEndsTheSession() throws Exception {
        send("attach", "NEW", "/", "4242", "tap0");
        assertThat(receive().get(0)).isEqualTo("open");
        send("fds"); // no fd: the front end could not open the tap (it said why itself)
        List<String> f = receive();
        assertThat(f.get(0)).isEqualTo("exit");
        assertThat(f.get(1)).isEqualTo("1");
    }

    private void send(String... fields) {
        UnixSockets.send(frontEnd, bytes(String.join("\0", fields)), new int[0], "front end");
    }

    private List<String> receive() {
        return List.of(UnixSockets.receive(frontEnd, 0, "front end").text().split("\0", -1));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
