package dev.jnet.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a long-running JVM process can do to shrink what a compromise of it could reach, once
 * its privileged set-up (tap, netlink sockets) is done: {@link #noNewPrivs} (execve can never
 * grant privileges again), {@link #dropCapabilities} and {@link #denySyscalls}, a seccomp
 * filter that makes system calls the process never needs fail with {@code EPERM} on every
 * thread (EPERM, not a kill: a JVM must survive a stray call). Linux x86_64 and aarch64.
 */
public final class Sandbox {
    static {
        Native.register(Sandbox.class, Platform.C_LIBRARY_NAME);
    }

    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int PR_CAPBSET_DROP = 24;
    private static final int PR_CAP_AMBIENT = 47;
    private static final int PR_CAP_AMBIENT_CLEAR_ALL = 4;
    private static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final int SECCOMP_FILTER_FLAG_TSYNC = 1;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int SECCOMP_RET_ERRNO = 0x00050000;
    private static final int EPERM = 1;
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    private static final int AUDIT_ARCH_AARCH64 = 0xC00000B7;
    private static final int X32_SYSCALL_BIT = 0x40000000;
    // classic BPF opcodes
    private static final short LD_W_ABS = 0x20;
    private static final short JEQ_K = 0x15;
    private static final short JGE_K = 0x35;
    private static final short RET_K = 0x06;

    /** The calls {@link #denySyscalls} refuses, by name; numbers per architecture below. */
    public static final String[] DENIED = {"mount", "umount2", "pivot_root", "chroot", "ptrace", "process_vm_readv",
        "process_vm_writev", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
        "swapon", "swapoff", "bpf", "perf_event_open", "setns", "unshare", "keyctl", "add_key", "request_key",
        "userfaultfd", "acct", "settimeofday", "adjtimex", "clock_adjtime", "sethostname", "setdomainname", "quotactl",
        "open_by_handle_at", "name_to_handle_at", "syslog", "kcmp", "open_tree", "move_mount", "fsopen", "fsconfig",
        "fsmount", "fspick", "mount_setattr"};

    private static final Map<String, Integer> X86_64 = Map.ofEntries(Map.entry("mount", 165), Map.entry("umount2", 166),
            Map.entry("pivot_root", 155), Map.entry("chroot", 161), Map.entry("ptrace", 101),
            Map.entry("process_vm_readv", 310), Map.entry("process_vm_writev", 311), Map.entry("kexec_load", 246),
            Map.entry("kexec_file_load", 320), Map.entry("init_module", 175), Map.entry("finit_module", 313),
            Map.entry("delete_module", 176), Map.entry("reboot", 169), Map.entry("swapon", 167), Map.entry("swapoff", 168),
            Map.entry("bpf", 321), Map.entry("perf_event_open", 298), Map.entry("setns", 308), Map.entry("unshare", 272),
            Map.entry("keyctl", 250), Map.entry("add_key", 248), Map.entry("request_key", 249),
            Map.entry("userfaultfd", 323), Map.entry("acct", 163), Map.entry("settimeofday", 164),
            Map.entry("adjtimex", 159), Map.entry("clock_adjtime", 305), Map.entry("sethostname", 170),
            Map.entry("setdomainname", 171), Map.entry("quotactl", 179), Map.entry("open_by_handle_at", 304),
            Map.entry("name_to_handle_at", 303), Map.entry("syslog", 103), Map.entry("kcmp", 312),
            Map.entry("open_tree", 428), Map.entry("move_mount", 429), Map.entry("fsopen", 430),
            Map.entry("fsconfig", 431), Map.entry("fsmount", 432), Map.entry("fspick", 433),
            Map.entry("mount_setattr", 442));
    private static final Map<String, Integer> AARCH64 = Map.ofEntries(Map.entry("mount", 40), Map.entry("umount2", 39),
            Map.entry("pivot_root", 41), Map.entry("chroot", 51), Map.entry("ptrace", 117),
            Map.entry("process_vm_readv", 270), Map.entry("process_vm_writev", 271), Map.entry("kexec_load", 104),
            Map.entry("kexec_file_load", 294), Map.entry("init_module", 105), Map.entry("finit_module", 273),
            Map.entry("delete_module", 106), Map.entry("reboot", 142), Map.entry("swapon", 224), Map.entry("swapoff", 225),
            Map.entry("bpf", 280), Map.entry("perf_event_open", 241), Map.entry("setns", 268), Map.entry("unshare", 97),
            Map.entry("keyctl", 219), Map.entry("add_key", 217), Map.entry("request_key", 218),
            Map.entry("userfaultfd", 282), Map.entry("acct", 89), Map.entry("settimeofday", 170),
            Map.entry("adjtimex", 171), Map.entry("clock_adjtime", 266), Map.entry("sethostname", 161),
            Map.entry("setdomainname", 162), Map.entry("quotactl", 60), Map.entry("open_by_handle_at", 265),
            Map.entry("name_to_handle_at", 264), Map.entry("syslog", 116), Map.entry("kcmp", 272),
            Map.entry("open_tree", 428), Map.entry("move_mount", 429), Map.entry("fsopen", 430),
            Map.entry("fsconfig", 431), Map.entry("fsmount", 432), Map.entry("fspick", 433),
            Map.entry("mount_setattr", 442));

    private Sandbox() {}

    private static native int prctl(int option, NativeLong a2, NativeLong a3, NativeLong a4, NativeLong a5)
            throws LastErrorException;

    private static native int capset(Pointer header, Pointer data) throws LastErrorException;

    private static native NativeLong syscall(NativeLong number, NativeLong a, NativeLong b, Pointer c)
            throws LastErrorException;

    /**
     * {@code prctl(PR_SET_NO_NEW_PRIVS)} for the calling thread (and the threads it creates
     * later); {@link #denySyscalls} carries it to every thread of the process.
     */
    public static void noNewPrivs() {
        try {
            prctl(PR_SET_NO_NEW_PRIVS, new NativeLong(1), new NativeLong(0), new NativeLong(0), new NativeLong(0));
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "prctl", "PR_SET_NO_NEW_PRIVS");
        }
    }

    /**
     * Empties the calling thread's ambient, bounding (where it holds CAP_SETPCAP), effective,
     * permitted and inheritable capability sets. Capabilities are per thread in Linux: threads
     * that exist already keep theirs (call this on each thread that runs untrusted input).
     *
     * @return how many bounding-set capabilities were dropped (0 for a process without CAP_SETPCAP)
     */
    public static int dropCapabilities() {
        try {
            prctl(PR_CAP_AMBIENT, new NativeLong(PR_CAP_AMBIENT_CLEAR_ALL), new NativeLong(0), new NativeLong(0),
                    new NativeLong(0));
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EINVAL) { // kernels before 4.3 have no ambient set
                throw new SyscallException(e.getErrorCode(), "prctl", "PR_CAP_AMBIENT_CLEAR_ALL");
            }
        }
        int dropped = 0;
        for (int cap = 0; cap <= lastCap(); cap++) {
            try {
                prctl(PR_CAPBSET_DROP, new NativeLong(cap), new NativeLong(0), new NativeLong(0), new NativeLong(0));
                dropped++;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == EPERM) {
                    break; // no CAP_SETPCAP: the bounding set stays, the sets below are empty anyway
                }
                if (e.getErrorCode() == Errno.EINVAL) {
                    break; // past the kernel's last capability
                }
                throw new SyscallException(e.getErrorCode(), "prctl", "PR_CAPBSET_DROP " + cap);
            }
        }
        Memory header = new Memory(8);
        header.setInt(0, LINUX_CAPABILITY_VERSION_3);
        header.setInt(4, 0); // the calling thread
        Memory data = new Memory(24); // two {effective, permitted, inheritable} u32 triples, all zero
        data.clear();
        try {
            capset(header, data);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "capset", "(drop all)");
        }
        return dropped;
    }

    private static int lastCap() {
        try {
            // a reader, not Files.readString: with st_size 0 that reads one byte, then a second read at
            // offset 1, which a sysctl file answers with end of file: "4" for "40"
            return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return 63; // every bit of the 64-bit sets; the loop stops at the first one the kernel does not know
        }
    }

    /**
     * Installs a seccomp filter on every thread of the process (TSYNC) under which the calls in
     * {@link #DENIED}, and calls of another ABI (x32, ia32), fail with EPERM; sets no_new_privs
     * first, which TSYNC carries to every thread too.
     *
     * @throws SyscallException if the kernel refuses (or a thread could not be synchronised)
     * @throws UnsupportedOperationException on an architecture other than x86_64 and aarch64
     */
    public static void denySyscalls() {
        noNewPrivs();
        Memory filter = filter();
        Memory prog = new Memory(16); // struct sock_fprog { u16 len; (pad) struct sock_filter *filter; }
        prog.clear();
        prog.setShort(0, (short) (filter.size() / 8));
        prog.setPointer(8, filter);
        long r;
        try {
            r = syscall(new NativeLong(seccompSyscall()), new NativeLong(SECCOMP_SET_MODE_FILTER),
                    new NativeLong(SECCOMP_FILTER_FLAG_TSYNC), prog).longValue();
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "seccomp", "SECCOMP_SET_MODE_FILTER TSYNC");
        }
        if (r != 0) {
            throw new SyscallException(Errno.EINVAL, "seccomp", "TSYNC: thread " + r + " could not be synchronised");
        }
    }

    private static boolean x86() {
        return Platform.isIntel() && Platform.is64Bit();
    }

    private static long seccompSyscall() {
        return x86() ? 317 : 277;
    }

    /** arch check, the x32 range on x86_64, then one comparison per denied call. */
    static Memory filter() {
        Map<String, Integer> numbers;
        int arch;
        if (x86()) {
            numbers = X86_64;
            arch = AUDIT_ARCH_X86_64;
        } else if (Platform.isARM() && Platform.is64Bit()) {
            numbers = AARCH64;
            arch = AUDIT_ARCH_AARCH64;
        } else {
            throw new UnsupportedOperationException("seccomp filter for " + System.getProperty("os.arch"));
        }
        int n = DENIED.length;
        int count = 3 + (x86() ? 1 : 0) + 1 + n + 2;
        Memory m = new Memory(count * 8L);
        int[] at = {0};
        // [0] A = arch; other ABIs are refused outright
        insn(m, at, LD_W_ABS, 0, 0, 4);
        insn(m, at, JEQ_K, 1, 0, arch);
        insn(m, at, RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM);
        insn(m, at, LD_W_ABS, 0, 0, 0); // A = syscall number
        if (x86()) {
            insn(m, at, JGE_K, (byte) (n + 1), 0, X32_SYSCALL_BIT); // to the final "deny"
        }
        for (int i = 0; i < n; i++) {
            Integer nr = numbers.get(DENIED[i]);
            insn(m, at, JEQ_K, (byte) (n - i), 0, nr); // to "deny", n - i instructions on
        }
        insn(m, at, RET_K, 0, 0, SECCOMP_RET_ALLOW);
        insn(m, at, RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM);
        Memory exact = new Memory(at[0] * 8L);
        exact.write(0, m.getByteArray(0, at[0] * 8), 0, at[0] * 8);
        return exact;
    }

    private static void insn(Memory m, int[] at, short code, int jt, int jf, int k) {
        long off = at[0] * 8L;
        m.setShort(off, code);
        m.setByte(off + 2, (byte) jt);
        m.setByte(off + 3, (byte) jf);
        m.setInt(off + 4, k);
        at[0]++;
    }
}
