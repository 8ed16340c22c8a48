package dev.jnet.linux;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Test;

/**
 * The seccomp program, interpreted here (installing it would bind the test JVM): the denied
 * calls and foreign ABIs get EPERM, everything else is allowed. The install itself is checked
 * end to end (UsernetSeccompTest: Seccomp 2 on every thread, traffic still served).
 */
class SandboxFilterTest {
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;

    @Test
    void deniedCallsGetEpermOthersPass() {
        Memory f = Sandbox.filter();
        assertThat(run(f, AUDIT_ARCH_X86_64, 165)).as("mount").isEqualTo(0x00050001);
        assertThat(run(f, AUDIT_ARCH_X86_64, 308)).as("setns").isEqualTo(0x00050001);
        assertThat(run(f, AUDIT_ARCH_X86_64, 442)).as("mount_setattr").isEqualTo(0x00050001);
        assertThat(run(f, AUDIT_ARCH_X86_64, 0x40000000 + 1)).as("x32 write").isEqualTo(0x00050001);
        assertThat(run(f, 0x40000003, 1)).as("ia32").isEqualTo(0x00050001);
        for (int allowed : new int[] {0, 1, 3, 9, 56, 202, 232, 281, 435}) { // read write close mmap clone futex epoll_wait epoll_pwait clone3
            assertThat(run(f, AUDIT_ARCH_X86_64, allowed)).as("syscall %d", allowed).isEqualTo(0x7fff0000);
        }
    }

    /** A classic-BPF interpreter for the four opcodes the filter uses; seccomp_data is {nr, arch, ...}. */
    private static int run(Memory f, int arch, int nr) {
        int a = 0;
        for (int pc = 0; pc < f.size() / 8; pc++) {
            short code = f.getShort(pc * 8L);
            int jt = f.getByte(pc * 8L + 2) & 0xFF;
            int jf = f.getByte(pc * 8L + 3) & 0xFF;
            int k = f.getInt(pc * 8L + 4);
            switch (code) {
                case 0x20 -> a = k == 0 ? nr : k == 4 ? arch : 0;
                case 0x15 -> pc += a == k ? jt : jf;
                case 0x35 -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;
                case 0x06 -> {
                    return k;
                }
                default -> throw new AssertionError("opcode " + code);
            }
        }
        throw new AssertionError("fell off the program");
    }
}
