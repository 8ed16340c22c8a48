package dev.jnet.usernet.forward;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import dev.jnet.netlink.NetlinkMessage;
import dev.jnet.netlink.NetlinkSocket;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.List;

/**
 * The ports bound in one network namespace, as pasta's {@code auto} forwarding scans them:
 * TCP sockets in LISTEN and unconnected bound UDP sockets, IPv4 and IPv6. pasta reads
 * {@code /proc/net/tcp*} and {@code udp*} from inside the namespace; this asks the kernel the
 * same through a {@code NETLINK_SOCK_DIAG} socket ({@code inet_diag}, what {@code ss} uses)
 * made in that namespace: a socket answers for the namespace it was created in for life, so
 * one socket serves every scan of a namespace this process is not in, whoever the target is
 * (a PID, a namespace file, or one a session made). Not thread-safe: one scanning thread.
 */
public final class ListeningPorts implements AutoCloseable {
    public static final int NETLINK_SOCK_DIAG = 4;
    private static final int SOCK_DIAG_BY_FAMILY = 20;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int TCP_LISTEN = 10;
    /** An unconnected bound UDP socket's state (TCP_CLOSE): what {@code /proc/net/udp} lists as 07. */
    private static final int UDP_UNCONNECTED = 7;
    /** inet_diag_req_v2: family, protocol, ext, pad, states, then a 48-byte inet_diag_sockid. */
    private static final int SOCKID_LEN = 48;
    /** inet_diag_msg after the netlink header: family, state, timer, retrans, then the socket id (sport first). */
    private static final int SPORT_OFFSET = NetlinkMessage.HEADER_LEN + 4;
    private static final int NUM_PORTS = 1 << 16;

    private final NetlinkSocket socket;

    private ListeningPorts(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Scans the namespace {@code fd} (a {@code NETLINK_SOCK_DIAG} socket, e.g. made there by
     * jnet-helper) was created in; takes ownership of it.
     */
    public static ListeningPorts adopt(Fd fd) {
        return new ListeningPorts(NetlinkSocket.adopt(fd));
    }

    /** Scans this process's own network namespace (pasta's init namespace). */
    public static ListeningPorts ofOwnNamespace() {
        int fd = Syscalls.socket(NetlinkSocket.AF_NETLINK, NetlinkSocket.SOCK_RAW | Syscalls.SOCK_CLOEXEC,
                NETLINK_SOCK_DIAG, "netlink sock_diag");
        return adopt(Fd.adopt(fd, "netlink sock_diag"));
    }

    /** TCP ports with a listening socket (any address, IPv4 or IPv6). */
    public BitSet tcp() {
        return scan(IPPROTO_TCP, TCP_LISTEN);
    }

    /** UDP ports with an unconnected bound socket (any address, IPv4 or IPv6). */
    public BitSet udp() {
        return scan(IPPROTO_UDP, UDP_UNCONNECTED);
    }

    private BitSet scan(int protocol, int state) {
        BitSet ports = new BitSet(NUM_PORTS);
        for (int family : new int[] {AF_INET, AF_INET6}) {
            NetlinkMessage req = new NetlinkMessage(SOCK_DIAG_BY_FAMILY, NetlinkMessage.NLM_F_REQUEST
                    | NetlinkMessage.NLM_F_DUMP, "sock_diag dump")
                    .putU8(family).putU8(protocol).putU8(0).putU8(0).putU32(1 << state).putBytes(new byte[SOCKID_LEN]);
            addPorts(socket.request(req), ports);
        }
        return ports;
    }

    /** The source ports of {@code replies} (inet_diag_msg each, netlink header first) into {@code ports}. */
    static void addPorts(List<ByteBuffer> replies, BitSet ports) {
        for (ByteBuffer m : replies) {
            if (m.limit() >= SPORT_OFFSET + 2) {
                int port = Short.toUnsignedInt(m.order(java.nio.ByteOrder.BIG_ENDIAN).getShort(SPORT_OFFSET));
                if (port > 0) {
                    ports.set(port);
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
