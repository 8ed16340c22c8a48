package dev.jnet.usernet.dhcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Client messages for the tests, as udhcpc sends them. */
final class DhcpRequests {
    private DhcpRequests() {}

    /** A BOOTREQUEST payload (no UDP/IP headers); {@code requested}/{@code serverId} 0: option left out. */
    static ByteBuf message(int type, int xid, long mac, int ciaddr, int requested, int serverId) {
        ByteBuf b = Unpooled.buffer(300, 300);
        b.setZero(0, 300);
        b.setByte(0, DhcpMessage.BOOTREQUEST);
        b.setByte(1, 1);
        b.setByte(2, 6);
        b.setInt(4, xid);
        b.setShort(10, 0x8000);
        b.setInt(12, ciaddr);
        b.setShort(28, (int) (mac >>> 32));
        b.setInt(30, (int) mac);
        b.setInt(DhcpMessage.FIXED_LENGTH, DhcpMessage.MAGIC_COOKIE);
        int i = DhcpMessage.OPTIONS_OFFSET;
        b.setByte(i++, DhcpMessage.OPT_MESSAGE_TYPE);
        b.setByte(i++, 1);
        b.setByte(i++, type);
        b.setByte(i++, DhcpMessage.OPT_PAD);
        b.setByte(i++, 55); // parameter request list: skipped
        b.setByte(i++, 3);
        b.setByte(i++, 1);
        b.setByte(i++, 3);
        b.setByte(i++, 6);
        if (requested != 0) {
            b.setByte(i++, DhcpMessage.OPT_REQUESTED_IP);
            b.setByte(i++, 4);
            b.setInt(i, requested);
            i += 4;
        }
        if (serverId != 0) {
            b.setByte(i++, DhcpMessage.OPT_SERVER_ID);
            b.setByte(i++, 4);
            b.setInt(i, serverId);
            i += 4;
        }
        b.setByte(i, DhcpMessage.OPT_END);
        b.writerIndex(300);
        return b;
    }

    /** The value of option {@code code} in a reply at {@code buf[offset, offset + length)}, or -1. */
    static int option(ByteBuf buf, int offset, int length, int code) {
        int at = optionAt(buf, offset + DhcpMessage.OPTIONS_OFFSET, offset + length, code);
        if (at < 0) {
            return -1;
        }
        int len = buf.getUnsignedByte(at + 1);
        return switch (len) {
            case 1 -> buf.getUnsignedByte(at + 2);
            case 2 -> buf.getUnsignedShort(at + 2);
            case 4 -> buf.getInt(at + 2);
            default -> len;
        };
    }

    /** Where the first option {@code code} in {@code [from, end)} starts, or -1 (PAD skipped, END ends). */
    private static int optionAt(ByteBuf buf, int from, int end, int code) {
        int i = from;
        while (i < end) {
            int c = buf.getUnsignedByte(i);
            if (c == DhcpMessage.OPT_PAD) {
                i++;
                continue;
            }
            if (c == DhcpMessage.OPT_END) {
                return -1;
            }
            if (c == code) {
                return i;
            }
            i += 2 + buf.getUnsignedByte(i + 1);
        }
        return -1;
    }

    /** The values of every instance of option {@code code}, concatenated (RFC 3396). */
    static byte[] optionBytes(ByteBuf buf, int offset, int length, int code) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int end = offset + length;
        for (int at = optionAt(buf, offset + DhcpMessage.OPTIONS_OFFSET, end, code); at >= 0;
                at = optionAt(buf, at + 2 + buf.getUnsignedByte(at + 1), end, code)) {
            byte[] v = new byte[buf.getUnsignedByte(at + 1)];
            buf.getBytes(at + 2, v);
            out.writeBytes(v);
        }
        return out.toByteArray();
    }
}
