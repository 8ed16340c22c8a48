package dev.jnet.usernet.icmp;

import dev.jnet.usernet.ip.Ipv4Handler;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * ICMPv4 error messages to the guest (RFC 792): destination unreachable, quoting the
 * offending packet's IP header and first 8 transport bytes, sent from the address the guest
 * tried to reach so its socket reports e.g. "No route to host".
 */
public final class Icmpv4Errors {
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_ADMIN_PROHIBITED = 13;

    private final IcmpV4Packet icmp = new IcmpV4Packet();

    /**
     * The handler for packets of protocols the stack does not speak ({@link
     * dev.jnet.usernet.ip.Ipv4Input}'s): protocol unreachable, sent through {@code out}.
     */
    public Ipv4Handler protocolUnreachable(Ipv4Output out) {
        return ip -> sendUnreachable(out, ip, CODE_PROTOCOL_UNREACHABLE);
    }

    /** Sends destination unreachable with {@code code} about the guest's packet {@code original}. */
    public void sendUnreachable(Ipv4Output out, Ipv4Packet original, int code) {
        if (original.protocol() == Ipv4Packet.PROTO_ICMP) {
            return; // never an error about an error (RFC 1122 3.2.2); echo is answered elsewhere
        }
        int quoted = Math.min(original.totalLength(), original.headerLength() + 8);
        ByteBuf buf = out.allocate(IcmpV4Packet.HEADER_LENGTH + quoted);
        int start = buf.writerIndex();
        buf.writeByte(IcmpV4Packet.TYPE_DEST_UNREACHABLE).writeByte(code).writeShort(0).writeInt(0);
        buf.writeBytes(original.buffer(), original.offset(), quoted);
        icmp.wrap(buf, start, buf.writerIndex() - start).fillChecksum();
        icmp.clear();
        out.send(buf, original.dst(), original.src(), Ipv4Packet.PROTO_ICMP);
    }
}
