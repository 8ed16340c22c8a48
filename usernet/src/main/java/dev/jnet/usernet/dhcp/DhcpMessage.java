package dev.jnet.usernet.dhcp;

import io.netty.buffer.ByteBuf;

/**
 * A DHCPv4 message (RFC 2131 section 2, options RFC 2132): a reusable parser of the fields the
 * server acts on, and the writer of its replies. Parsing reads only inside
 * {@code [offset, offset + length)}, never throws on malformed input (it returns {@code false})
 * and allocates nothing.
 */
public final class DhcpMessage {
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;

    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;

    public static final int OPT_PAD = 0;
    public static final int OPT_SUBNET_MASK = 1;
    public static final int OPT_ROUTER = 3;
    public static final int OPT_DNS = 6;
    public static final int OPT_MTU = 26;
    public static final int OPT_DOMAIN_SEARCH = 119;
    public static final int OPT_REQUESTED_IP = 50;
    public static final int OPT_LEASE_TIME = 51;
    public static final int OPT_OVERLOAD = 52;
    public static final int OPT_MESSAGE_TYPE = 53;
    public static final int OPT_SERVER_ID = 54;
    public static final int OPT_MESSAGE = 56;
    public static final int OPT_END = 255;

    /** op..file: the fixed BOOTP header (RFC 951). */
    public static final int FIXED_LENGTH = 236;
    public static final int MAGIC_COOKIE = 0x6382_5363;
    static final int OPTIONS_OFFSET = FIXED_LENGTH + 4;
    /** RFC 1542 section 2.1: relays and old clients expect BOOTP messages of at least 300 bytes. */
    public static final int MIN_REPLY_LENGTH = 300;

    private static final int HTYPE_ETHERNET = 1;

    private int op;
    private int xid;
    private int flags;
    private int ciaddr;
    private long chaddr;
    private int messageType;
    private int requestedIp;
    private int serverId;

    /**
     * Parses a client's message.
     *
     * @return whether it is a well-formed BOOTREQUEST from an Ethernet client carrying a DHCP
     *     message type; the accessors are valid only then
     */
    public boolean parse(ByteBuf buf, int offset, int length) {
        messageType = 0;
        requestedIp = 0;
        serverId = 0;
        if (length < OPTIONS_OFFSET || offset < 0 || offset + length > buf.capacity()) {
            return false;
        }
        op = buf.getUnsignedByte(offset);
        if (op != BOOTREQUEST || buf.getUnsignedByte(offset + 1) != HTYPE_ETHERNET
                || buf.getUnsignedByte(offset + 2) != 6 || buf.getInt(offset + FIXED_LENGTH) != MAGIC_COOKIE) {
            return false;
        }
        xid = buf.getInt(offset + 4);
        flags = buf.getUnsignedShort(offset + 10);
        ciaddr = buf.getInt(offset + 12);
        chaddr = ((long) buf.getUnsignedShort(offset + 28) << 32) | (buf.getInt(offset + 30) & 0xFFFF_FFFFL);
        // options until END or the end of the datagram; overloaded sname/file (option 52) carry
        // nothing this server needs, so they are not read (RFC 2131 4.1 lets a server ignore them)
        int i = offset + OPTIONS_OFFSET;
        int end = offset + length;
        while (i < end) {
            int code = buf.getUnsignedByte(i);
            if (code == OPT_PAD) {
                i++;
                continue;
            }
            if (code == OPT_END) {
                break;
            }
            if (i + 1 >= end) {
                return false;
            }
            int len = buf.getUnsignedByte(i + 1);
            int value = i + 2;
            if (value + len > end) {
                return false; // an option running past the datagram: the whole message is suspect
            }
            switch (code) {
                case OPT_MESSAGE_TYPE -> messageType = len == 1 ? buf.getUnsignedByte(value) : 0;
                case OPT_REQUESTED_IP -> requestedIp = len == 4 ? buf.getInt(value) : 0;
                case OPT_SERVER_ID -> serverId = len == 4 ? buf.getInt(value) : 0;
                default -> { }
            }
            i = value + len;
        }
        return messageType != 0;
    }

    public int xid() {
        return xid;
    }

    /** The flags field; bit 15 is BROADCAST (RFC 2131 figure 2). */
    public int flags() {
        return flags;
    }

    public int ciaddr() {
        return ciaddr;
    }

    /** The client's Ethernet address, in the low 48 bits. */
    public long chaddr() {
        return chaddr;
    }

    /** Option 53, or 0. */
    public int messageType() {
        return messageType;
    }

