package dev.jnet.usernet.tcp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.jnet.linux.Errno;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Tells "Network is unreachable" from "No route to host" after a failed TCP connect: Netty
 * reports both as one {@code NoRouteToHostException}, the guest should hear which (ICMP net or
 * host unreachable, as libslirp sends). Connecting a UDP socket asks the kernel's routing the
 * same question without sending anything. Runs only on a failed connect, never per packet.
 */
final class RouteProbe {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOCKADDR_IN = 16;
    private static final int SOCKADDR_IN6 = 28;

    static {
        Native.register(RouteProbe.class, Platform.C_LIBRARY_NAME);
    }

    private RouteProbe() {}

    private static native int connect(int fd, Pointer addr, int len) throws LastErrorException;

    private static native int bind(int fd, Pointer addr, int len) throws LastErrorException;

    /**
     * What routing says about {@code remote} from {@code local} (null: any): {@link
     * TcpHostConnector.Failure#NET_UNREACHABLE} for ENETUNREACH, else {@link
     * TcpHostConnector.Failure#HOST_UNREACHABLE} (EHOSTUNREACH, or a route now: the failure was
     * a router's ICMP, reported as host unreachable).
     */
    static TcpHostConnector.Failure classify(InetSocketAddress remote, InetAddress local) {
        boolean v6 = remote.getAddress() instanceof Inet6Address;
        int fd;
        try {
            fd = Syscalls.socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, "route probe");
        } catch (SyscallException e) {
            return TcpHostConnector.Failure.HOST_UNREACHABLE;
        }
        try {
            if (local != null && (local instanceof Inet6Address) == v6) {
                bind(fd, sockaddr(local, 0), v6 ? SOCKADDR_IN6 : SOCKADDR_IN);
            }
            connect(fd, sockaddr(remote.getAddress(), remote.getPort()), v6 ? SOCKADDR_IN6 : SOCKADDR_IN);
            return TcpHostConnector.Failure.HOST_UNREACHABLE;
        } catch (LastErrorException e) {
            return e.getErrorCode() == Errno.ENETUNREACH ? TcpHostConnector.Failure.NET_UNREACHABLE
                    : TcpHostConnector.Failure.HOST_UNREACHABLE;
        } finally {
            try {
                Syscalls.close(fd);
            } catch (SyscallException ignored) {
                // a probe's fd: nothing to do about it
            }
        }
    }

    /** struct sockaddr_in / sockaddr_in6 (family in host order, port big-endian). */
    static Memory sockaddr(InetAddress addr, int port) {
        byte[] a = addr.getAddress();
        boolean v6 = a.length == 16;
        Memory m = new Memory(v6 ? SOCKADDR_IN6 : SOCKADDR_IN);
        m.clear();
        m.setShort(0, (short) (v6 ? AF_INET6 : AF_INET));
        m.setByte(2, (byte) (port >>> 8));
        m.setByte(3, (byte) port);
        m.write(v6 ? 8 : 4, a, 0, a.length);
        if (v6) {
            m.setInt(24, ((Inet6Address) addr).getScopeId());
        }
        return m;
    }
}
