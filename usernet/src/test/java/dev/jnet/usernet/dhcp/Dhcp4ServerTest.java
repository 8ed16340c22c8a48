package dev.jnet.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.ManualScheduler;
import dev.jnet.usernet.PastaAddresses;
import dev.jnet.usernet.MemoryFrameSink;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.wire.EthernetFrame;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.UdpDatagram;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** The server as the UDP input hands it datagrams: DISCOVER/REQUEST/RELEASE, and what goes back. */
class Dhcp4ServerTest {
    private static final long MAC = 0x0200_0000_0001L;
    private static final int UDP_AT = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int BOOTP_AT = UDP_AT + UdpDatagram.HEADER_LENGTH;

    private final UsernetConfig config = UsernetConfig.defaults().withNetwork(0x0A00_0200, 24).withMtu(1400);
    private final ManualScheduler scheduler = new ManualScheduler();
    private final MemoryFrameSink sink = new MemoryFrameSink();
    private final Ipv4Output out = new Ipv4Output(config, sink);
    private Dhcp4Server server = new Dhcp4Server(config, scheduler, out);

    @Test
    void discoverRequestAckThenReleaseAsUdhcpcDoes() {
        assertThat(send(-1, 67, DhcpRequests.message(DhcpMessage.DISCOVER, 9, MAC, 0, 0, 0))).isTrue();
        ByteBuf offer = reply();
        assertThat(offer.getInt(UDP_AT - 4)).as("IP destination: broadcast, as libslirp").isEqualTo(-1);
        assertThat(offer.getInt(UDP_AT - 8)).as("IP source: the gateway").isEqualTo(config.gateway());
        assertThat(offer.getUnsignedShort(UDP_AT)).isEqualTo(67);
        assertThat(offer.getUnsignedShort(UDP_AT + 2)).isEqualTo(68);
        assertThat(checksumOk(offer)).isTrue();
        assertThat(offer.getInt(BOOTP_AT + 16)).isEqualTo(0x0A00_020F);
        assertThat(option(offer, DhcpMessage.OPT_MESSAGE_TYPE)).isEqualTo(DhcpMessage.OFFER);
        assertThat(option(offer, DhcpMessage.OPT_ROUTER)).isEqualTo(config.gateway());
        assertThat(option(offer, DhcpMessage.OPT_DNS)).isEqualTo(config.dnsAddress());
        assertThat(option(offer, DhcpMessage.OPT_MTU)).isEqualTo(1400);
        assertThat(option(offer, DhcpMessage.OPT_LEASE_TIME)).isEqualTo(Dhcp4Server.LEASE_SECONDS);

        send(-1, 67, DhcpRequests.message(DhcpMessage.REQUEST, 10, MAC, 0, 0x0A00_020F, config.gateway()));
        ByteBuf ack = reply();
        assertThat(option(ack, DhcpMessage.OPT_MESSAGE_TYPE)).isEqualTo(DhcpMessage.ACK);
        assertThat(ack.getInt(BOOTP_AT + 16)).isEqualTo(0x0A00_020F);

        // renewal: unicast to the gateway from the lease, ciaddr set; the ACK goes to ciaddr
        send(config.gateway(), 67, DhcpRequests.message(DhcpMessage.REQUEST, 11, MAC, 0x0A00_020F, 0, 0));
        ByteBuf renew = reply();
        assertThat(option(renew, DhcpMessage.OPT_MESSAGE_TYPE)).isEqualTo(DhcpMessage.ACK);
        assertThat(renew.getInt(UDP_AT - 4)).isEqualTo(0x0A00_020F);

        send(config.gateway(), 67, DhcpRequests.message(DhcpMessage.RELEASE, 12, MAC, 0x0A00_020F, 0, 0));
        assertThat(sink.poll()).as("RELEASE has no answer").isNull();
        send(-1, 67, DhcpRequests.message(DhcpMessage.DISCOVER, 13, 0x0200_0000_0002L, 0, 0, 0));
        assertThat(reply().getInt(BOOTP_AT + 16)).as("the released address is the next client's").isEqualTo(0x0A00_020F);
    }

    @Test
    void aRequestForAnotherClientsOrForeignAddressIsNaked() {
        send(-1, 67, DhcpRequests.message(DhcpMessage.DISCOVER, 1, MAC, 0, 0, 0));
        reply();
        send(-1, 67, DhcpRequests.message(DhcpMessage.REQUEST, 2, 0x0200_0000_0002L, 0, 0x0A00_020F, 0));
        ByteBuf nak = reply();
        assertThat(option(nak, DhcpMessage.OPT_MESSAGE_TYPE)).isEqualTo(DhcpMessage.NAK);
        assertThat(nak.getInt(UDP_AT - 4)).isEqualTo(-1);
        send(-1, 67, DhcpRequests.message(DhcpMessage.REQUEST, 3, MAC, 0, 0x0A00_0264, 0));
        assertThat(option(reply(), DhcpMessage.OPT_MESSAGE_TYPE)).isEqualTo(DhcpMessage.NAK);
    }

