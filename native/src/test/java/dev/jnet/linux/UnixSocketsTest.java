package dev.jnet.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SOCK_SEQPACKET by path, SCM_RIGHTS both ways and SO_PEERCRED, without root. */
class UnixSocketsTest {
    @TempDir Path dir;

    @Test
    void aPassedFdIsTheSameOpenFileAndMessagesKeepTheirBoundaries() throws Exception {
        int[] pair = Syscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_SEQPACKET | Syscalls.SOCK_CLOEXEC, 0, "test");
        int[] pipe = Syscalls.socketpair(Syscalls.AF_UNIX, Syscalls.SOCK_SEQPACKET | Syscalls.SOCK_CLOEXEC, 0, "pipe");
        try (Fd a = Fd.adopt(pair[0], "a"); Fd b = Fd.adopt(pair[1], "b"); Fd p0 = Fd.adopt(pipe[0], "p0");
                Fd p1 = Fd.adopt(pipe[1], "p1")) {
            UnixSockets.send(a, bytes("fds\0x"), new int[] {p1.get()}, "a");
            UnixSockets.send(a, bytes("second"), new int[0], "a");
            UnixSockets.Message m = UnixSockets.receive(b, 2, "b");
            assertThat(m.text()).isEqualTo("fds\0x");
            assertThat(m.fds()).hasSize(1).doesNotContain(p1.get());
            try (Fd copy = Fd.adopt(m.fds()[0], "received")) {
                Syscalls.write(copy.get(), bytes("through the copy"), "copy");
            }
            UnixSockets.Message viaPipe = UnixSockets.receive(p0, 0, "p0");
            assertThat(viaPipe.text()).isEqualTo("through the copy");
            UnixSockets.Message second = UnixSockets.receive(b, 2, "b");
            assertThat(second.text()).isEqualTo("second");
            assertThat(second.fds()).isEmpty();
            UnixSockets.shutdown(a);
            assertThat(UnixSockets.receive(b, 2, "b").eof()).isTrue();
        }
    }

    @Test
    void aListenerByPathSeesItsPeersCredentials() throws Exception {
        String path = dir.resolve("d.sock").toString();
        try (Fd listening = UnixSockets.listen(path, 4)) {
            assertThat(Files.exists(Path.of(path))).isTrue();
            int client = Syscalls.socket(Syscalls.AF_UNIX, Syscalls.SOCK_SEQPACKET | Syscalls.SOCK_CLOEXEC, 0, "client");
            try (Fd c = Fd.adopt(client, "client")) {
                com.sun.jna.Memory addr = new com.sun.jna.Memory(110);
                addr.clear();
                addr.setShort(0, (short) Syscalls.AF_UNIX);
                addr.setString(2, path, StandardCharsets.UTF_8.name());
                LibC.connect(c.get(), addr, 110);
                try (Fd conn = UnixSockets.accept(listening, path)) {
                    UnixSockets.PeerCredentials peer = UnixSockets.peer(conn, "conn");
                    assertThat(peer.uid()).isEqualTo(Syscalls.geteuid());
                    assertThat(peer.pid()).isEqualTo(Syscalls.getpid());
                }
            }
        }
    }

    @Test
    void aSecondListenerOnTheSamePathIsRefused() {
        String path = dir.resolve("e.sock").toString();
        try (Fd first = UnixSockets.listen(path, 4)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> UnixSockets.listen(path, 4))
                    .isInstanceOf(SyscallException.class).hasMessageContaining("EADDRINUSE").hasMessageContaining(path);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
