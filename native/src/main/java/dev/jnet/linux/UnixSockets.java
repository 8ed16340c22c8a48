package dev.jnet.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * Unix-domain {@code SOCK_SEQPACKET} sockets by path, with file descriptors passed as
 * {@code SCM_RIGHTS} ancillary data and the peer's credentials ({@code SO_PEERCRED}): what a
 * per-user daemon needs to take taps from the processes that opened them (unix(7)). Blocking
 * calls, retried on EINTR; every failure is a {@link SyscallException} naming call and socket.
 * The layouts of {@code msghdr}, {@code iovec} and {@code cmsghdr} are those of 64-bit Linux.
 */
public final class UnixSockets {
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int SO_PEERCRED = 17;
    private static final int SUN_PATH_MAX = 108;
    private static final int MSGHDR_SIZE = 56;
    private static final int CMSG_HEADER = 16;
    /** MSG_CMSG_CLOEXEC: received fds are close-on-exec at once. */
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** The largest message either side sends (help text, error lines): more is cut by the kernel. */
    public static final int MAX_MESSAGE = 64 * 1024;

    private UnixSockets() {}

    /** What {@link #receive} read: the bytes (empty at end of file) and the fds that came with them. */
    public record Message(byte[] data, int[] fds, boolean eof) {
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** The peer of a connected unix socket at the time it connected. */
    public record PeerCredentials(int pid, int uid, int gid) {}

    /** A {@code SOCK_SEQPACKET} socket bound to {@code path} and listening (the file must not exist). */
    public static Fd listen(String path, int backlog) {
        Fd fd = Fd.adopt(Syscalls.socket(Syscalls.AF_UNIX, Syscalls.SOCK_SEQPACKET | Syscalls.SOCK_CLOEXEC, 0, path),
                "socket " + path);
        try {
            Syscalls.bind(fd.get(), address(path), 2 + SUN_PATH_MAX, path);
            LibC.listen(fd.get(), backlog);
            return fd;
        } catch (LastErrorException e) {
            fd.close();
            throw new SyscallException(e.getErrorCode(), "listen", path);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** Waits for the next connection on a listening socket; the new socket is close-on-exec. */
    public static Fd accept(Fd listening, String what) {
        while (true) {
            try {
                return Fd.adopt(LibC.accept4(listening.get(), Pointer.NULL, Pointer.NULL, Syscalls.SOCK_CLOEXEC),
                        "connection on " + what);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR && e.getErrorCode() != Errno.ECONNABORTED) {
                    throw new SyscallException(e.getErrorCode(), "accept", what);
                }
            }
        }
    }

    /** SO_PEERCRED: who is at the other end (ids as this process's user namespace sees them). */
    public static PeerCredentials peer(Fd socket, String what) {
        Memory cred = new Memory(12);
        Memory len = new Memory(4);
        len.setInt(0, 12);
        try {
            LibC.getsockopt(socket.get(), SOL_SOCKET, SO_PEERCRED, cred, len);
        } catch (LastErrorException e) {
            throw new SyscallException(e.getErrorCode(), "getsockopt(SO_PEERCRED)", what);
        }
        return new PeerCredentials(cred.getInt(0), cred.getInt(4), cred.getInt(8));
    }

    /** Sends one message, with {@code fds} (possibly none) as SCM_RIGHTS. */
    public static void send(Fd socket, byte[] data, int[] fds, String what) {
        Memory buf = new Memory(Math.max(1, data.length));
        buf.write(0, data, 0, data.length);
        Memory iov = new Memory(16);
        iov.setPointer(0, buf);
        iov.setLong(8, data.length);
        Memory msg = new Memory(MSGHDR_SIZE);
        msg.clear();
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        if (fds.length > 0) {
            int space = CMSG_HEADER + align(4 * fds.length);
            Memory control = new Memory(space);
            control.clear();
            control.setLong(0, CMSG_HEADER + 4L * fds.length);
            control.setInt(8, SOL_SOCKET);
            control.setInt(12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                control.setInt(CMSG_HEADER + 4L * i, fds[i]);
            }
            msg.setPointer(32, control);
            msg.setLong(40, space);
        }
        while (true) {
            try {
                LibC.sendmsg(socket.get(), msg, MSG_NOSIGNAL);
                return;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException(e.getErrorCode(), "sendmsg", what);
                }
            }
        }
    }

    /** Reads one message and up to {@code maxFds} fds (close-on-exec, owned by the caller). */
    public static Message receive(Fd socket, int maxFds, String what) {
        Memory buf = new Memory(MAX_MESSAGE);
        Memory iov = new Memory(16);
        iov.setPointer(0, buf);
        iov.setLong(8, MAX_MESSAGE);
        int space = CMSG_HEADER + align(4 * Math.max(1, maxFds));
        Memory control = new Memory(space);
        control.clear();
        Memory msg = new Memory(MSGHDR_SIZE);
        msg.clear();
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        msg.setPointer(32, control);
        msg.setLong(40, space);
        long n;
        while (true) {
            try {
                n = LibC.recvmsg(socket.get(), msg, MSG_CMSG_CLOEXEC).longValue();
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.ECONNRESET) {
                    return new Message(new byte[0], new int[0], true);
                }
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException(e.getErrorCode(), "recvmsg", what);
                }
            }
        }
        int[] fds = new int[0];
        long controlLen = msg.getLong(40);
        if (controlLen >= CMSG_HEADER && control.getInt(8) == SOL_SOCKET && control.getInt(12) == SCM_RIGHTS) {
            int count = (int) ((control.getLong(0) - CMSG_HEADER) / 4);
            fds = new int[count];
            for (int i = 0; i < count; i++) {
                fds[i] = control.getInt(CMSG_HEADER + 4L * i);
            }
        }
        return new Message(buf.getByteArray(0, (int) n), fds, n == 0 && fds.length == 0);
    }

    /** shutdown(2) both ways: the peer reads end of file; a thread blocked in {@link #receive} returns. */
    public static void shutdown(Fd socket) {
        try {
            LibC.shutdown(socket.get(), 2);
        } catch (LastErrorException e) {
            // not connected any more: nothing to shut
        }
    }

    private static int align(int n) {
        return (n + 7) & ~7;
    }

    private static Memory address(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length >= SUN_PATH_MAX) {
            throw new SyscallException(Errno.ENAMETOOLONG, "bind", path);
        }
        Memory addr = new Memory(2 + SUN_PATH_MAX);
        addr.clear();
        addr.setShort(0, (short) Syscalls.AF_UNIX);
        addr.write(2, p, 0, p.length);
        return addr;
    }
}
