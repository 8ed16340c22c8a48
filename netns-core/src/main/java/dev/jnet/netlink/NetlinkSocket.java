package dev.jnet.netlink;

import com.sun.jna.Memory;
import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    /** Unread acknowledgements allowed in the socket at once (each costs ~1 KiB of receive buffer). */
    public static final int WINDOW = 64;
    private static final Object OK = new Object();

    private final Memory rx = new Memory(RECV_BUFFER);
    private final ByteBuffer rxView = rx.getByteBuffer(0, RECV_BUFFER);
    private Memory tx = new Memory(4096);
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    /** Submitted requests not acknowledged yet: sequence number to description. */
    private final Map<Integer, String> outstanding = new HashMap<>();
    /** Acknowledgements read but not collected: sequence number to OK or a NetlinkException. */
    private final Map<Integer, Object> results = new HashMap<>();
    private int syncSeq;
    private List<ByteBuffer> syncReplies;
    private boolean syncDone;
    private NetlinkException syncError;
    private String syncDescription;

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
     * Takes over a NETLINK_ROUTE socket made elsewhere, e.g. by jnet-helper inside a rootless
     * namespace: it acts in the namespace it was created in, with its creator's capabilities
     * there (netlink checks the opener's credentials), whoever sends on it. Closed on failure.
     */
    public static NetlinkSocket adopt(Fd fd) {
        try {
            return new NetlinkSocket(fd);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Sends {@code msg} asking for an acknowledgement and returns the data replies (all parts
     * of a dump, however many {@code recv}s they take), after the kernel's ACK or NLMSG_DONE.
     * Acknowledgements of {@link #submit submitted} requests that arrive meanwhile are kept.
     *
     * @throws NetlinkException with the kernel's errno and extended-ack text on NLMSG_ERROR
     */
    public List<ByteBuffer> request(NetlinkMessage msg) {
        int mySeq = send(msg);
        List<ByteBuffer> replies = new ArrayList<>();
        syncSeq = mySeq;
        syncReplies = replies;
        syncDone = false;
        syncError = null;
        syncDescription = msg.description();
        try {
            while (!syncDone) {
                receiveOnce(msg.description());
            }
        } finally {
            syncSeq = 0;
            syncReplies = null;
        }
        if (syncError != null) {
            NetlinkException e = syncError;
            syncError = null;
            throw e;
        }
        return replies;
    }

    /**
     * Sends {@code msg} with NLM_F_ACK and returns at once with its sequence number; collect
     * the outcome with {@link #awaitAcks}. At most {@value #WINDOW} acknowledgements are left
     * unread in the socket (older ones are read into memory first), so the receive buffer
     * cannot overflow however many requests are submitted.
     */
    public int submit(NetlinkMessage msg) {
        while (outstanding.size() >= WINDOW) {
            receiveOnce(msg.description());
        }
        int s = send(msg);
        outstanding.put(s, msg.description());
        return s;
    }

    /**
     * Waits for the acknowledgements of the submitted requests {@code seqs} and returns, for
     * each in the same order, null (done) or the kernel's refusal.
     */
    public List<NetlinkException> awaitAcks(int[] seqs) {
        List<NetlinkException> out = new ArrayList<>(seqs.length);
        for (int s : seqs) {
            while (outstanding.containsKey(s)) {
                receiveOnce(outstanding.get(s));
            }
            Object r = results.remove(s);
            out.add(r == OK || r == null ? null : (NetlinkException) r);
        }
        return out;
    }

    /** How many submitted requests have not been acknowledged yet. */
    public int outstanding() {
        return outstanding.size();
    }

    private int send(NetlinkMessage msg) {
        int mySeq = nextSeq();
        ByteBuffer out = msg.encode(mySeq);
        out.putShort(6, (short) (out.getShort(6) | NetlinkMessage.NLM_F_ACK));
        int len = out.remaining();
        if (tx.size() < len) {
            tx = new Memory(Math.max(len, tx.size() * 2));
        }
        if (out.hasArray()) {
            tx.write(0, out.array(), out.arrayOffset() + out.position(), len);
        } else {
            byte[] bytes = new byte[len];
            out.get(bytes);
            tx.write(0, bytes, 0, len);
        }
        Syscalls.send(fd.get(), tx, len, msg.description());
        return mySeq;
    }

    private int nextSeq() {
        int s = ++seq;
        if (s <= 0) { // never 0 (kernel notifications) nor negative
            seq = 1;
            s = 1;
        }
        return s;
    }

    /** One recv(): dispatches every message in it to the synchronous request or the submitted ones. */
    private void receiveOnce(String what) {
        long n = Syscalls.recv(fd.get(), rx, RECV_BUFFER, 0, what);
        ByteBuffer in = rxView.duplicate().order(ByteOrder.nativeOrder());
        int pos = 0;
        while (pos + NetlinkMessage.HEADER_LEN <= n) {
            int len = in.getInt(pos);
            int type = Short.toUnsignedInt(in.getShort(pos + 4));
            int flags = Short.toUnsignedInt(in.getShort(pos + 6));
            int rseq = in.getInt(pos + 8);
            if (len < NetlinkMessage.HEADER_LEN || pos + len > n) {
                throw new IllegalStateException("malformed netlink reply to " + what);
            }
            if (rseq != 0 && rseq == syncSeq && !syncDone) {
                if (type == NetlinkMessage.NLMSG_ERROR) {
                    int error = in.getInt(pos + 16);
                    if (error != 0) {
                        syncError = new NetlinkException(-error, syncDescription, extAckMessage(in, pos, len, flags));
                    }
                    syncDone = true;
                } else if (type == NetlinkMessage.NLMSG_DONE) {
                    int error = len >= NetlinkMessage.HEADER_LEN + 4 ? in.getInt(pos + 16) : 0;
                    if (error < 0) {
                        syncError = new NetlinkException(-error, syncDescription, extAckMessage(in, pos, len, flags));
                    }
                    syncDone = true;
                } else if (type != NetlinkMessage.NLMSG_NOOP) {
                    ByteBuffer copy = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
                    copy.put(in.duplicate().position(pos).limit(pos + len));
                    syncReplies.add(copy.flip());
                }
            } else if (type == NetlinkMessage.NLMSG_ERROR && outstanding.containsKey(rseq)) {
                String desc = outstanding.remove(rseq);
                int error = in.getInt(pos + 16);
                results.put(rseq, error == 0 ? OK : new NetlinkException(-error, desc, extAckMessage(in, pos, len, flags)));
            }
            pos += (len + 3) & ~3;
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