    @Test
    void otherServersOtherPortsAndGarbageAreNotAnswered() {
        assertThat(send(-1, 67, DhcpRequests.message(DhcpMessage.REQUEST, 2, MAC, 0, 0x0A00_020F, 0x0A00_0201)))
                .as("a REQUEST for another server's offer is still DHCP: consumed").isTrue();
        assertThat(send(-1, 68, DhcpRequests.message(DhcpMessage.DISCOVER, 1, MAC, 0, 0, 0))).isFalse();
        assertThat(send(0x0A00_0205, 67, DhcpRequests.message(DhcpMessage.DISCOVER, 1, MAC, 0, 0, 0))).isFalse();
        assertThat(send(-1, 67, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}))).isTrue();
        assertThat(sink.poll()).isNull();
        assertThat(server.ignored()).isEqualTo(2);
    }

    /** pasta's dhcp.c: the guest's one address for every client, DNS only with --dns-forward; --no-dhcp: none. */
    @Test
    void underPastasPlanEveryClientIsOfferedTheGuestsAddress() {
        int guest = 0xC633_6402;   // 198.51.100.2, the host's
        int gateway = 0xC633_6401; // 198.51.100.1
        UsernetConfig pasta = UsernetConfig.defaults().withMtu(65520)
                .withPasta(new PastaAddresses(guest, gateway, 0, 0, guest), 24);
        server = new Dhcp4Server(pasta, scheduler, new Ipv4Output(pasta, sink));
        for (long mac : new long[] {MAC, 0x0200_0000_0002L}) {
            send(-1, 67, DhcpRequests.message(DhcpMessage.DISCOVER, 1, mac, 0, 0, 0));
            ByteBuf offer = reply();
            assertThat(offer.getInt(BOOTP_AT + 16)).isEqualTo(guest);
            assertThat(option(offer, DhcpMessage.OPT_ROUTER)).isEqualTo(gateway);
            assertThat(option(offer, DhcpMessage.OPT_DNS)).as("no DNS option without --dns-forward").isEqualTo(-1);
            assertThat(option(offer, DhcpMessage.OPT_MTU)).isEqualTo(65520);
            send(-1, 67, DhcpRequests.message(DhcpMessage.REQUEST, 2, mac, 0, guest, gateway));
            ByteBuf ack = reply();
            assertThat(option(ack, DhcpMessage.OPT_MESSAGE_TYPE)).isEqualTo(DhcpMessage.ACK);
            assertThat(ack.getInt(BOOTP_AT + 16)).isEqualTo(guest);
        }
        send(-1, 67, DhcpRequests.message(DhcpMessage.REQUEST, 3, MAC, 0, 0xC633_6409, gateway));
        assertThat(option(reply(), DhcpMessage.OPT_MESSAGE_TYPE)).isEqualTo(DhcpMessage.NAK);
    }

    private boolean send(int dst, int dstPort, ByteBuf payload) {
        int n = payload.readableBytes();
        ByteBuf b = Unpooled.buffer(Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH + n);
        Ipv4Packet.emitHeader(b, 0, 0, dst, Ipv4Packet.PROTO_UDP, 64, 1, UdpDatagram.HEADER_LENGTH + n);
        UdpDatagram.emitHeader(b, Ipv4Packet.MIN_HEADER_LENGTH, 68, dstPort, n);
        b.setBytes(Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH, payload, 0, n);
        b.writerIndex(b.capacity());
        Ipv4Packet ip = new Ipv4Packet();
        ip.wrap(b, 0, b.writerIndex());
        UdpDatagram udp = new UdpDatagram();
        udp.wrap(b, Ipv4Packet.MIN_HEADER_LENGTH, UdpDatagram.HEADER_LENGTH + n);
        return server.serve(ip, udp);
    }

    private ByteBuf reply() {
        byte[] frame = sink.poll();
        assertThat(frame).as("a reply").isNotNull();
        return Unpooled.wrappedBuffer(frame);
    }

    private static int option(ByteBuf frame, int code) {
        return DhcpRequests.option(frame, BOOTP_AT, frame.capacity() - BOOTP_AT, code);
    }

    private static boolean checksumOk(ByteBuf frame) {
        UdpDatagram udp = new UdpDatagram();
        udp.wrap(frame, UDP_AT, frame.capacity() - UDP_AT);
        return udp.verifyChecksumIpv4(frame.getInt(UDP_AT - 8), frame.getInt(UDP_AT - 4));
    }
}
