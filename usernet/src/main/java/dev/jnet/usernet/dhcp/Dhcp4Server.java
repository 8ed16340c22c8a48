package dev.jnet.usernet.dhcp;

import dev.jnet.usernet.DnsAnnouncement;
import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.udp.GatewayService;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * The virtual gateway's DHCPv4 server, with libslirp's defaults (bootp.c): leases from
 * network + 15 keyed by the client's MAC, lasting a day; replies from the gateway carrying the
 * subnet mask, router (the gateway), DNS (the stack's DNS address), lease time, and the link
 * MTU (RFC 2132 option 26, which libslirp leaves out); DNS servers and search list as
 * {@link UsernetConfig#dnsAnnouncement()} says. DISCOVER gets OFFER, REQUEST gets ACK or
 * NAK (RFC 2131 4.3), RELEASE frees the lease; anything else is dropped. Under pasta's plan
 * ({@link UsernetConfig#pasta()}) it answers as pasta's dhcp.c: every client is offered the
 * guest's one address (the host's, or {@code -a}).
 */
public final class Dhcp4Server implements GatewayService<Ipv4Packet> {
    /** libslirp's LEASE_TIME: 24 hours. */
    public static final int LEASE_SECONDS = 24 * 3600;
    private static final String NAK_MESSAGE = "requested address not available"; // libslirp's wording

    private final UsernetConfig config;
    private final Scheduler scheduler;
    private final Ipv4Output out;
    private final DhcpLeases leases;
    private final DhcpMessage request = new DhcpMessage();
    private final UdpDatagram reply = new UdpDatagram();

    /** What the replies tell of DNS, made once: option 6's servers and option 119's names. */
    private final int[] dns;
    private final byte[] search;

    private long served;
    private long ignored;

    public Dhcp4Server(UsernetConfig config, Scheduler scheduler, Ipv4Output out) {
        this.config = config;
        this.scheduler = scheduler;
        this.out = out;
        this.leases = new DhcpLeases(config.network(), config.broadcast());
        DnsAnnouncement announced = config.dnsAnnouncement();
        this.dns = announced.servers4().stream().mapToInt(Ipv4Packet::fromInetAddress).toArray();
        this.search = announced.searchWire();
    }

    @Override
    public boolean serve(Ipv4Packet ip, UdpDatagram udp) {
        int dst = ip.dst();
        if (udp.dstPort() != DhcpMessage.SERVER_PORT
                || !(dst == -1 || dst == config.gateway() || dst == config.broadcast())) {
            return false;
        }
        if (!request.parse(udp.buffer(), udp.payloadOffset(), udp.payloadLength())) {
            ignored++;
            return true;
        }
        // a REQUEST naming another server's offer is not for us (RFC 2131 4.3.2, SELECTING)
        if (request.serverId() != 0 && request.serverId() != config.gateway()) {
            ignored++;
            return true;
        }
        long now = scheduler.nanoTime();
        long expires = now + TimeUnit.SECONDS.toNanos(LEASE_SECONDS);
        long mac = request.chaddr();
        if (config.pasta() != null) {
            servePasta();
            return true;
        }
        switch (request.messageType()) {
            case DhcpMessage.DISCOVER -> {
                int address = leases.offer(mac, now, expires);
                if (address == 0) {
                    ignored++; // pool exhausted: silence, as libslirp
                } else {
                    send(DhcpMessage.OFFER, address);
                }
            }
            case DhcpMessage.REQUEST -> {
                // SELECTING/INIT-REBOOT name the address in option 50; RENEWING/REBINDING in ciaddr
                int wanted = request.requestedIp() != 0 ? request.requestedIp() : request.ciaddr();
                if (wanted == 0) {
                    wanted = leases.addressOf(mac, now);
                }
                if (wanted != 0 && leases.request(mac, wanted, now, expires)) {
                    send(DhcpMessage.ACK, wanted);
                } else {
                    send(DhcpMessage.NAK, 0);
                }
            }
            case DhcpMessage.RELEASE -> {
                leases.release(mac, request.ciaddr(), now);
                served++;
            }
            default -> ignored++;
        }
        return true;
    }

    /** pasta's server: one address, the guest's, whoever asks. */
    private void servePasta() {
        int guest = config.guestAddress();
        switch (request.messageType()) {
            case DhcpMessage.DISCOVER -> send(DhcpMessage.OFFER, guest);
            case DhcpMessage.REQUEST -> {
                int wanted = request.requestedIp() != 0 ? request.requestedIp() : request.ciaddr();
                send(wanted == 0 || wanted == guest ? DhcpMessage.ACK : DhcpMessage.NAK,
                        wanted == 0 || wanted == guest ? guest : 0);
            }
            case DhcpMessage.RELEASE -> served++;
            default -> ignored++;
        }
    }

    private void send(int type, int yiaddr) {
        served++;
        int capacity = DhcpMessage.replyCapacity(dns.length, search.length);
        ByteBuf buf = out.allocate(UdpDatagram.HEADER_LENGTH + capacity);
        int start = buf.writerIndex();
        int length = DhcpMessage.writeReply(buf, start + UdpDatagram.HEADER_LENGTH, request, type, yiaddr,
                config.gateway(), config.netmask(), config.gateway(), dns, search, LEASE_SECONDS,
                config.mtu(), type == DhcpMessage.NAK ? NAK_MESSAGE : null);
        UdpDatagram.emitHeader(buf, start, DhcpMessage.SERVER_PORT, DhcpMessage.CLIENT_PORT, length);
        buf.writerIndex(start + UdpDatagram.HEADER_LENGTH + length);
        // RFC 2131 4.1: to ciaddr when the client has one (RENEWING), else broadcast, as libslirp;
        // the frame goes to the client's MAC either way
        int dst = type != DhcpMessage.NAK && request.ciaddr() != 0 ? request.ciaddr() : -1;
        int src = config.gateway();
        reply.wrap(buf, start, UdpDatagram.HEADER_LENGTH + length).fillChecksumIpv4(src, dst);
        reply.clear();
        out.send(buf, src, dst, Ipv4Packet.PROTO_UDP);
    }

    /** Messages answered (or RELEASEs applied). */
    public long served() {
        return served;
    }

    /** Malformed messages, other servers' REQUESTs, types not served, DISCOVERs past the pool. */
    public long ignored() {
        return ignored;
    }
}
