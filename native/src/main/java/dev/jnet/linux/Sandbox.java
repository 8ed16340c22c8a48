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
import java.util.List;
import java.util.function.ToIntFunction;

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

    /** A call {@link #denySyscalls} refuses: its name and its numbers on x86_64 and aarch64. */
    private record Call(String name, int x86_64, int aarch64) {}

    private static final List<Call> CALLS = List.of(
        new Call("mount", 165, 40), new Call("umount2", 166, 39), new Call("pivot_root", 155, 41),
        new Call("chroot", 161, 51), new Call("ptrace", 101, 117), new Call("process_vm_readv", 310, 270),
        new Call("process_vm_writev", 311, 271), new Call("kexec_load", 246, 104),
        new Call("kexec_file_load", 320, 294), new Call("init_module", 175, 105), new Call("finit_module", 313, 273),
        new Call("delete_module", 176, 106), new Call("reboot", 169, 142), new Call("swapon", 167, 224),
        new Call("swapoff", 168, 225), new Call("bpf", 321, 280), new Call("perf_event_open", 298, 241),
        new Call("setns", 308, 268), new Call("unshare", 272, 97), new Call("keyctl", 250, 219),
        new Call("add_key", 248, 217), new Call("request_key", 249, 218), new Call("userfaultfd", 323, 282),
        new Call("acct", 163, 89), new Call("settimeofday", 164, 170), new Call("adjtimex", 159, 171),
        new Call("clock_adjtime", 305, 266), new Call("sethostname", 170, 161), new Call("setdomainname", 171, 162),
        new Call("quotactl", 179, 60), new Call("open_by_handle_at", 304, 265),
        new Call("name_to_handle_at", 303, 264), new Call("syslog", 103, 116), new Call("kcmp", 312, 272),
        new Call("open_tree", 428, 428), new Call("move_mount", 429, 429), new Call("fsopen", 430, 430),
        new Call("fsconfig", 431, 431), new Call("fsmount", 432, 432), new Call("fspick", 433, 433),
        new Call("mount_setattr", 442, 442));

    /** The calls {@link #denySyscalls} refuses, by name. */
    public static final String[] DENIED = CALLS.stream().map(Call::name).toArray(String[]::new);

    private Sandbox() {}

    private static native int prctl(int option, NativeLong a2, NativeLong a3, NativeLong a4, NativeLong a5)
            throws LastErrorException;

    private static native int capset(Pointer header, Pointer data) throws LastErrorException;

    // glibc's wrappers apply these to every thread of the process (its SIGSETXID broadcast)
    private static native int setgroups(NativeLong size, Pointer list) throws LastErrorException;

    private static native int setresgid(int rgid, int egid, int sgid) throws LastErrorException;

    private static native int setresuid(int ruid, int euid, int suid) throws LastErrorException;

    /** CAP_NET_BIND_SERVICE: binding ports below 1024 (a port forward's listener). */
    public static final int CAP_NET_BIND_SERVICE = 10;
    private static final int PR_SET_KEEPCAPS = 8;

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
        clearAmbient();
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
        setCapabilities(0, "(drop all)");
        return dropped;
    }

    /**
     * Prepares the calling thread to keep capability {@code cap} across {@link #switchUser}: its
     * bounding set loses every other capability (needs CAP_SETPCAP, i.e. call it while still
     * privileged) and it keeps its permitted set when its uids stop being 0 (PR_SET_KEEPCAPS,
     * per thread). After the switch, {@link #keepOnly} makes {@code cap} its only capability.
     */
    public static void prepareToKeep(int cap) {
        for (int c = 0; c <= lastCap(); c++) {
            if (c == cap) {
                continue;
            }
            try {
                prctl(PR_CAPBSET_DROP, new NativeLong(c), new NativeLong(0), new NativeLong(0), new NativeLong(0));
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINVAL) {
                    break; // past the kernel's last capability
                }
                throw new SyscallException(e.getErrorCode(), "prctl", "PR_CAPBSET_DROP " + c);
            }
        }
        try {
            prctl(PR_SET_KEEPCAPS, new NativeLong(1), new NativeLong(0), new NativeLong(0), new NativeLong(0));
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "prctl", "PR_SET_KEEPCAPS");
        }
    }

    /**
     * Makes capability {@code cap} the calling thread's only one: effective and permitted hold
     * just it (if the thread still has it permitted), inheritable and ambient nothing.
     */
    public static void keepOnly(int cap) {
        clearAmbient();
        setCapabilities(1 << cap, "(keep capability " + cap + " only)");
    }

    /**
     * Switches every thread of the process to {@code uid}/{@code gid} with no supplementary
     * groups (glibc applies set*id calls to all threads). Threads that did not {@link
     * #prepareToKeep} lose every capability (the kernel clears them when no uid is 0 any more);
     * those that did keep their permitted set, with nothing effective. Call it while every
     * thread still holds CAP_SETUID and CAP_SETGID: glibc aborts the process when a thread
     * fails where another succeeded.
     */
    public static void switchUser(int uid, int gid) {
        try {
            setgroups(new NativeLong(0), Pointer.NULL);
        } catch (LastErrorException e) {
            // a user namespace whose setgroups is "deny": the groups cannot change, nor be used
            if (e.getErrorCode() != EPERM) {
                throw new SyscallException(e.getErrorCode(), "setgroups", "(none)");
            }
        }
        try {
            setresgid(gid, gid, gid);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "setresgid", Integer.toString(gid));
        }
        try {
            setresuid(uid, uid, uid);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "setresuid", Integer.toString(uid));
        }
    }

    private static void clearAmbient() {
        try {
            prctl(PR_CAP_AMBIENT, new NativeLong(PR_CAP_AMBIENT_CLEAR_ALL), new NativeLong(0), new NativeLong(0),
                    new NativeLong(0));
        } catch (LastErrorException e) {
            if (e.getErrorCode() != Errno.EINVAL) { // kernels before 4.3 have no ambient set
                throw new SyscallException(e.getErrorCode(), "prctl", "PR_CAP_AMBIENT_CLEAR_ALL");
            }
        }
    }

    /** capset of the calling thread: {@code caps} (capabilities 0..31) effective and permitted, none inheritable. */
    private static void setCapabilities(int caps, String what) {
        Memory header = new Memory(8);
        header.setInt(0, LINUX_CAPABILITY_VERSION_3);
        header.setInt(4, 0); // the calling thread
        Memory data = new Memory(24); // two {effective, permitted, inheritable} u32 triples
        data.clear();
        data.setInt(0, caps);
        data.setInt(4, caps);
        try {
            capset(header, data);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "capset", what);
        }
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
        ToIntFunction<Call> number;
        int arch;
        if (x86()) {
            number = Call::x86_64;
            arch = AUDIT_ARCH_X86_64;
        } else if (Platform.isARM() && Platform.is64Bit()) {
            number = Call::aarch64;
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
            insn(m, at, JEQ_K, (byte) (n - i), 0, number.applyAsInt(CALLS.get(i))); // to "deny", n - i instructions on
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
