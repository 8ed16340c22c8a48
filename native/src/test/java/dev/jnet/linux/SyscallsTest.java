package dev.jnet.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyscallsTest {
    @Test
    void failureNamesOperationTargetAndErrno() {
        assertThatThrownBy(() -> Syscalls.open("/nonexistent/jnet-test", Syscalls.O_RDONLY, 0))
                .isInstanceOfSatisfying(SyscallException.class, e -> {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT);
                    assertThat(e.errnoName()).isEqualTo("ENOENT");
                    assertThat(e.reason()).isEqualTo("No such file or directory");
                    assertThat(e.operation()).isEqualTo("open");
                    assertThat(e.target()).isEqualTo("/nonexistent/jnet-test");
                })
                .hasMessage("open /nonexistent/jnet-test: ENOENT (No such file or directory)");
    }

    @Test
    void openedDescriptorsAreCloseOnExecAndClosedOnce(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("x"), "x");
        Fd fd = Fd.open(f.toString(), Syscalls.O_RDONLY);
        Path link = Path.of("/proc/self/fd/" + fd.get());
        assertThat(Files.readSymbolicLink(link)).isEqualTo(f);
        String fdinfo = Files.readString(Path.of("/proc/self/fdinfo/" + fd.get()));
        long flags = Long.parseLong(fdinfo.lines().filter(l -> l.startsWith("flags:")).findFirst().orElseThrow()
                .substring(6).trim(), 8);
        assertThat(flags & Syscalls.O_CLOEXEC).isNotZero();
        fd.close();
        fd.close(); // second close is a no-op, not a close of a recycled number
        assertThat(Files.exists(link)).isFalse();
    }

    @Test
    void pidfdOfLiveProcessIsNotReadableUntilItExits() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try (Fd pidfd = Fd.adopt(Syscalls.pidfdOpen(p.pid()), "pidfd")) {
            assertThat(Syscalls.pollIn(pidfd.get(), 50, "sleep")).isFalse();
            Syscalls.pidfdSendSignal(pidfd.get(), Syscalls.SIGTERM, "sleep");
            assertThat(Syscalls.pollIn(pidfd.get(), 5_000, "sleep")).isTrue();
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void pidfdOfMissingProcessFailsWithEsrch() {
        assertThatThrownBy(() -> Syscalls.pidfdOpen(Integer.MAX_VALUE - 1))
                .isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("ESRCH"));
    }

    @Test
    void errnoNamesFollowLinuxNumbering() {
        assertThat(Errno.name(1)).isEqualTo("EPERM");
        assertThat(Errno.name(17)).isEqualTo("EEXIST");
        assertThat(Errno.name(22)).isEqualTo("EINVAL");
        assertThat(Errno.name(98)).isEqualTo("EADDRINUSE");
        assertThat(Errno.name(111)).isEqualTo("ECONNREFUSED");
        assertThat(Errno.name(4242)).isEqualTo("errno 4242");
        assertThat(Errno.describe(Errno.EEXIST)).isEqualTo("File exists");
    }

    /** x86_64's numbers, the generic table's on aarch64 and riscv64, none where they differ (32-bit x86 uses 351). */
    @Test
    void schedulingCallsAreNumberedOnlyWhereTheirNumbersAreKnown() {
        assertThat(Syscalls.schedCall("x86-64", 314, 274)).isEqualTo(314);
        assertThat(Syscalls.schedCall("aarch64", 314, 274)).isEqualTo(274);
        assertThat(Syscalls.schedCall("riscv64", 314, 274)).isEqualTo(274);
        assertThat(Syscalls.schedCall("x86", 314, 274)).isZero();
        assertThat(Syscalls.schedCall("ppc64le", 314, 274)).isZero();
    }
}
