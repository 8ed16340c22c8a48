package dev.jnet.it.usernet.link;

import dev.jnet.usernet.EventLoopScheduler;
import dev.jnet.usernet.StackFactory;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.link.FrameSink;
import dev.jnet.usernet.wire.ArpPacket;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * A test-only "stack" for link and CLI tests: answers ARP for the gateway (.2) and DNS (.3)
 * addresses and ICMP echo sent to them (the request turned into the reply in place), drops
 * everything else. Enough to see frames go both ways through the real tap, nothing more.
 * Loaded by {@code jnet usernet} through {@code -Djnet.usernet.stack=} this class.
 */
public final class GatewayResponder implements StackFactory {
    @Override
    public Attached create(UsernetConfig config, EventLoopScheduler scheduler, FrameSink sink) {
        EthernetFrame eth = new EthernetFrame();
        ArpPacket arp = new ArpPacket();
        Ipv4Packet ip = new Ipv4Packet();
        IcmpV4Packet icmp = new IcmpV4Packet();
        long ours = config.gatewayMac();
        return new Attached(frame -> {
            boolean sent = false;
            try {
                if (!eth.wrap(frame).check()) {
                    return;
                }
                int at = frame.readerIndex() + EthernetFrame.HEADER_LENGTH;
                if (eth.etherType() == EthernetFrame.ETHERTYPE_ARP) {
                    arp.wrap(frame, at, eth.payloadLength());
                    int target = arp.check() ? arp.targetProtocolAddress() : 0;
                    if (arp.operation() == ArpPacket.OP_REQUEST && (target == config.gateway()
                            || target == config.dnsAddress())) {
                        ByteBuf reply = sink.alloc().directBuffer(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
                        EthernetFrame.emitHeader(reply, 0, arp.senderHardwareAddress(), ours, EthernetFrame.ETHERTYPE_ARP);
                        arp.emitReply(reply, EthernetFrame.HEADER_LENGTH, ours);
                        reply.writerIndex(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
                        sink.sendFrame(reply);
                    }
                } else if (eth.etherType() == EthernetFrame.ETHERTYPE_IPV4 && ip.wrap(frame, at, eth.payloadLength()).check()
                        && ip.protocol() == Ipv4Packet.PROTO_ICMP && (ip.dst() == config.gateway()
                        || ip.dst() == config.dnsAddress())) {
                    icmp.wrap(frame, at + ip.headerLength(), ip.payloadLength());
                    if (icmp.check() && icmp.type() == IcmpV4Packet.TYPE_ECHO_REQUEST) {
                        long guest = eth.src();
                        eth.setDst(guest).setSrc(ours);
                        int from = ip.src();
                        ip.setSrc(ip.dst()).setDst(from).setTtl(64).fillChecksum();
                        icmp.setType(IcmpV4Packet.TYPE_ECHO_REPLY).fillChecksum();
                        sink.sendFrame(frame); // the request's own buffer, now the reply
                        sent = true;
                    }
                }
            } finally {
                if (!sent) {
                    frame.release();
                }
            }
        }, () -> { });
    }
}
