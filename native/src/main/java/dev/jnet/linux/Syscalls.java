package dev.jnet.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Checked wrappers over the libc calls jnet needs. Every failure becomes a
 * {@link SyscallException} carrying errno, operation and target.
 *
 * <p>Namespace calls ({@link #unshare}, {@link #setns}) affect only the calling thread.
 */
public final class Syscalls {
    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWUSER = 0x10000000;
    public static final int CLONE_NEWNET = 0x40000000;

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NONBLOCK = 04000;
    public static final int O_CLOEXEC = 02000000;

    public static final long MS_RDONLY = 1;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_PRIVATE = 1 << 18;
    public static final long MS_SLAVE = 1 << 19;
    public static final long MS_SHARED = 1 << 20;

    public static final int MNT_DETACH = 2;

    public static final int O_DIRECTORY = 0200000;
    public static final int LOCK_EX = 2;
    public static final int LOCK_NB = 4;
    public static final int LOCK_UN = 8;

    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    /** socketpair(2)/socket(2): the domain, type and flag a local packet link uses. */
    public static final int AF_UNIX = 1;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_CLOEXEC = 02000000;
    /** recv(2)/send(2) flag: do not block. */
    public static final int MSG_DONTWAIT = 0x40;

    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    /** sched_setattr(2)/sched_getattr(2) here; 0 on an architecture whose numbers we do not know */
    private static final long SYS_SCHED_SETATTR = schedCall(Platform.ARCH, 314, 274);
    private static final long SYS_SCHED_GETATTR = schedCall(Platform.ARCH, 315, 275);
    /** {@code struct sched_attr} as of Linux 3.14 (SCHED_ATTR_SIZE_VER0) and the offsets we use */
    private static final int SCHED_ATTR_SIZE = 48;
    private static final int SCHED_ATTR_POLICY = 4;
    private static final int SCHED_ATTR_RUNTIME = 24;
    private static final int SCHED_OTHER = 0;
    private static final int SCHED_BATCH = 3;
    private static final long SYS_PIDFD_GETFD = 438;
    private static final short POLLIN = 0x1;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;

    private Syscalls() {}

    public static void unshare(int flags) {
        try {
            LibC.unshare(flags);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "unshare", "0x" + Integer.toHexString(flags));
        }
    }

    /** setns(2); {@code what} names the namespace in errors. */
    public static void setns(int fd, int nstype, String what) {
        try {
            LibC.setns(fd, nstype);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "setns", what);
        }
    }

    public static void mount(String source, String target, String fstype, long flags) {
        try {
            LibC.mount(source, target, fstype, new NativeLong(flags), Pointer.NULL);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "mount", target);
        }
    }

    public static void umount2(String target, int flags) {
        try {
            LibC.umount2(target, flags);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "umount", target);
        }
    }

    public static int open(String path, int flags, int mode) {
        try {
            return LibC.open(path, flags | O_CLOEXEC, mode);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "open", path);
        }
    }

    public static void close(int fd) {
        try {
            LibC.close(fd);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "close", "fd " + fd);
        }
    }

    public static void unlink(String path) {
        try {
            LibC.unlink(path);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "unlink", path);
        }
    }

    /** flock(2), retried on EINTR. */
    public static void flock(int fd, int operation, String what) {
        while (true) {
            try {
                LibC.flock(fd, operation);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException(e.getErrorCode(), "flock", what);
                }
            }
        }
    }

    public static int socket(int domain, int type, int protocol, String what) {
        try {
            return LibC.socket(domain, type, protocol);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "socket", what);
        }
    }

    /** socketpair(2): two connected sockets, both returned as raw fds (the caller owns them). */
    public static int[] socketpair(int domain, int type, int protocol, String what) {
        int[] sv = new int[2];
        try {
            LibC.socketpair(domain, type, protocol, sv);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "socketpair", what);
        }
        return sv;
    }

    public static void bind(int fd, Pointer addr, int len, String what) {
        try {
            LibC.bind(fd, addr, len);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "bind", what);
        }
    }

    public static void setsockopt(int fd, int level, int name, int value, String what) {
        Memory m = new Memory(4);
        m.setInt(0, value);
        try {
            LibC.setsockopt(fd, level, name, m, 4);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "setsockopt", what);
        }
    }

    private static final int SOL_SOCKET = 1;
    private static final int SO_BINDTODEVICE = 25;

    /** setsockopt(SO_BINDTODEVICE): {@code fd} sends and receives through interface {@code ifname} only. */
    public static void bindToDevice(int fd, String ifname, String what) {
        byte[] name = ifname.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Memory m = new Memory(name.length + 1L);
        m.write(0, name, 0, name.length);
        m.setByte(name.length, (byte) 0);
        try {
            LibC.setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, m, name.length + 1);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "setsockopt(SO_BINDTODEVICE)", what);
        }
    }

    /** write(2) of all of {@code data} (retried on EINTR and short writes; blocking fds). */
    public static void write(int fd, byte[] data, String what) {
        int done = 0;
        while (done < data.length) {
            try {
                byte[] rest = done == 0 ? data : java.util.Arrays.copyOfRange(data, done, data.length);
                done += LibC.write(fd, rest, new NativeLong(rest.length)).intValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException(e.getErrorCode(), "write", what);
                }
            }
        }
    }

    public static long send(int fd, Pointer buf, long len, String what) {
        while (true) {
            try {
                return LibC.send(fd, buf, new NativeLong(len), 0).longValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException(e.getErrorCode(), "send", what);
                }
            }
        }
    }

    public static long recv(int fd, Pointer buf, long len, int flags, String what) {
        while (true) {
            try {
                return LibC.recv(fd, buf, new NativeLong(len), flags).longValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException(e.getErrorCode(), "recv", what);
                }
            }
        }
    }

    /** ioctl(2) with a pointer argument (or an integer passed as {@code Pointer.createConstant}). */
    public static int ioctl(int fd, long request, Pointer arg, String what) {
        while (true) {
            try {
                return LibC.ioctl(fd, new NativeLong(request), arg);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException(e.getErrorCode(), "ioctl", what);
                }
            }
        }
    }

    /** Sets O_NONBLOCK on {@code fd} (its open file description: shared by every copy of it). */
    public static void setNonBlocking(int fd, String what) {
        try {
            int flags = LibC.fcntl(fd, F_GETFL, 0);
            if ((flags & O_NONBLOCK) == 0) {
                LibC.fcntl(fd, F_SETFL, flags | O_NONBLOCK);
            }
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "fcntl", what);
        }
    }

    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;

    /** Sets or clears FD_CLOEXEC: whether {@code fd} is closed across execve. */
    public static void setCloseOnExec(int fd, boolean on, String what) {
        try {
            int flags = LibC.fcntl(fd, F_GETFD, 0);
            LibC.fcntl(fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "fcntl", what);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for {@code fd} to become readable (for a pidfd: the
     * process has exited). Returns whether it did.
     */
    public static boolean pollIn(int fd, int timeoutMillis, String what) {
        Memory pfd = new Memory(8);
        pfd.setInt(0, fd);
        pfd.setShort(4, POLLIN);
        pfd.setShort(6, (short) 0);
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            int left = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            try {
                return LibC.poll(pfd, new NativeLong(1), left) > 0;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException(e.getErrorCode(), "poll", what);
                }
            }
        }
    }

    /** pidfd_open(2): a handle on a process that cannot be confused with a later one of the same pid. */
    public static int pidfdOpen(long pid) {
        try {
            return LibC.syscall(new NativeLong(SYS_PIDFD_OPEN), new NativeLong(pid), new NativeLong(0),
                    new NativeLong(0), new NativeLong(0)).intValue();
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "pidfd_open", "pid " + pid);
        }
    }

    public static void pidfdSendSignal(int pidfd, int signal, String what) {
        try {
            LibC.syscall(new NativeLong(SYS_PIDFD_SEND_SIGNAL), new NativeLong(pidfd), new NativeLong(signal),
                    new NativeLong(0), new NativeLong(0));
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "pidfd_send_signal", what);
        }
    }

    /** pidfd_getfd(2): a duplicate of another process's fd (needs ptrace rights over it). */
    public static int pidfdGetfd(int pidfd, int targetFd, String what) {
        try {
            return LibC.syscall(new NativeLong(SYS_PIDFD_GETFD), new NativeLong(pidfd), new NativeLong(targetFd),
                    new NativeLong(0), new NativeLong(0)).intValue();
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "pidfd_getfd", what);
        }
    }

    /** waitid(2) idtype for a pidfd (Linux 5.4). */
    private static final int P_PIDFD = 3;
    private static final int WSTOPPED = 2;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    /** si_code of a SIGCHLD siginfo: the child stopped. */
    public static final int CLD_STOPPED = 5;
    /** Offset of si_code in siginfo_t (si_signo, si_errno, si_code). */
    private static final int SI_CODE = 8;
    private static final int SIGINFO_SIZE = 128;

    /**
     * Waits until the child behind {@code pidfd} stops or ends, and says which: true when it
     * stopped (that stop is consumed), false when it ended. An end is left for whoever reaps the
     * child (the JDK's process reaper), and one it already reaped counts as an end too.
     */
    public static boolean awaitStopOrExit(int pidfd, String what) {
        try (com.sun.jna.Memory info = new com.sun.jna.Memory(SIGINFO_SIZE)) {
            while (true) {
                info.clear();
                try {
                    LibC.waitid(P_PIDFD, pidfd, info, WSTOPPED | WEXITED | WNOWAIT);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == Errno.EINTR) {
                        continue;
                    }
                    if (e.getErrorCode() == Errno.ECHILD) {
                        return false;
                    }
                    throw new SyscallException(e.getErrorCode(), "waitid", what);
                }
                if (info.getInt(SI_CODE) != CLD_STOPPED) {
                    return false;
                }
                // consume the stop report (WNOWAIT left it), so that the next wait sees the next stop
                try {
                    LibC.waitid(P_PIDFD, pidfd, info, WSTOPPED);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != Errno.EINTR) {
                        throw new SyscallException(e.getErrorCode(), "waitid", what);
                    }
                }
                return true;
            }
        }
    }

    public static int geteuid() {
        return LibC.geteuid();
    }

    public static int getegid() {
        return LibC.getegid();
    }

    public static int getpid() {
        return LibC.getpid();
    }

    /** Starts a new session (and process group) led by this process: no terminal's signals reach it. */
    public static void setsid(String what) {
        try {
            LibC.setsid();
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "setsid", what);
        }
    }

    /**
     * Asks the kernel to give the calling thread time slices of {@code sliceNanos} (sched(7):
     * {@code sched_attr.sched_runtime} of a {@code SCHED_OTHER} or {@code SCHED_BATCH} thread,
     * Linux 6.12's EEVDF, clamped by it to 0.1-100 ms; older kernels ignore it). Everything else
     * of the thread's scheduling (policy, nice value) stays as it is; a thread under another
     * policy is left alone.
     *
     * @return whether the request was made (false: another policy, or an architecture other than
     *     x86_64, aarch64 and riscv64)
     */
    public static boolean requestThreadSlice(long sliceNanos, String what) {
        if (SYS_SCHED_SETATTR == 0) {
            return false; // an architecture we do not know the call's number on: nothing asked
        }
        Memory attr = schedAttr(what);
        int policy = attr.getInt(SCHED_ATTR_POLICY);
        if (policy != SCHED_OTHER && policy != SCHED_BATCH) {
            return false;
        }
        attr.setInt(0, SCHED_ATTR_SIZE);
        attr.setLong(SCHED_ATTR_RUNTIME, sliceNanos);
        try {
            LibC.syscall(new NativeLong(SYS_SCHED_SETATTR), new NativeLong(0), new NativeLong(Pointer.nativeValue(attr)),
                    new NativeLong(0), new NativeLong(0));
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "sched_setattr", what);
        }
        return true;
    }

    /** The calling thread's time slice in nanoseconds ({@code sched_attr.sched_runtime}: the kernel's default unless one was asked). */
    public static long threadSlice() {
        return schedAttr("this thread").getLong(SCHED_ATTR_RUNTIME);
    }

    /** sched_getattr(2) of the calling thread: its {@code struct sched_attr}. */
    private static Memory schedAttr(String what) {
        if (SYS_SCHED_GETATTR == 0) {
            throw new SyscallException(Errno.ENOSYS, "sched_getattr", what);
        }
        Memory attr = new Memory(SCHED_ATTR_SIZE);
        attr.clear();
        try {
            LibC.syscall(new NativeLong(SYS_SCHED_GETATTR), new NativeLong(0), new NativeLong(Pointer.nativeValue(attr)),
                    new NativeLong(SCHED_ATTR_SIZE), new NativeLong(0));
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "sched_getattr", what);
        }
        return attr;
    }

    /**
     * A scheduling call's number on {@code arch} (JNA's name): x86_64's own table, the generic
     * one of aarch64 and riscv64; 0 elsewhere (32-bit ABIs and others number them differently).
     */
    static long schedCall(String arch, long x86_64, long generic) {
        switch (arch) {
            case "x86-64":
                return x86_64;
            case "aarch64":
            case "riscv64":
                return generic;
            default:
                return 0;
        }
    }
}
