package dev.jnet.usernet.icmp;

import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.wire.IcmpV4Packet;
import dev.jnet.usernet.wire.Ipv4Packet;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * Echo requests from the guest to outside hosts, sent from host ICMP datagram sockets. A flow
 * is (guest echo identifier, destination) with one socket; the kernel gives each socket its
 * own identifier, so replies are given the guest's identifier back (sequence numbers and data
 * pass unchanged) and are sent to the guest from the destination it pinged. Where the kernel
 * refuses ping sockets ({@code EACCES}: {@code ping_group_range}), echo forwarding is silently
 * unsupported, as in slirp4netns. Flows live in a bounded table and expire when idle.
 */
public final class IcmpEchoForwarder extends AbstractEchoForwarder<IcmpEchoForwarder.Flow> {
    /** Default table size. */
    public static final int MAX_FLOWS = 256;
    /** Default idle timeout: a ping run sends every second; a minute of silence ends it. */
    public static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Ipv4Output out;
    private final EchoSockets sockets;
    private final IcmpV4Packet icmp = new IcmpV4Packet();

    public IcmpEchoForwarder(Scheduler scheduler, Ipv4Output out, EchoSockets sockets, int maxFlows, long idleNanos) {
        super(scheduler, out, maxFlows, idleNanos);
        this.out = out;
        this.sockets = sockets;
    }

    /**
     * Forwards the guest's echo request {@code echo} (inside {@code ip}) to {@code hostAddr}.
     * The views are valid only during the call.
     */
    public void forward(Ipv4Packet ip, IcmpV4Packet echo, int hostAddr) {
        if (refusing()) {
            return;
        }
        int dst = ip.dst();
        int id = echo.echoIdentifier();
        long key = ((long) id << 32) | (dst & 0xFFFF_FFFFL);
        Flow flow = flows.get(key);
        if (flow == null) {
            flow = new Flow(key, id, dst, ip.src());
            if (!add(flow, receiver -> sockets.open(hostAddr, receiver))) {
                return;
            }
        }
        flow.guestAddr = ip.src();
        send(flow, echo);
    }

    final class Flow extends EchoFlow {
        final int dst;
        int guestAddr;

        Flow(long key, int guestId, int dst, int guestAddr) {
            super(IcmpEchoForwarder.this, key, guestId);
            this.dst = dst;
            this.guestAddr = guestAddr;
        }

        @Override
        protected String guestText() {
            return dev.jnet.usernet.wire.Ipv4Packet.addressToString(guestAddr);
        }

        @Override
        protected String remoteText() {
            return dev.jnet.usernet.wire.Ipv4Packet.addressToString(dst);
        }

        @Override
        protected boolean rewriteReply(ByteBuf message) {
            icmp.wrap(message, message.readerIndex(), message.readableBytes());
            try {
                if (!icmp.check() || icmp.type() != IcmpV4Packet.TYPE_ECHO_REPLY) {
                    return false;
                }
                icmp.setEchoIdentifier(guestId).fillChecksum();
                return true;
            } finally {
                icmp.clear();
            }
        }

        @Override
        protected void sendToGuest(ByteBuf message) {
            out.send(message, dst, guestAddr, Ipv4Packet.PROTO_ICMP);
        }
    }
}
