package dev.jnet.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.DnsAnnouncement;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.LinkServices;
import dev.jnet.usernet.MemoryFrameSink;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.icmp6.NeighborDiscovery;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.wire.DnsName;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Ipv6Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Stateless DHCPv6: Information-Request in, Reply with client id, server id and DNS out. */
class Dhcp6ServerTest {
    private static final long ALL_SERVERS_HIGH = 0xff02_0000_0000_0000L;
    private static final long ALL_SERVERS_LOW = 0x1_0002L;
    private static final long GUEST_LL_LOW = 0x0200_00ff_fe00_0001L;
    private static final int UDP_AT = EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH;
    private static final int MSG_AT = UDP_AT + UdpDatagram.HEADER_LENGTH;

    private final UsernetConfig config = UsernetConfig.defaults().withIpv6(Ipv6Config.defaults());
    private final MemoryFrameSink sink = new MemoryFrameSink();
    private final Ipv6Output out = new Ipv6Output(config, new Ipv4Output(config, sink));
    private final Dhcp6Server server = new Dhcp6Server(config, out);

    @Test
    void anInformationRequestGetsTheDnsServerAndItsClientIdBack() {
        byte[] duid = {0, 3, 0, 1, 2, 0, 0, 0, 0, 1};
        ByteBuf msg = Unpooled.buffer();
        msg.writeInt((Dhcp6Server.INFORMATION_REQUEST << 24) | 0xabcdef);
        msg.writeShort(Dhcp6Server.OPT_CLIENTID).writeShort(duid.length).writeBytes(duid);
        msg.writeShort(6).writeShort(2).writeShort(Dhcp6Server.OPT_DNS_SERVERS); // ORO
        assertThat(send(ALL_SERVERS_HIGH, ALL_SERVERS_LOW, 547, msg)).isTrue();

        ByteBuf r = Unpooled.wrappedBuffer(sink.poll());
        assertThat(r.getLong(EthernetFrame.HEADER_LENGTH + 8)).as("from the gateway's link-local address")
                .isEqualTo(NeighborDiscovery.LINK_LOCAL_HIGH);
        assertThat(r.getLong(EthernetFrame.HEADER_LENGTH + 32)).as("to the client").isEqualTo(GUEST_LL_LOW);
        assertThat(r.getUnsignedShort(UDP_AT)).isEqualTo(547);
        assertThat(r.getUnsignedShort(UDP_AT + 2)).isEqualTo(546);
        Ipv6Packet ip = new Ipv6Packet();
        ip.wrap(r, EthernetFrame.HEADER_LENGTH, r.capacity() - EthernetFrame.HEADER_LENGTH);
        UdpDatagram udp = new UdpDatagram();
        udp.wrap(r, UDP_AT, r.capacity() - UDP_AT);
        assertThat(udp.verifyChecksumIpv6(ip)).isTrue();
        assertThat(r.getInt(MSG_AT)).isEqualTo((Dhcp6Server.REPLY << 24) | 0xabcdef);
        int i = MSG_AT + 4;
        assertThat(r.getUnsignedShort(i)).isEqualTo(Dhcp6Server.OPT_CLIENTID);
        byte[] echoed = new byte[duid.length];
        r.getBytes(i + 4, echoed);
        assertThat(echoed).isEqualTo(duid);
        i += 4 + duid.length;
        assertThat(r.getUnsignedShort(i)).isEqualTo(Dhcp6Server.OPT_SERVERID);
        assertThat(r.getUnsignedShort(i + 4)).as("DUID-LL").isEqualTo(3);
        i += 4 + r.getUnsignedShort(i + 2);
        assertThat(r.getUnsignedShort(i)).isEqualTo(Dhcp6Server.OPT_DNS_SERVERS);
        assertThat(r.getLong(i + 4)).isEqualTo(Ipv6Config.DEFAULT_PREFIX_HIGH);
        assertThat(r.getLong(i + 12)).isEqualTo(Ipv6Config.DNS_LOW);
        assertThat(i + 20).isEqualTo(r.capacity());
    }

