package dev.jnet.usernet.icmp;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Handler;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.nat.HostRedirect;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;

/**
 * ICMP from the guest. Echo requests to the stack's own addresses (gateway .2, DNS .3) are
 * answered by the stack, always, as libslirp's {@code icmp_input} does whatever host loopback
 * and DNS settings say; echo requests to outside hosts go to the {@link IcmpEchoForwarder}
 * (if any); everything else (other types, other subnet addresses) is dropped and counted.
 */
public final class IcmpEcho implements Ipv4Handler, AutoCloseable {
    private final UsernetConfig config;
    private final Ipv4Output out;
    private final AddressMap map;
    private final IcmpEchoForwarder forwarder;
    private final IcmpV4Packet icmp = new IcmpV4Packet();
    private final IcmpV4Packet reply = new IcmpV4Packet();
    private long answered;
    private long dropped;

    /** @param forwarder echo to outside hosts, or {@code null} to drop those requests */
    public IcmpEcho(UsernetConfig config, Ipv4Output out, AddressMap map, IcmpEchoForwarder forwarder) {
        this.config = config;
        this.out = out;
        this.map = map;
        this.forwarder = forwarder;
    }

    @Override
    public void receive(Ipv4Packet ip) {
        icmp.wrap(ip.buffer(), ip.payloadOffset(), ip.payloadLength());
        try {
            if (!icmp.check() || !icmp.verifyChecksum()
                    || icmp.type() != IcmpV4Packet.TYPE_ECHO_REQUEST || icmp.code() != 0) {
                dropped++;
                return;
            }
            int dst = ip.dst();
            if (dst == config.gateway() || dst == config.dnsAddress()) {
                answer(ip);
            } else if (forwarder != null && map.classify(HostRedirect.ECHO, dst, 0) == AddressMap.Kind.HOST) {
                forwarder.forward(ip, icmp, map.hostAddress(dst));
            } else {
                dropped++;
            }
        } finally {
            icmp.clear();
        }
    }

    private void answer(Ipv4Packet ip) {
        int len = icmp.length();
        ByteBuf buf = out.allocate(len);
        int start = buf.writerIndex();
        buf.writeBytes(icmp.buffer(), icmp.offset(), len);
        reply.wrap(buf, start, len).setType(IcmpV4Packet.TYPE_ECHO_REPLY).fillChecksum();
        reply.clear();
        answered++;
        out.send(buf, ip.dst(), ip.src(), Ipv4Packet.PROTO_ICMP);
    }

    /** Echo requests answered by the stack itself. */
    public long answered() {
        return answered;
    }

    /** ICMP messages neither answered nor forwarded. */
    public long dropped() {
        return dropped;
    }

    /** Echo flows to outside hosts. */
    public int flowCount() {
        return forwarder == null ? 0 : forwarder.flowCount();
    }

    /** The forwarder, or {@code null}. */
    public IcmpEchoForwarder forwarder() {
        return forwarder;
    }

    @Override
    public void close() {
        if (forwarder != null) {
            forwarder.close();
        }
    }
}
