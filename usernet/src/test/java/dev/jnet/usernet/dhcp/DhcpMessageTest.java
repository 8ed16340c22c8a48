package dev.jnet.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.wire.DnsName;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class DhcpMessageTest {
    private static final long MAC = 0x0200_0000_0001L;
    private static final int GATEWAY = 0x0A00_0202;

    @Test
    void parsesTheFieldsTheServerActsOn() {
        ByteBuf b = DhcpRequests.message(DhcpMessage.REQUEST, 0x1234_5678, MAC, 0, 0x0A00_020F, GATEWAY);
        DhcpMessage m = new DhcpMessage();
        assertThat(m.parse(b, 0, b.readableBytes())).isTrue();
        assertThat(m.messageType()).isEqualTo(DhcpMessage.REQUEST);
        assertThat(m.xid()).isEqualTo(0x1234_5678);
        assertThat(m.chaddr()).isEqualTo(MAC);
        assertThat(m.requestedIp()).isEqualTo(0x0A00_020F);
        assertThat(m.serverId()).isEqualTo(GATEWAY);
        assertThat(m.flags()).isEqualTo(0x8000);
    }

    @Test
    void refusesRepliesOtherHardwareTruncatedOptionsAndMissingType() {
        DhcpMessage m = new DhcpMessage();
        ByteBuf reply = DhcpRequests.message(DhcpMessage.DISCOVER, 1, MAC, 0, 0, 0);
        reply.setByte(0, DhcpMessage.BOOTREPLY);
        assertThat(m.parse(reply, 0, 300)).isFalse();
        ByteBuf tokenRing = DhcpRequests.message(DhcpMessage.DISCOVER, 1, MAC, 0, 0, 0);
        tokenRing.setByte(1, 6);
        assertThat(m.parse(tokenRing, 0, 300)).isFalse();
        ByteBuf cookie = DhcpRequests.message(DhcpMessage.DISCOVER, 1, MAC, 0, 0, 0);
        cookie.setInt(DhcpMessage.FIXED_LENGTH, 0);
        assertThat(m.parse(cookie, 0, 300)).as("BOOTP without the magic cookie").isFalse();
        ByteBuf ok = DhcpRequests.message(DhcpMessage.DISCOVER, 1, MAC, 0, 0, 0);
        assertThat(m.parse(ok, 0, DhcpMessage.OPTIONS_OFFSET + 2)).as("option header cut off").isFalse();
        ok.setByte(DhcpMessage.OPTIONS_OFFSET, DhcpMessage.OPT_END);
        assertThat(m.parse(ok, 0, 300)).as("no message type: BOOTP, not DHCP").isFalse();
        assertThat(m.parse(ok, 0, 100)).isFalse();
    }

    @Test
    void writesAnOfferWithLibslirpsOptionsAndTheMtu() {
        DhcpMessage req = new DhcpMessage();
        ByteBuf b = DhcpRequests.message(DhcpMessage.DISCOVER, 77, MAC, 0, 0, 0);
        assertThat(req.parse(b, 0, 300)).isTrue();
        ByteBuf out = Unpooled.buffer(400);
        int n = DhcpMessage.writeReply(out, 10, req, DhcpMessage.OFFER, 0x0A00_020F, GATEWAY, 0xFFFF_FF00,
                GATEWAY, new int[] {0x0A00_0203}, new byte[0], 86400, 1500, null);
        assertThat(n).isEqualTo(DhcpMessage.MIN_REPLY_LENGTH);
        assertThat((int) out.getUnsignedByte(10)).isEqualTo(DhcpMessage.BOOTREPLY);
        assertThat(out.getInt(14)).isEqualTo(77);
        assertThat(out.getInt(10 + 16)).as("yiaddr").isEqualTo(0x0A00_020F);
        assertThat(out.getInt(10 + DhcpMessage.FIXED_LENGTH)).isEqualTo(DhcpMessage.MAGIC_COOKIE);
        assertThat(DhcpRequests.option(out, 10, n, DhcpMessage.OPT_MESSAGE_TYPE)).isEqualTo(DhcpMessage.OFFER);
        assertThat(DhcpRequests.option(out, 10, n, DhcpMessage.OPT_SERVER_ID)).isEqualTo(GATEWAY);
        assertThat(DhcpRequests.option(out, 10, n, DhcpMessage.OPT_SUBNET_MASK)).isEqualTo(0xFFFF_FF00);
        assertThat(DhcpRequests.option(out, 10, n, DhcpMessage.OPT_ROUTER)).isEqualTo(GATEWAY);
        assertThat(DhcpRequests.option(out, 10, n, DhcpMessage.OPT_DNS)).isEqualTo(0x0A00_0203);
        assertThat(DhcpRequests.option(out, 10, n, DhcpMessage.OPT_LEASE_TIME)).isEqualTo(86400);
        assertThat(DhcpRequests.option(out, 10, n, DhcpMessage.OPT_MTU)).isEqualTo(1500);
        // the reply parses back as a message of the client's (after flipping op): the same chaddr
        out.setByte(10, DhcpMessage.BOOTREQUEST);
        DhcpMessage back = new DhcpMessage();
        assertThat(back.parse(out, 10, n)).isTrue();
        assertThat(back.chaddr()).isEqualTo(MAC);
    }

    @Test
    void severalServersAndALongSearchListSplitAcrossOptions() {
        DhcpMessage req = new DhcpMessage();
        req.parse(DhcpRequests.message(DhcpMessage.DISCOVER, 9, MAC, 0, 0, 0), 0, 300);
        List<String> names = List.of("a".repeat(60) + ".example.test", "b".repeat(60) + ".example.test",
                "c".repeat(60) + ".example.test", "d".repeat(60) + ".example.test");
        byte[] search = DnsName.encodeAll(names);
        assertThat(search.length).as("more than one option holds").isGreaterThan(255);
        int capacity = DhcpMessage.replyCapacity(2, search.length);
        ByteBuf out = Unpooled.buffer(capacity);
        int n = DhcpMessage.writeReply(out, 0, req, DhcpMessage.OFFER, 0x0A00_020F, GATEWAY, 0xFFFF_FF00, GATEWAY,
                new int[] {0xC000_0235, 0xC633_6435}, search, 86400, 1500, null);
        assertThat(n).isLessThanOrEqualTo(capacity);
        assertThat(DhcpRequests.optionBytes(out, 0, n, DhcpMessage.OPT_DNS))
                .isEqualTo(new byte[] {(byte) 192, 0, 2, 53, (byte) 198, 51, 100, 53});
        assertThat(DhcpRequests.optionBytes(out, 0, n, DhcpMessage.OPT_DOMAIN_SEARCH)).isEqualTo(search);
        assertThat(DhcpRequests.option(out, 0, n, DhcpMessage.OPT_MTU)).as("options after it still parse").isEqualTo(1500);
    }

    @Test
    void aNakCarriesNoAddressesButItsReason() {
        DhcpMessage req = new DhcpMessage();
        ByteBuf b = DhcpRequests.message(DhcpMessage.REQUEST, 5, MAC, 0x0A00_0263, 0, 0);
        req.parse(b, 0, 300);
        ByteBuf out = Unpooled.buffer(400);
        int n = DhcpMessage.writeReply(out, 0, req, DhcpMessage.NAK, 0, GATEWAY, 0xFFFF_FF00, GATEWAY,
                new int[] {0x0A00_0203}, new byte[0], 86400, 1500, "requested address not available");
        assertThat(out.getInt(12)).isZero();
        assertThat(out.getInt(16)).isZero();
        assertThat(DhcpRequests.option(out, 0, n, DhcpMessage.OPT_MESSAGE_TYPE)).isEqualTo(DhcpMessage.NAK);
        assertThat(DhcpRequests.option(out, 0, n, DhcpMessage.OPT_ROUTER)).isEqualTo(-1);
        assertThat(DhcpRequests.option(out, 0, n, DhcpMessage.OPT_MESSAGE)).isEqualTo(31);
    }

    /** Random bytes, and valid messages with random bytes laid over them: never an exception. */
    @Property(tries = 2000)
    void malformedInputNeverThrows(@ForAll("messages") byte[] bytes, @ForAll("cuts") int cut) {
        ByteBuf b = Unpooled.wrappedBuffer(bytes);
        DhcpMessage m = new DhcpMessage();
        int length = Math.min(cut, bytes.length);
        boolean ok = m.parse(b, 0, length);
        if (ok) {
            assertThat(m.messageType()).isBetween(1, 255);
        }
        assertThat(m.parse(b, 5, bytes.length)).as("a window past the buffer").isFalse();
    }

    @Provide
    Arbitrary<byte[]> messages() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<byte[]> corrupted = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64)
                .flatMap(noise -> Arbitraries.integers().between(0, 299).map(at -> {
                    ByteBuf valid = DhcpRequests.message(DhcpMessage.REQUEST, 1, MAC, 0, 0x0A00_020F, GATEWAY);
                    byte[] a = new byte[300];
                    valid.getBytes(0, a);
                    for (int i = 0; i < noise.length && at + i < a.length; i++) {
                        a[at + i] = noise[i];
                    }
                    return a;
                }));
        return Arbitraries.oneOf(random, corrupted);
    }

    @Provide
    Arbitrary<Integer> cuts() {
        return Arbitraries.integers().between(0, 600);
    }
}