    @Test
    void anAnnouncementGivesEveryServerAndTheSearchListAndNothingWhenEmpty() throws Exception {
        DnsAnnouncement announced = new DnsAnnouncement(List.of(),
                List.of((Inet6Address) InetAddress.getByName("2001:db8::53"),
                        (Inet6Address) InetAddress.getByName("2001:db8::54")), List.of("example.test"));
        for (DnsAnnouncement a : List.of(announced, DnsAnnouncement.NONE)) {
            UsernetConfig c = config.withServices(new LinkServices(true, true, true, true, a));
            Dhcp6Server s = new Dhcp6Server(c, new Ipv6Output(c, new Ipv4Output(c, sink)));
            ByteBuf msg = Unpooled.buffer().writeInt((Dhcp6Server.INFORMATION_REQUEST << 24) | 1);
            assertThat(serve(s, ALL_SERVERS_HIGH, ALL_SERVERS_LOW, 547, msg)).isTrue();
            ByteBuf r = Unpooled.wrappedBuffer(sink.poll());
            assertThat(r.getUnsignedShort(UDP_AT + 4)).as("the UDP length is what was written")
                    .isEqualTo(r.capacity() - UDP_AT);
            int i = MSG_AT + 4;
            i += 4 + r.getUnsignedShort(i + 2); // server id
            if (a == DnsAnnouncement.NONE) {
                assertThat(i).as("no DNS options").isEqualTo(r.capacity());
                continue;
            }
            assertThat(r.getUnsignedShort(i)).isEqualTo(Dhcp6Server.OPT_DNS_SERVERS);
            assertThat(r.getUnsignedShort(i + 2)).isEqualTo(32);
            assertThat(r.getLong(i + 20)).isEqualTo(0x2001_0db8_0000_0000L);
            assertThat(r.getLong(i + 28)).isEqualTo(0x54);
            i += 36;
            assertThat(r.getUnsignedShort(i)).isEqualTo(Dhcp6Server.OPT_DOMAIN_LIST);
            byte[] names = new byte[r.getUnsignedShort(i + 2)];
            r.getBytes(i + 4, names);
            assertThat(names).isEqualTo(DnsName.encode("example.test"));
            assertThat(i + 4 + names.length).isEqualTo(r.capacity());
        }
    }

    /** pasta's plan: Solicit, Request (ours), Rebind get the namespace's one address in an IA_NA. */
    @Test
    void underPastasPlanTheExchangeLeasesTheGuestsAddress() {
        UsernetConfig c = config.withIpv6(Ipv6Config.pasta(0x2001_0db8_0001_0000L, 2, 0x2001_0db8_0001_0000L, 1));
        Dhcp6Server s = new Dhcp6Server(c, new Ipv6Output(c, new Ipv4Output(c, sink)));
        byte[] duid = {0, 3, 0, 1, 2, 0, 0, 0, 0, 1};
        ByteBuf ours = Unpooled.buffer();
        for (int type : new int[] {Dhcp6Server.SOLICIT, Dhcp6Server.REQUEST, Dhcp6Server.REBIND}) {
            ByteBuf msg = Unpooled.buffer().writeInt((type << 24) | 0x42);
            msg.writeShort(Dhcp6Server.OPT_CLIENTID).writeShort(duid.length).writeBytes(duid);
            if (type == Dhcp6Server.REQUEST) {
                msg.writeBytes(ours, ours.readerIndex(), ours.readableBytes());
            }
            msg.writeShort(Dhcp6Server.OPT_IA_NA).writeShort(12).writeInt(0x0b0c0d0e).writeInt(0).writeInt(0);
            assertThat(serve(s, msg)).as("type " + type).isTrue();
            ByteBuf r = Unpooled.wrappedBuffer(sink.poll());
            assertThat((int) r.getUnsignedByte(MSG_AT)).isEqualTo(type == Dhcp6Server.SOLICIT ? Dhcp6Server.ADVERTISE
                    : Dhcp6Server.REPLY);
            int i = MSG_AT + 4 + 4 + duid.length; // after the echoed client id
            assertThat(r.getUnsignedShort(i)).isEqualTo(Dhcp6Server.OPT_SERVERID);
            if (type == Dhcp6Server.SOLICIT) {
                ours.writeBytes(r, i, 4 + r.getUnsignedShort(i + 2)); // what a client requests with
            }
            i += 4 + r.getUnsignedShort(i + 2);
            assertThat(r.getUnsignedShort(i)).isEqualTo(Dhcp6Server.OPT_IA_NA);
            assertThat(r.getInt(i + 4)).as("the IAID echoed").isEqualTo(0x0b0c0d0e);
            assertThat(r.getUnsignedShort(i + 16)).isEqualTo(Dhcp6Server.OPT_IAADDR);
            assertThat(r.getLong(i + 20)).isEqualTo(0x2001_0db8_0001_0000L);
            assertThat(r.getLong(i + 28)).as("the namespace's address").isEqualTo(2);
            assertThat(r.getInt(i + 36)).as("preferred lifetime: infinity").isEqualTo(-1);
            assertThat(i + 4 + 12 + 4 + 24).as("no DNS: pasta announces none unless asked").isEqualTo(r.capacity());
        }
        ByteBuf other = Unpooled.buffer().writeInt((Dhcp6Server.REQUEST << 24) | 1);
        other.writeShort(Dhcp6Server.OPT_CLIENTID).writeShort(duid.length).writeBytes(duid);
        other.writeShort(Dhcp6Server.OPT_SERVERID).writeShort(2).writeShort(7);
        assertThat(serve(s, other)).isTrue();
        assertThat(sink.poll()).as("a Request for another server").isNull();
        assertThat(s.ignored()).isEqualTo(1);
    }

