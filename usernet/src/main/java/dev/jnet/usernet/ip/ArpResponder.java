package dev.jnet.usernet.ip;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.wire.ArpPacket;
import dev.jnet.usernet.wire.EthernetFrame;
import io.netty.buffer.ByteBuf;

/**
 * Answers the guest's ARP requests for the addresses the stack owns, the gateway (.2) and the
 * DNS server (.3), with {@link UsernetConfig#gatewayMac()}. As libslirp's {@code arp_input}:
 * both are answered whatever the host-loopback and DNS settings (they still answer ping),
 * gratuitous ARP and requests for any other address are ignored, and replies are padded to the
 * Ethernet minimum. With pasta's address plan, as pasta's {@code arp()}: every address but the
 * guest's own is answered, since the guest's neighbours on the host's subnet are all reached
 * through the stack.
 */
public final class ArpResponder {
    /** Smallest Ethernet frame without FCS. */
    static final int MIN_FRAME = 60;

    private final UsernetConfig config;
    private final FrameSink sink;
    private final ArpPacket arp = new ArpPacket();
    private long replies;
    private long ignored;

    public ArpResponder(UsernetConfig config, FrameSink sink) {
        this.config = config;
        this.sink = sink;
    }

    /** Handles the ARP packet in {@code frame}'s payload; the frame stays the caller's. */
    public void receive(EthernetFrame frame) {
        arp.wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
        try {
            if (!arp.check() || arp.operation() != ArpPacket.OP_REQUEST
                    || arp.senderProtocolAddress() == arp.targetProtocolAddress()) {
                ignored++;
                return;
            }
            int target = arp.targetProtocolAddress();
            boolean ours = config.pasta() != null ? target != config.guestAddress() && target != 0
                    : target == config.gateway() || target == config.dnsAddress();
            if (!ours) {
                ignored++;
                return;
            }
            ByteBuf reply = sink.alloc().directBuffer(MIN_FRAME);
            reply.setZero(0, MIN_FRAME);
            EthernetFrame.emitHeader(reply, 0, arp.senderHardwareAddress(), config.gatewayMac(),
                    EthernetFrame.ETHERTYPE_ARP);
            arp.emitReply(reply, EthernetFrame.HEADER_LENGTH, config.gatewayMac());
            reply.writerIndex(MIN_FRAME);
            replies++;
            sink.sendFrame(reply);
        } finally {
            arp.clear();
        }
    }

    /** Replies sent. */
    public long replies() {
        return replies;
    }

    /** ARP packets not answered (malformed, replies, gratuitous, other addresses). */
    public long ignored() {
        return ignored;
    }
}