    /** Option 50, or 0. */
    public int requestedIp() {
        return requestedIp;
    }

    /** Option 54, or 0. */
    public int serverId() {
        return serverId;
    }

    /** Bytes {@link #writeReply} needs at most with one DNS server and no search list (before padding). */
    public static final int MAX_REPLY_LENGTH = OPTIONS_OFFSET + 3 + 6 * 6 + 4 + 2 + 32 + 1;

    /**
     * Bytes {@link #writeReply} needs at most (at least {@link #MIN_REPLY_LENGTH}) for
     * {@code dnsCount} servers and a search list of {@code searchLength} bytes.
     */
    public static int replyCapacity(int dnsCount, int searchLength) {
        int search = searchLength == 0 ? 0 : searchLength + 2 * ((searchLength + 254) / 255);
        return Math.max(MIN_REPLY_LENGTH, MAX_REPLY_LENGTH + 4 * Math.max(0, dnsCount - 1) + search);
    }

    /**
     * Writes a BOOTREPLY answering {@code request} at {@code buf[index, ...)} (absolute, the
     * capacity must hold {@link #replyCapacity} bytes).
     *
     * @param dns     the DNS servers (option 6; none: no option)
     * @param search  the search list in wire form (option 119, RFC 3397, split into options of
     *                255 bytes as RFC 3396 concatenates them; empty: no option)
     * @param message a NAK's message (option 56, ASCII), or {@code null}
     * @return the number of bytes written
     */
    public static int writeReply(ByteBuf buf, int index, DhcpMessage request, int type, int yiaddr, int serverId,
            int netmask, int router, int[] dns, byte[] search, int leaseSeconds, int mtu, String message) {
        buf.setZero(index, OPTIONS_OFFSET);
        buf.setByte(index, BOOTREPLY);
        buf.setByte(index + 1, HTYPE_ETHERNET);
        buf.setByte(index + 2, 6);
        buf.setInt(index + 4, request.xid);
        buf.setShort(index + 10, request.flags);
        if (type != NAK) { // RFC 2131 table 3: a NAK carries no addresses
            buf.setInt(index + 12, type == ACK ? request.ciaddr : 0);
            buf.setInt(index + 16, yiaddr);
        }
        buf.setShort(index + 28, (int) (request.chaddr >>> 32));
        buf.setInt(index + 30, (int) request.chaddr);
        buf.setInt(index + FIXED_LENGTH, MAGIC_COOKIE);
        int i = index + OPTIONS_OFFSET;
        buf.setByte(i++, OPT_MESSAGE_TYPE);
        buf.setByte(i++, 1);
        buf.setByte(i++, type);
        i = address(buf, i, OPT_SERVER_ID, serverId);
        if (type != NAK) {
            i = address(buf, i, OPT_SUBNET_MASK, netmask);
            i = address(buf, i, OPT_ROUTER, router);
            if (dns.length > 0) {
                buf.setByte(i++, OPT_DNS);
                buf.setByte(i++, 4 * dns.length);
                for (int server : dns) {
                    buf.setInt(i, server);
                    i += 4;
                }
            }
            for (int at = 0; at < search.length; at += 255) {
                int len = Math.min(255, search.length - at);
                buf.setByte(i++, OPT_DOMAIN_SEARCH);
                buf.setByte(i++, len);
                buf.setBytes(i, search, at, len);
                i += len;
            }
            if (leaseSeconds != 0) {
                i = address(buf, i, OPT_LEASE_TIME, leaseSeconds);
            }
            if (mtu != 0) {
                buf.setByte(i++, OPT_MTU);
                buf.setByte(i++, 2);
                buf.setShort(i, mtu);
                i += 2;
            }
        } else if (message != null) {
            int len = Math.min(message.length(), 32);
            buf.setByte(i++, OPT_MESSAGE);
            buf.setByte(i++, len);
            for (int c = 0; c < len; c++) {
                buf.setByte(i++, message.charAt(c));
            }
        }
        buf.setByte(i++, OPT_END);
        int written = i - index;
        if (written < MIN_REPLY_LENGTH) {
            buf.setZero(i, MIN_REPLY_LENGTH - written); // PAD
            written = MIN_REPLY_LENGTH;
        }
        return written;
    }

    private static int address(ByteBuf buf, int i, int code, int value) {
        if (value == 0 && code != OPT_LEASE_TIME) {
            return i;
        }
        buf.setByte(i, code);
        buf.setByte(i + 1, 4);
        buf.setInt(i + 2, value);
        return i + 6;
    }
}
