package dev.jnet.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Direct-mapped libc entry points. Callers use {@link Syscalls}, which turns the raw
 * {@code -1}/errno convention into {@link SyscallException}s naming the operation and target.
 */
final class LibC {
    static {
        // By soname: dlopen finds it without JNA searching library paths.
        Native.register(LibC.class, Platform.C_LIBRARY_NAME);
    }

    private LibC() {}

    static native int unshare(int flags) throws LastErrorException;

    static native int setns(int fd, int nstype) throws LastErrorException;

    static native int mount(String source, String target, String fstype, NativeLong flags, Pointer data)
            throws LastErrorException;

    static native int umount2(String target, int flags) throws LastErrorException;

    static native int open(String path, int flags, int mode) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int unlink(String path) throws LastErrorException;

    static native int flock(int fd, int operation) throws LastErrorException;

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

    static native int bind(int fd, Pointer addr, int addrlen) throws LastErrorException;

    static native int connect(int fd, Pointer addr, int addrlen) throws LastErrorException;

    static native int listen(int fd, int backlog) throws LastErrorException;

    static native int accept4(int fd, Pointer addr, Pointer addrlen, int flags) throws LastErrorException;

    static native int getsockopt(int fd, int level, int name, Pointer value, Pointer len) throws LastErrorException;

    static native NativeLong sendmsg(int fd, Pointer msg, int flags) throws LastErrorException;

    static native NativeLong recvmsg(int fd, Pointer msg, int flags) throws LastErrorException;

    static native int shutdown(int fd, int how) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, Pointer value, int len) throws LastErrorException;

    static native NativeLong write(int fd, byte[] buf, NativeLong len) throws LastErrorException;

    static native NativeLong send(int fd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

    static native NativeLong recv(int fd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

    static native int ioctl(int fd, NativeLong request, Pointer arg) throws LastErrorException;

    static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    static native int poll(Pointer fds, NativeLong nfds, int timeoutMillis) throws LastErrorException;

    static native NativeLong syscall(NativeLong number, NativeLong a, NativeLong b, NativeLong c, NativeLong d)
            throws LastErrorException;

    static native int waitid(int idtype, int id, Pointer infop, int options) throws LastErrorException;

    /** argv and envp: NULL-terminated arrays ({@code StringArray}). */
    static native int execve(String path, Pointer argv, Pointer envp) throws LastErrorException;

    static native int geteuid();

    static native int getegid();

    static native int getpid();

    static native int setsid() throws LastErrorException;

    static native String strerror(int errnum);
}
