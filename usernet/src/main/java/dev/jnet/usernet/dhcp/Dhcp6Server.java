package dev.jnet.usernet.dhcp;

import dev.jnet.usernet.DnsAnnouncement;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.icmp6.NeighborDiscovery;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.udp.GatewayService;
import dev.jnet.usernet.wire.Ipv6Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;

/**
 * DHCPv6 on the gateway. Stateless (RFC 8415 18.2.6 / 18.3.6, as libslirp's dhcpv6.c): an
 * Information-Request to All_DHCP_Relay_Agents_and_Servers (ff02::1:2) or the gateway gets a
 * Reply with the client's id echoed, the gateway's DUID-LL as server id, and the DNS servers
 * and search list of {@link UsernetConfig#dnsAnnouncement()} (prefix::3, none; RFC 3646).
 * Under pasta's plan, where the guest's address is given, also stateful as pasta's dhcpv6.c:
 * Solicit gets an Advertise, Request, Renew, Rebind and Confirm a Reply, each with an IA_NA
 * holding that one address for good; else (SLAAC) other messages are dropped.
 * Parsing is in place and bounded by the datagram; nothing is allocated but the reply buffer.
 */
public final class Dhcp6Server implements GatewayService<Ipv6Packet> {
    public static final int SERVER_PORT = 547;
    public static final int CLIENT_PORT = 546;
    public static final int SOLICIT = 1;
    public static final int ADVERTISE = 2;
    public static final int REQUEST = 3;
    public static final int CONFIRM = 4;
    public static final int RENEW = 5;
    public static final int REBIND = 6;
    public static final int REPLY = 7;
    public static final int INFORMATION_REQUEST = 11;
    public static final int OPT_CLIENTID = 1;
    public static final int OPT_SERVERID = 2;
    public static final int OPT_IA_NA = 3;
    public static final int OPT_IAADDR = 5;
    public static final int OPT_DNS_SERVERS = 23;
    public static final int OPT_DOMAIN_LIST = 24;
    /** RFC 8415 21.2: a client id is a DUID, at most 128 octets (RFC 8415 11.1). */
    static final int MAX_DUID = 128;
    private static final long ALL_SERVERS_HIGH = 0xff02_0000_0000_0000L;
    private static final long ALL_SERVERS_LOW = 0x0001_0002L;
    /** IA_NA's fixed part (IAID, T1, T2) and IAADDR's (address, preferred and valid lifetimes), RFC 8415 21.4, 21.6. */
    static final int IA_NA_LENGTH = 12;
    static final int IAADDR_LENGTH = 24;
    private static final int INFINITY = 0xFFFF_FFFF;
    /** DUID-LL (RFC 8415 11.4): type 3, hardware type 1 (Ethernet), the gateway MAC. */
    private static final int DUID_LL_LENGTH = 10;

    private final UsernetConfig config;
    private final Ipv6Output out;
    private final UdpDatagram reply = new UdpDatagram();
    /** Option 23's and option 24's values (RFC 3646), made once; empty: the option is left out. */
    private final byte[] dnsServers;
    private final byte[] domains;
    private long served;
    private long ignored;

    public Dhcp6Server(UsernetConfig config, Ipv6Output out) {
        this.config = config;
        this.out = out;
        DnsAnnouncement announced = config.dnsAnnouncement();
        this.dnsServers = new byte[16 * announced.servers6().size()];
        for (int k = 0; k < announced.servers6().size(); k++) {
            System.arraycopy(announced.servers6().get(k).getAddress(), 0, dnsServers, 16 * k, 16);
        }
        this.domains = announced.searchWire();
    }

    @Override
    public boolean serve(Ipv6Packet ip, UdpDatagram udp) {
        long dstHigh = ip.dstHigh();
        long dstLow = ip.dstLow();
        if (udp.dstPort() != SERVER_PORT || !((dstHigh == ALL_SERVERS_HIGH && dstLow == ALL_SERVERS_LOW)
                || config.ipv6().isGateway(dstHigh, dstLow))) {
            return false;
        }
        ByteBuf buf = udp.buffer();
        int start = udp.payloadOffset();
        int end = start + udp.payloadLength();
        int type = udp.payloadLength() < 4 ? -1 : buf.getUnsignedByte(start);
        boolean stateful = config.ipv6().isPasta();
        if (type != INFORMATION_REQUEST && !(stateful && type >= SOLICIT && type <= REBIND)) {
            ignored++;
            return true;
        }
        int clientId = -1;
        int clientIdLength = 0;
        int serverId = -1;
        int serverIdLength = 0;
        long iaid = -1;
        for (int i = start + 4; i + 4 <= end;) {
            int code = buf.getUnsignedShort(i);
            int len = buf.getUnsignedShort(i + 2);
            if (i + 4 + len > end) {
                ignored++; // an option running past the datagram (RFC 8415 16: discard)
                return true;
            }
            if (code == OPT_CLIENTID) {
                clientId = i + 4;
                clientIdLength = len;
            } else if (code == OPT_SERVERID) {
                serverId = i + 4;
                serverIdLength = len;
            } else if (code == OPT_IA_NA && len >= IA_NA_LENGTH && iaid < 0) {
                iaid = buf.getUnsignedInt(i + 4);
            }
            i += 4 + len;
        }
        boolean ours = serverId >= 0 && isOurServerId(buf, serverId, serverIdLength);
        // RFC 8415 16: Request and Renew name our server id, Solicit, Confirm and Rebind none;
        // an Information-Request naming a server id is for that one (16.12)
        boolean valid = switch (type) {
            case SOLICIT, CONFIRM, REBIND -> serverId < 0 && clientId >= 0;
            case REQUEST, RENEW -> ours && clientId >= 0;
            default -> serverId < 0 || ours;
        };
        if (!valid || clientIdLength > MAX_DUID) {
            ignored++;
            return true;
        }
        send(ip, buf, start, type == SOLICIT ? ADVERTISE : REPLY, clientId, clientIdLength,
                type == INFORMATION_REQUEST ? -1 : iaid);
        return true;
    }

