package dev.jnet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds one netlink message: the 16-byte {@code nlmsghdr}, a fixed family header, then
 * attributes (nested ones too), all 4-byte aligned as the kernel expects. Length and
 * sequence number are filled in by {@link NetlinkSocket} when the message is sent.
 */
public final class NetlinkMessage {
    public static final int HEADER_LEN = 16;
    public static final short NLM_F_REQUEST = 0x1;
    public static final short NLM_F_MULTI = 0x2;
    public static final short NLM_F_ACK = 0x4;
    public static final short NLM_F_ROOT = 0x100;
    public static final short NLM_F_MATCH = 0x200;
    public static final short NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    public static final short NLM_F_REPLACE = 0x100;
    public static final short NLM_F_EXCL = 0x200;
    public static final short NLM_F_CREATE = 0x400;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;

    private static final short NLA_F_NESTED = (short) 0x8000;

    private ByteBuffer buf;
    private final String description;

    /**
     * @param type message type (e.g. RTM_GETNSID)
     * @param flags NLM_F_* flags; NLM_F_REQUEST is always added
     * @param description what the message does, for error messages ("get nsid of ns1")
     */
    public NetlinkMessage(int type, int flags, String description) {
        this.buf = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        this.description = description;
        buf.putInt(0); // length, patched on send
        buf.putShort((short) type);
        buf.putShort((short) (flags | NLM_F_REQUEST));
        buf.putInt(0); // sequence, patched on send
        buf.putInt(0); // port id: the kernel fills ours in
    }

    public String description() {
        return description;
    }

    /** Appends a fixed header or raw bytes and pads to 4 bytes. */
    public NetlinkMessage putBytes(byte[] bytes) {
        ensure(bytes.length + 3);
        buf.put(bytes);
        align();
        return this;
    }

    public NetlinkMessage putU8(int v) {
        ensure(1);
        buf.put((byte) v);
        return this;
    }

    public NetlinkMessage putU16(int v) {
        ensure(2);
        buf.putShort((short) v);
        return this;
    }

    public NetlinkMessage putU32(int v) {
        ensure(4);
        buf.putInt(v);
        return this;
    }

    /** Pads the fixed header written so far to the 4-byte boundary. */
    public NetlinkMessage align() {
        int pad = (4 - (buf.position() & 3)) & 3;
        ensure(pad);
        for (int i = 0; i < pad; i++) {
            buf.put((byte) 0);
        }
        return this;
    }

    public NetlinkMessage attrU32(int type, int value) {
        ensure(8);
        buf.putShort((short) 8).putShort((short) type).putInt(value);
        return this;
    }

    public NetlinkMessage attrU8(int type, int value) {
        ensure(8);
        buf.putShort((short) 5).putShort((short) type).put((byte) value);
        return align();
    }

    public NetlinkMessage attrU16(int type, int value) {
        ensure(8);
        buf.putShort((short) 6).putShort((short) type).putShort((short) value);
        return align();
    }

    public NetlinkMessage attrBytes(int type, byte[] value) {
        ensure(4 + value.length + 3);
        buf.putShort((short) (4 + value.length)).putShort((short) type).put(value);
        return align();
    }

    /** A NUL-terminated string attribute (interface names and the like). */
    public NetlinkMessage attrString(int type, String value) {
        byte[] b = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] z = java.util.Arrays.copyOf(b, b.length + 1);
        return attrBytes(type, z);
    }

    /** Starts a nested attribute; close it with {@link #endNested(int)} passing the returned mark. */
    public int beginNested(int type) {
        ensure(4);
        int mark = buf.position();
        buf.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
        return mark;
    }

    public NetlinkMessage endNested(int mark) {
        buf.putShort(mark, (short) (buf.position() - mark));
        return this;
    }

    public NetlinkMessage attrU64(int type, long value) {
        ensure(12);
        buf.putShort((short) 12).putShort((short) type).putLong(value);
        return this;
    }

    /** A nested attribute holding nothing but a fixed header (e.g. VETH_INFO_PEER's ifinfomsg) starts like any other. */
    public int position() {
        return buf.position();
    }

    /** Message type (RTM_*). */
    public int type() {
        return Short.toUnsignedInt(buf.getShort(4));
    }

    /** The encoded message with sequence number {@code seq}, as bytes (tests, debugging). */
    public byte[] toBytes(int seq) {
        ByteBuffer b = encode(seq);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** The finished message with the given sequence number, ready to send. */
    ByteBuffer encode(int seq) {
        buf.putInt(0, buf.position());
        buf.putInt(8, seq);
        ByteBuffer out = buf.duplicate().order(ByteOrder.nativeOrder());
        out.flip();
        return out;
    }

    private void ensure(int more) {
        if (buf.remaining() < more) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + more))
                    .order(ByteOrder.nativeOrder());
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }
}
