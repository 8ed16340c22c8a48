package dev.jnet.netlink;

import com.sun.jna.Memory;
import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A NETLINK_ROUTE socket. It belongs to the network namespace of the thread that created it
 * (or of whoever created a passed-in fd), for its whole life. Not thread-safe: one owner.
 */
public final class NetlinkSocket implements AutoCloseable {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_ROUTE = 0;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10;
    private static final int NETLINK_EXT_ACK = 11;
    private static final int NLM_F_ACK_TLVS = 0x200;
    private static final int NLMSGERR_ATTR_MSG = 1;
    private static final int RECV_BUFFER = 1 << 16;

    private final Fd fd;
    private final Memory rx = new Memory(RECV_BUFFER);
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    private NetlinkSocket(Fd fd) {
        this.fd = fd;
        Syscalls.setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, 1, "netlink");
        Syscalls.setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, 1, "netlink");
    }

    /** Opens a route socket in the calling thread's network namespace. */
    public static NetlinkSocket open() {
        Fd fd = Fd.adopt(Syscalls.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE, "netlink route"),
                "netlink");
        try {
            Memory addr = new Memory(12);
            addr.clear();
            addr.setShort(0, (short) AF_NETLINK);
            Syscalls.bind(fd.get(), addr, 12, "netlink route");
            return new NetlinkSocket(fd);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Sends {@code msg} asking for an acknowledgement and returns the data replies (all parts
     * of a dump), after the kernel's ACK or NLMSG_DONE.
     *
     * @throws NetlinkException with the kernel's errno and extended-ack text on NLMSG_ERROR
     */
    public List<ByteBuffer> request(NetlinkMessage msg) {
        int mySeq = ++seq;
        ByteBuffer out = msg.encode(mySeq);
        out.putShort(6, (short) (out.getShort(6) | NetlinkMessage.NLM_F_ACK));
        Memory tx = new Memory(Math.max(1, out.remaining()));
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        tx.write(0, bytes, 0, bytes.length);
        Syscalls.send(fd.get(), tx, bytes.length, msg.description());

        List<ByteBuffer> replies = new ArrayList<>();
        while (true) {
            long n = Syscalls.recv(fd.get(), rx, RECV_BUFFER, 0, msg.description());
            ByteBuffer in = rx.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
            int pos = 0;
            while (pos + NetlinkMessage.HEADER_LEN <= n) {
                int len = in.getInt(pos);
                int type = Short.toUnsignedInt(in.getShort(pos + 4));
                int flags = Short.toUnsignedInt(in.getShort(pos + 6));
                int rseq = in.getInt(pos + 8);
                if (len < NetlinkMessage.HEADER_LEN || pos + len > n) {
                    throw new IllegalStateException("malformed netlink reply to " + msg.description());
                }
                if (rseq == mySeq) {
                    if (type == NetlinkMessage.NLMSG_ERROR) {
                        int error = in.getInt(pos + 16);
                        if (error == 0) {
                            return replies;
                        }
                        throw new NetlinkException(-error, msg.description(), extAckMessage(in, pos, len, flags));
                    }
                    if (type == NetlinkMessage.NLMSG_DONE) {
                        return replies;
                    }
                    ByteBuffer copy = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
                    copy.put(in.duplicate().position(pos).limit(pos + len));
                    replies.add(copy.flip());
                }
                pos += (len + 3) & ~3;
            }
        }
    }

    private static String extAckMessage(ByteBuffer in, int pos, int len, int flags) {
        if ((flags & NLM_F_ACK_TLVS) == 0) {
            return null;
        }
        // nlmsgerr: int error + the request's header (payload capped by NETLINK_CAP_ACK)
        int tlvs = pos + NetlinkMessage.HEADER_LEN + 4 + NetlinkMessage.HEADER_LEN;
        return new NetlinkAttributes(in, tlvs, pos + len).string(NLMSGERR_ATTR_MSG);
    }

    @Override
    public void close() {
        fd.close();
    }
}
