package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.dns.DnsForwarder;
import dev.jnet.usernet.icmp.IcmpEcho;
import dev.jnet.usernet.ip.Ipv4Output;
import dev.jnet.usernet.nat.AddressMap;
import dev.jnet.usernet.udp.FakeUdpHost;
import dev.jnet.usernet.udp.UdpNat;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The "checksum trusted" path: a frame the link vouches for (virtio-net NEEDS_CSUM or
 * DATA_VALID) reaches the transport even though its checksum field holds only a partial sum;
 * the same frame through the ordinary entry is dropped and counted as a bad checksum.
 */
class StackChecksumTrustTest {
    static final int TEST_NET = 0xC0000201;

    final UsernetConfig config = UsernetConfig.defaults();
    final ManualScheduler scheduler = new ManualScheduler();
    final MemoryFrameSink sink = new MemoryFrameSink();
    final FakeUdpHost host = new FakeUdpHost();
    final TestGuest guest = new TestGuest(config);
    final Stack stack = build();

    Stack build() {
        Ipv4Output out = new Ipv4Output(config, sink);
        AddressMap map = new AddressMap(config);
        UdpNat udp = new UdpNat(config, scheduler, out, map, DnsForwarder.of(List.of()), host, UdpNat.Limits.DEFAULT);
        return new Stack(config, scheduler, out, null, () -> 0, udp, new IcmpEcho(config, out, map, null));
    }

    /** A datagram whose checksum field is wrong for its bytes, as a partial (pseudo-header only) one is. */
    ByteBuf partialChecksumDatagram(byte[] payload) {
        ByteBuf f = guest.udp(40000, TEST_NET, 9, payload);
        int csum = 14 + 20 + 6;
        f.setShort(csum, f.getUnsignedShort(csum) ^ 0x5a5a);
        return f;
    }

    @Test
    void theStackTakesTrustedFrames() {
        assertThat(stack.takesTrustedFrames()).isTrue();
    }

    @Test
    void aTrustedFrameIsDeliveredWithoutItsChecksumChecked() {
        byte[] payload = "partial".getBytes(StandardCharsets.US_ASCII);
        stack.receiveTrustedFrame(partialChecksumDatagram(payload));
        assertThat(host.sockets).hasSize(1);
        assertThat(host.last().sent).containsExactly(payload);
        assertThat(stack.udp().badChecksum()).isZero();
    }

    @Test
    void theSameFrameUntrustedIsDroppedAsABadChecksum() {
        stack.receiveFrame(partialChecksumDatagram("partial".getBytes(StandardCharsets.US_ASCII)));
        assertThat(host.sockets).isEmpty();
        assertThat(stack.udp().badChecksum()).isEqualTo(1);
    }

    @Test
    void trustIsPerFrame() {
        stack.receiveTrustedFrame(partialChecksumDatagram(new byte[] {1}));
        stack.receiveFrame(partialChecksumDatagram(new byte[] {2}));
        assertThat(host.last().sent).hasSize(1);
        assertThat(stack.udp().badChecksum()).isEqualTo(1);
    }
}