    @Test
    void withoutPastasPlanOnlyInformationRequestsAreAnswered() {
        byte[] duid = {0, 3, 0, 1, 2, 0, 0, 0, 0, 1};
        ByteBuf msg = Unpooled.buffer().writeInt(Dhcp6Server.SOLICIT << 24);
        msg.writeShort(Dhcp6Server.OPT_CLIENTID).writeShort(duid.length).writeBytes(duid);
        assertThat(send(ALL_SERVERS_HIGH, ALL_SERVERS_LOW, 547, msg)).isTrue();
        assertThat(sink.poll()).as("SLAAC: no address to lease").isNull();
    }

    private static boolean serve(Dhcp6Server s, ByteBuf payload) {
        return serve(s, ALL_SERVERS_HIGH, ALL_SERVERS_LOW, 547, payload);
    }

    @Test
    void solicitsOtherServersAndOtherPortsAreNotAnswered() {
        ByteBuf solicit = Unpooled.buffer().writeInt(1 << 24);
        assertThat(send(ALL_SERVERS_HIGH, ALL_SERVERS_LOW, 547, solicit)).isTrue();
        ByteBuf named = Unpooled.buffer().writeInt(Dhcp6Server.INFORMATION_REQUEST << 24)
                .writeShort(Dhcp6Server.OPT_SERVERID).writeShort(2).writeShort(7);
        assertThat(send(ALL_SERVERS_HIGH, ALL_SERVERS_LOW, 547, named)).isTrue();
        ByteBuf truncated = Unpooled.buffer().writeInt(Dhcp6Server.INFORMATION_REQUEST << 24)
                .writeShort(Dhcp6Server.OPT_CLIENTID).writeShort(200).writeInt(1);
        assertThat(send(ALL_SERVERS_HIGH, ALL_SERVERS_LOW, 547, truncated)).isTrue();
        assertThat(send(ALL_SERVERS_HIGH, ALL_SERVERS_LOW, 53, Unpooled.buffer().writeInt(0))).isFalse();
        assertThat(send(ALL_SERVERS_HIGH, 0x1_0003L, 547, Unpooled.buffer().writeInt(0))).isFalse();
        assertThat(sink.poll()).isNull();
        assertThat(server.ignored()).isEqualTo(3);
    }

    @Property(tries = 1000)
    void malformedInputNeverThrows(@ForAll @Size(max = 400) byte[] payload) {
        if (payload.length > 0) {
            payload[0] = (byte) Dhcp6Server.INFORMATION_REQUEST;
        }
        assertThat(send(ALL_SERVERS_HIGH, ALL_SERVERS_LOW, 547, Unpooled.wrappedBuffer(payload))).isTrue();
        byte[] reply = sink.poll();
        if (reply != null) {
            assertThat(reply.length).isLessThanOrEqualTo(MSG_AT + 4 + 4 + Dhcp6Server.MAX_DUID + 14 + 20);
        }
    }

    private boolean send(long dstHigh, long dstLow, int dstPort, ByteBuf payload) {
        return serve(server, dstHigh, dstLow, dstPort, payload);
    }

    /** {@code payload} from the guest's link-local address to {@code dst:dstPort}, handed to {@code s}. */
    private static boolean serve(Dhcp6Server s, long dstHigh, long dstLow, int dstPort, ByteBuf payload) {
        int n = payload.readableBytes();
        ByteBuf b = request(dstHigh, dstLow, dstPort, payload);
        Ipv6Packet ip = new Ipv6Packet();
        ip.wrap(b, 0, b.capacity());
        UdpDatagram udp = new UdpDatagram();
        udp.wrap(b, Ipv6Packet.HEADER_LENGTH, UdpDatagram.HEADER_LENGTH + n);
        return s.serve(ip, udp);
    }

    private static ByteBuf request(long dstHigh, long dstLow, int dstPort, ByteBuf payload) {
        int n = payload.readableBytes();
        int udpLength = UdpDatagram.HEADER_LENGTH + n;
        ByteBuf b = Unpooled.buffer(Ipv6Packet.HEADER_LENGTH + udpLength);
        b.setInt(0, 0x6000_0000);
        b.setShort(4, udpLength);
        b.setByte(6, Ipv6Packet.NH_UDP);
        b.setByte(7, 1);
        b.setLong(8, NeighborDiscovery.LINK_LOCAL_HIGH);
        b.setLong(16, GUEST_LL_LOW);
        b.setLong(24, dstHigh);
        b.setLong(32, dstLow);
        UdpDatagram.emitHeader(b, Ipv6Packet.HEADER_LENGTH, 546, dstPort, n);
        b.setBytes(Ipv6Packet.HEADER_LENGTH + UdpDatagram.HEADER_LENGTH, payload, payload.readerIndex(), n);
        b.writerIndex(b.capacity());
        return b;
    }
}
