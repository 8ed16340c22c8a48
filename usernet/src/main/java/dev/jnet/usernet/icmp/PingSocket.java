package dev.jnet.usernet.icmp;

import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An unprivileged ICMP echo socket ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}, allowed
 * by {@code net.ipv4.ping_group_range}) connected to one host and registered with the Netty
 * epoll event loop as a raw {@link EpollIoHandle}. The kernel owns the echo identifier (it
 * rewrites requests to the socket's own and delivers only replies carrying it), computes the
 * checksum, and hands us bare ICMP messages, which are read straight into buffers with
 * headroom for the guest's IPv4 and Ethernet headers.
 */
public final class PingSocket implements EpollIoHandle, EchoSockets.Socket {
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 04000;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int IPPROTO_ICMP = 1;
    private static final int AF_INET6 = 10;
    private static final int IPPROTO_ICMPV6 = 58;
    /** Replies read per wake-up, so one busy socket cannot starve the loop. */
    private static final int READS_PER_WAKEUP = 16;

    private final Socket socket;
    private final EchoSockets.Receiver receiver;
    private IoRegistration registration;
    private boolean closed;
    private long sendErrors;
    private long receiveErrors;

    private PingSocket(Socket socket, EchoSockets.Receiver receiver) {
        this.socket = socket;
        this.receiver = receiver;
    }

    /** Production {@link EchoSockets}: ping sockets on {@code loop}. */
    public static EchoSockets factory(IoEventLoop loop) {
        return factory(loop, null);
    }

    /** Ping sockets on {@code loop} bound to {@code local} first ({@code --outbound-addr}; null: any). */
    public static EchoSockets factory(IoEventLoop loop, InetAddress local) {
        Epoll.ensureAvailability();
        return (hostAddr, receiver) -> open(loop, AF_INET, IPPROTO_ICMP, local, Ipv4Packet.toInetAddress(hostAddr),
                receiver);
    }

    /** Production {@link Echo6Sockets}: ICMPv6 ping sockets on {@code loop}. */
    public static Echo6Sockets factory6(IoEventLoop loop) {
        return factory6(loop, null);
    }

    /** ICMPv6 ping sockets on {@code loop} bound to {@code local} first ({@code --outbound-addr6}; null: any). */
    public static Echo6Sockets factory6(IoEventLoop loop, InetAddress local) {
        Epoll.ensureAvailability();
        return (host, receiver) -> open(loop, AF_INET6, IPPROTO_ICMPV6, local, host, receiver);
    }

    /**
     * Opens a ping socket to {@code hostAddr} and registers it with {@code loop} (call on the loop).
     *
     * @throws SyscallException if the socket cannot be made or connected
     */
    public static PingSocket open(IoEventLoop loop, int hostAddr, EchoSockets.Receiver receiver) {
        return open(loop, AF_INET, IPPROTO_ICMP, null, Ipv4Packet.toInetAddress(hostAddr), receiver);
    }

    /**
     * Opens an ICMPv6 ping socket ({@code socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6)}, the
     * same {@code ping_group_range} rule) to {@code host}; the kernel fills the checksum of
     * what we send and hands us echo replies without the IPv6 header.
     *
     * @throws SyscallException if the socket cannot be made or connected
     */
    public static PingSocket open6(IoEventLoop loop, Inet6Address host, EchoSockets.Receiver receiver) {
        return open(loop, AF_INET6, IPPROTO_ICMPV6, null, host, receiver);
    }

    private static PingSocket open(IoEventLoop loop, int family, int protocol, InetAddress local, InetAddress host,
            EchoSockets.Receiver receiver) {
        int fd = Syscalls.socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol,
                "ICMP echo to " + host.getHostAddress());
        Socket socket = new Socket(fd);
        PingSocket ping = new PingSocket(socket, receiver);
        try {
            if (local != null) {
                socket.bind(new InetSocketAddress(local, 0)); // --outbound-addr: the echo's source
            }
        } catch (IOException e) {
            ping.close();
            throw new SyscallException(errno(e), "bind", "ICMP echo socket to " + local.getHostAddress());
        }
        try {
            socket.connect(new InetSocketAddress(host, 0));
        } catch (IOException e) {
            ping.close();
            throw new SyscallException(errno(e), "connect", "ICMP echo socket to " + host.getHostAddress());
        }
        loop.register(ping).addListener(f -> {
            if (!f.isSuccess()) {
                ping.close();
                return;
            }
            ping.registration = (IoRegistration) f.getNow();
            if (ping.closed) {
                ping.registration.cancel();
            } else {
                ping.registration.submit(EpollIoOps.EPOLLIN);
            }
        });
        return ping;
    }

    private static int errno(IOException e) {
        return e instanceof io.netty.channel.unix.Errors.NativeIoException n ? Math.abs(n.expectedErr()) : 0;
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void send(ByteBuf buf, int index, int length) {
        if (closed) {
            return;
        }
        try {
            if (buf.hasMemoryAddress()) {
                socket.sendAddress(buf.memoryAddress(), index, index + length);
            } else if (buf.isDirect()) {
                socket.send(buf.nioBuffer(index, length), 0, length);
            } else {
                ByteBuf direct = receiver.allocate(); // a heap frame (tests): one copy
                try {
                    int at = direct.writerIndex();
                    direct.setBytes(at, buf, index, length);
                    socket.send(direct.nioBuffer(at, length), 0, length);
                } finally {
                    direct.release();
                }
            }
        } catch (IOException e) {
            sendErrors++; // e.g. EHOSTUNREACH: the guest's ping times out, as with slirp4netns
        }
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        for (int i = 0; i < READS_PER_WAKEUP && !closed; i++) {
            ByteBuf buf = receiver.allocate();
            int at = buf.writerIndex();
            int n;
            try {
                n = buf.hasMemoryAddress()
                        ? socket.recvAddress(buf.memoryAddress(), at, buf.capacity())
                        : socket.recv(buf.nioBuffer(at, buf.capacity() - at), 0, buf.capacity() - at);
            } catch (IOException e) {
                buf.release();
                receiveErrors++; // an ICMP error for an earlier request, reported once
                continue;
            }
            if (n <= 0) {
                buf.release();
                return;
            }
            buf.writerIndex(at + n);
            receiver.reply(buf);
        }
    }

    /** Requests the kernel refused to send. */
    public long sendErrors() {
        return sendErrors;
    }

    /** Errors read from the socket. */
    public long receiveErrors() {
        return receiveErrors;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        try {
            socket.close();
        } catch (IOException e) {
            // the fd is gone either way; nothing a caller could do
        }
    }
}
