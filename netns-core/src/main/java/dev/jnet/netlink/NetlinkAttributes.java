package dev.jnet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A read-only view of a run of netlink attributes ({@code struct nlattr} TLVs). Lookups scan;
 * attribute runs are short, and a view allocates nothing until a value is read.
 */
public final class NetlinkAttributes {
    private static final int TYPE_MASK = 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER

    private final ByteBuffer buf;
    private final int start;
    private final int end;

    public NetlinkAttributes(ByteBuffer buf, int start, int end) {
        this.buf = buf.duplicate().order(ByteOrder.nativeOrder());
        this.start = start;
        this.end = end;
    }

    /** Offset of the payload of attribute {@code type}, or -1; payload length via {@link #length}. */
    public int find(int type) {
        int pos = start;
        while (pos + 4 <= end) {
            int len = Short.toUnsignedInt(buf.getShort(pos));
            if (len < 4 || pos + len > end) {
                return -1; // malformed: stop rather than read past the message
            }
            if ((buf.getShort(pos + 2) & TYPE_MASK) == type) {
                return pos + 4;
            }
            pos += (len + 3) & ~3;
        }
        return -1;
    }

    public boolean has(int type) {
        return find(type) >= 0;
    }

    public int length(int payloadOffset) {
        return Short.toUnsignedInt(buf.getShort(payloadOffset - 4)) - 4;
    }

    public int u32(int type, int dflt) {
        int at = find(type);
        return at < 0 || length(at) < 4 ? dflt : buf.getInt(at);
    }

    public int s32(int type, int dflt) {
        return u32(type, dflt);
    }

    public int u8(int type, int dflt) {
        int at = find(type);
        return at < 0 || length(at) < 1 ? dflt : Byte.toUnsignedInt(buf.get(at));
    }

    public int u16(int type, int dflt) {
        int at = find(type);
        return at < 0 || length(at) < 2 ? dflt : Short.toUnsignedInt(buf.getShort(at));
    }

    public byte[] bytes(int type) {
        int at = find(type);
        if (at < 0) {
            return null;
        }
        byte[] out = new byte[length(at)];
        buf.get(at, out);
        return out;
    }

    /** A NUL-terminated string attribute, or null. */
    public String string(int type) {
        int at = find(type);
        if (at < 0) {
            return null;
        }
        int len = length(at);
        int n = 0;
        while (n < len && buf.get(at + n) != 0) {
            n++;
        }
        byte[] b = new byte[n];
        buf.get(at, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The attributes nested inside attribute {@code type}, or null. */
    public NetlinkAttributes nested(int type) {
        int at = find(type);
        return at < 0 ? null : new NetlinkAttributes(buf, at, at + length(at));
    }
}
