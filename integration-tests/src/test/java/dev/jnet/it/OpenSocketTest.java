package dev.jnet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.jna.Pointer;
import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import dev.jnet.netns.NetnsException;
import dev.jnet.netns.NetnsManager;
import dev.jnet.netns.NsIdentity;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sockets opened in a namespace belong to it, rootful (thread inside) and rootless (helper + pidfd_getfd). */
@RequiresRoot
@JnetIntegrationTest
class OpenSocketTest {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final long SIOCGSKNS = 0x894C; // the network namespace of a socket, as a new fd

    @Test
    void rootfulSocketIsInTheNamespace(HostNetns host) {
        NetnsManager m = NetnsManager.rootful(NetnsManager.IPROUTE2_DIR);
        String n = host.name("sock");
        m.add(n);
        try (Fd s = m.openSocket(n, AF_INET, SOCK_DGRAM, 0)) {
            assertThat(namespaceOf(s)).isEqualTo(NsIdentity.of(m.path(n)).orElseThrow());
            assertThat(namespaceOf(s)).isNotEqualTo(NsIdentity.ofCurrentThread());
        } finally {
            m.delete(n);
        }
    }

    @Test
    void rootlessSocketIsTakenFromTheHelperAndIsInTheHoldersNamespace(@TempDir Path dir) {
        NetnsManager m = NetnsManager.rootless(dir.resolve("netns"));
        m.add("r");
        try {
            try (Fd s = m.openSocket("r", AF_INET, SOCK_DGRAM, 0)) {
                assertThat(namespaceOf(s)).isEqualTo(NsIdentity.of(m.path("r")).orElseThrow());
                assertThat(namespaceOf(s)).isNotEqualTo(NsIdentity.ofCurrentThread());
            }
            assertThatThrownBy(() -> m.call("r", () -> 1)).isInstanceOf(NetnsException.class)
                    .hasMessageContaining("use openSocket");
            assertThatThrownBy(() -> m.openSocket("r", AF_INET, 12345, 0)).isInstanceOf(NetnsException.class)
                    .hasMessageStartingWith("socket(2, 12345, 0) failed: ");
        } finally {
            m.delete("r");
        }
        assertThatThrownBy(() -> m.openSocket("r", AF_INET, SOCK_DGRAM, 0)).isInstanceOf(NetnsException.class)
                .hasMessage("Cannot open network namespace \"r\": No such file or directory");
    }

    private static NsIdentity namespaceOf(Fd socket) {
        try (Fd ns = Fd.adopt(Syscalls.ioctl(socket.get(), SIOCGSKNS, Pointer.NULL, "SIOCGSKNS"), "netns of socket")) {
            return NsIdentity.of(Path.of("/proc/self/fd/" + ns.get())).orElseThrow();
        }
    }
}
