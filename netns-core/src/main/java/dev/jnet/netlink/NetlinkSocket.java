package dev.jnet.netlink;

import com.sun.jna.Memory;
import dev.jnet.linux.Fd;
import dev.jnet.linux.SyscallException;
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
 *
 * <p>Pipelining ({@link #submit}): submitted requests are queued in one send buffer and go to
 * the kernel together, many per {@code send()}, and only the last request of each send asks
 * for an acknowledgement. The kernel handles the messages of one send in order, inside that
 * {@code send()}, and answers a request without NLM_F_ACK only when it fails; so the
 * acknowledgement of the last request, or the final reply of any later request, confirms
 * every earlier one, and each failure still names its own sequence number. Submitted requests
 * go out when {@value #WINDOW} are unconfirmed, when the send buffer is full, with the next
 * {@link #request}, or at {@link #flush}/{@link #awaitAcks}.
 */
public final class NetlinkSocket implements AutoCloseable {
    /** socket(2) arguments of a route socket (for {@link #adopt}ing one made elsewhere). */
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    public static final int NETLINK_ROUTE = 0;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10;
    private static final int NETLINK_EXT_ACK = 11;
    private static final int NLM_F_ACK_TLVS = 0x200;
    private static final int NLMSGERR_ATTR_MSG = 1;
    private static final int RECV_BUFFER = 1 << 16;
    private static final int SEND_BUFFER = 1 << 16;

    /**
     * Submitted requests whose outcome is not known yet, at most. Each may come back as an
     * error message the socket must hold until it is read (about 1 KiB of receive buffer with
     * the extended-ack text; the default receive buffer is 208 KiB), so however many requests
     * are submitted, the kernel never has to drop an answer.
     */
    public static final int WINDOW = 64;

    private final Fd fd;
    private final Memory rx = new Memory(RECV_BUFFER);
    private final ByteBuffer rxView = rx.getByteBuffer(0, RECV_BUFFER).order(ByteOrder.nativeOrder());
    /** Requests not sent yet, back to back, as the kernel reads them; written through txView. */
    private Memory tx = new Memory(SEND_BUFFER);
    private ByteBuffer txView = tx.getByteBuffer(0, SEND_BUFFER).order(ByteOrder.nativeOrder());
    private int txLen;
    /** Where the last queued message starts: it gets NLM_F_ACK when the buffer is sent. */
    private int txLast;
    private int seq = (int) (System.nanoTime() & 0x3fffffff);

    /**
     * Submitted requests not confirmed yet, oldest first (a ring): sequence number and
     * description. The last {@code queued} of them are still in the send buffer.
     */
    private final int[] unconfirmedSeq = new int[WINDOW];
    private final String[] unconfirmedWhat = new String[WINDOW];
    private int head;
    private int unconfirmed;
    private int queued;
    /** Refusals of submitted requests, until {@link #awaitAcks} collects them; absent = done. */
    private final Map<Integer, NetlinkException> failures = new HashMap<>();

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
     * Requests submitted before go out in the same send, ahead of it, and are confirmed by
     * its answer.
     *
     * @throws NetlinkException with the kernel's errno and extended-ack text on NLMSG_ERROR
     */
    public List<ByteBuffer> request(NetlinkMessage msg) {
        int mySeq = nextSeq();
        List<ByteBuffer> replies = new ArrayList<>();
        syncSeq = mySeq;
        syncReplies = replies;
        syncDone = false;
        syncError = null;
        syncDescription = msg.description();
        try {
            queue(msg, mySeq);
            NetlinkException sendFailure = flushBuffer();
            if (sendFailure != null) {
                throw sendFailure;
            }
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
     * Queues {@code msg} and returns at once with its sequence number; collect the outcome
     * with {@link #awaitAcks}. A request that cannot be sent at all (the send itself fails)
     * is a failure at its sequence number too.
     */
    public int submit(NetlinkMessage msg) {
        if (unconfirmed == WINDOW) {
            confirmAll(msg.description());
        }
        int s = nextSeq();
        queue(msg, s);
        unconfirmedSeq[(head + unconfirmed) % WINDOW] = s;
        unconfirmedWhat[(head + unconfirmed) % WINDOW] = msg.description();
        unconfirmed++;
        queued++;
        return s;
    }

    /**
     * Sends the queued requests now, without waiting for the kernel's answers. The kernel has
     * handled them when this returns, so file descriptors they name (IFLA_NET_NS_FD) may then
     * be closed.
     */
    public void flush() {
        flushBuffer(); // a failed send is recorded for each request in it, for awaitAcks
    }

    /**
     * Waits for the outcome of the submitted requests {@code seqs} and returns, for each in
     * the same order, null (done) or the kernel's refusal.
     */
    public List<NetlinkException> awaitAcks(int[] seqs) {
        confirmAll("acknowledgements");
        List<NetlinkException> out = new ArrayList<>(seqs.length);
        for (int s : seqs) {
            out.add(failures.remove(s));
        }
        return out;
    }

    /** How many submitted requests are not confirmed yet (queued or sent). */
    public int outstanding() {
        return unconfirmed;
    }

    /** Sends what is queued and reads until every submitted request is confirmed. */
    private void confirmAll(String what) {
        flushBuffer();
        while (unconfirmed > 0) {
            receiveOnce(what);
        }
    }

    /** Appends {@code msg} with sequence number {@code s} to the send buffer (sending first if it is full). */
    private void queue(NetlinkMessage msg, int s) {
        ByteBuffer m = msg.encode(s);
        int len = m.remaining();
        int aligned = (len + 3) & ~3;
        if (txLen + aligned > tx.size()) {
            flushBuffer();
            if (aligned > tx.size()) {
                tx = new Memory(aligned);
                txView = tx.getByteBuffer(0, aligned).order(ByteOrder.nativeOrder());
            }
        }
        txView.put(txLen, m, m.position(), len);
        int flags = Short.toUnsignedInt(txView.getShort(txLen + 6)) & ~NetlinkMessage.NLM_F_ACK;
        txView.putShort(txLen + 6, (short) flags);
        for (int i = len; i < aligned; i++) {
            txView.put(txLen + i, (byte) 0);
        }
        txLast = txLen;
        txLen += aligned;
    }

    /**
     * Sends the send buffer, the last message asking for an acknowledgement. When the send
     * fails, every submitted request in it fails with that errno (recorded for awaitAcks),
     * and the failure is returned for the synchronous request, if it was in the buffer.
     */
    private NetlinkException flushBuffer() {
        if (txLen == 0) {
            return null;
        }
        txView.putShort(txLast + 6, (short) (txView.getShort(txLast + 6) | NetlinkMessage.NLM_F_ACK));
        int len = txLen;
        int sent = queued;
        txLen = 0;
        queued = 0;
        try {
            Syscalls.send(fd.get(), tx, len, "netlink requests");
            return null;
        } catch (SyscallException e) {
            // nothing of the buffer reached the kernel: its submitted requests failed, and leave the window
            for (int i = 0; i < sent; i++) {
                unconfirmed--;
                int slot = (head + unconfirmed) % WINDOW;
                failures.put(unconfirmedSeq[slot], new NetlinkException(e.errno(), unconfirmedWhat[slot], null));
                unconfirmedWhat[slot] = null;
            }
            return new NetlinkException(e.errno(), syncDescription, null);
        }
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
        ByteBuffer in = rxView;
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
                if (syncDone) {
                    // it went out after every submitted request: the kernel is done with all of them
                    confirmOldest(unconfirmed - queued);
                }
            } else if (type == NetlinkMessage.NLMSG_ERROR) {
                int slot = sentSlot(rseq);
                if (slot >= 0) {
                    int error = in.getInt(pos + 16);
                    if (error != 0) {
                        failures.put(rseq, new NetlinkException(-error, unconfirmedWhat[(head + slot) % WINDOW],
                                extAckMessage(in, pos, len, flags)));
                    }
                    // answers come in request order: every request before this one is done too
                    confirmOldest(slot + 1);
                }
            }
            pos += (len + 3) & ~3;
        }
    }

    /** The position (0 = oldest) of sent request {@code s} among the unconfirmed ones, or -1. */
    private int sentSlot(int s) {
        int sent = unconfirmed - queued;
        for (int i = 0; i < sent; i++) {
            if (unconfirmedSeq[(head + i) % WINDOW] == s) {
                return i;
            }
        }
        return -1;
    }

    /** The oldest {@code count} unconfirmed requests are done (those that failed are in failures). */
    private void confirmOldest(int count) {
        for (int i = 0; i < count; i++) {
            unconfirmedWhat[head] = null;
            head = (head + 1) % WINDOW;
        }
        unconfirmed -= count;
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