    private boolean isOurServerId(ByteBuf buf, int at, int length) {
        return length == DUID_LL_LENGTH && buf.getUnsignedShort(at) == 3 && buf.getUnsignedShort(at + 2) == 1
                && buf.getUnsignedShort(at + 4) == ((int) (config.gatewayMac() >>> 32) & 0xFFFF)
                && buf.getInt(at + 6) == (int) config.gatewayMac();
    }

    /**
     * The answer of {@code type} (ADVERTISE or REPLY): client id echoed, our server id, an IA_NA
     * with {@code iaid} holding the guest's one address when {@code iaid >= 0} (as pasta's
     * dhcpv6.c: the namespace's address, for good), then the DNS options.
     */
    private void send(Ipv6Packet ip, ByteBuf request, int start, int type, int clientId, int clientIdLength,
            long iaid) {
        served++;
        int length = 4 + (clientId < 0 ? 0 : 4 + clientIdLength) + 4 + DUID_LL_LENGTH
                + (iaid < 0 ? 0 : 4 + IA_NA_LENGTH + 4 + IAADDR_LENGTH)
                + (dnsServers.length == 0 ? 0 : 4 + dnsServers.length) + (domains.length == 0 ? 0 : 4 + domains.length);
        ByteBuf buf = out.allocate(UdpDatagram.HEADER_LENGTH + length);
        int at = buf.writerIndex();
        UdpDatagram.emitHeader(buf, at, SERVER_PORT, CLIENT_PORT, length);
        int i = at + UdpDatagram.HEADER_LENGTH;
        buf.setInt(i, (type << 24) | (request.getInt(start) & 0xFF_FFFF)); // the transaction id echoed
        i += 4;
        if (clientId >= 0) {
            buf.setShort(i, OPT_CLIENTID);
            buf.setShort(i + 2, clientIdLength);
            buf.setBytes(i + 4, request, clientId, clientIdLength);
            i += 4 + clientIdLength;
        }
        buf.setShort(i, OPT_SERVERID);
        buf.setShort(i + 2, DUID_LL_LENGTH);
        buf.setShort(i + 4, 3);
        buf.setShort(i + 6, 1);
        buf.setShort(i + 8, (int) (config.gatewayMac() >>> 32));
        buf.setInt(i + 10, (int) config.gatewayMac());
        i += 4 + DUID_LL_LENGTH;
        if (iaid >= 0) {
            Ipv6Config v6 = config.ipv6();
            buf.setShort(i, OPT_IA_NA);
            buf.setShort(i + 2, IA_NA_LENGTH + 4 + IAADDR_LENGTH);
            buf.setInt(i + 4, (int) iaid);
            buf.setInt(i + 8, INFINITY); // T1, T2: no renewing (the address is the namespace's for good)
            buf.setInt(i + 12, INFINITY);
            i += 4 + IA_NA_LENGTH;
            buf.setShort(i, OPT_IAADDR);
            buf.setShort(i + 2, IAADDR_LENGTH);
            buf.setLong(i + 4, v6.prefixHigh());
            buf.setLong(i + 12, v6.guestLow());
            buf.setInt(i + 20, INFINITY); // preferred and valid lifetimes
            buf.setInt(i + 24, INFINITY);
            i += 4 + IAADDR_LENGTH;
        }
        i = option(buf, i, OPT_DNS_SERVERS, dnsServers);
        i = option(buf, i, OPT_DOMAIN_LIST, domains);
        buf.writerIndex(i);
        long srcHigh = NeighborDiscovery.LINK_LOCAL_HIGH;
        long srcLow = NeighborDiscovery.interfaceId(config.gatewayMac());
        int udpLength = UdpDatagram.HEADER_LENGTH + length;
        reply.wrap(buf, at, udpLength).fillChecksum(out.pseudoHeaderSum(srcHigh, srcLow, ip.srcHigh(), ip.srcLow(),
                Ipv6Packet.NH_UDP, udpLength));
        reply.clear();
        out.send(buf, srcHigh, srcLow, ip.srcHigh(), ip.srcLow(), Ipv6Packet.NH_UDP);
    }

    private static int option(ByteBuf buf, int i, int code, byte[] value) {
        if (value.length == 0) {
            return i;
        }
        buf.setShort(i, code);
        buf.setShort(i + 2, value.length);
        buf.setBytes(i + 4, value);
        return i + 4 + value.length;
    }

    public long served() {
        return served;
    }

    public long ignored() {
        return ignored;
    }
}
