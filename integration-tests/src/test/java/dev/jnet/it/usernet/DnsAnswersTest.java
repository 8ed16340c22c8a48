package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fake resolver's answers, byte for byte (no root, no sockets). */
class DnsAnswersTest {
    private static final int AAAA = 28;

    private final DnsAnswers dns = new DnsAnswers(Map.of("example.test", (Inet4Address) address("203.0.113.10")));

    @Test
    void aQueryForTheKnownNameGetsItsAddress() {
        byte[] r = dns.answer(query(0x1234, "Example.Test", DnsAnswers.TYPE_A)).orElseThrow();
        assertThat(u16(r, 0)).as("id").isEqualTo(0x1234);
        assertThat(r[2] & 0xFF).as("QR, AA, RD echoed").isEqualTo(0x85);
        assertThat(r[3] & 0x0F).as("rcode").isZero();
        assertThat(u16(r, 4)).as("qdcount").isEqualTo(1);
        assertThat(u16(r, 6)).as("ancount").isEqualTo(1);
        int answer = 12 + "Example.Test".length() + 2 + 4;
        assertThat(u16(r, answer)).as("name pointer to the question").isEqualTo(0xC00C);
        assertThat(u16(r, answer + 2)).as("type").isEqualTo(DnsAnswers.TYPE_A);
        assertThat(u16(r, answer + 10)).as("rdlength").isEqualTo(4);
        assertThat(java.util.Arrays.copyOfRange(r, answer + 12, answer + 16)).containsExactly(203, 0, 113, 10);
        assertThat(r).hasSize(answer + 16);
    }

    @Test
    void anAaaaQueryGetsTheIpv6AddressWhereOneIsKnown() {
        DnsAnswers both = new DnsAnswers(Map.of("example.test", (Inet4Address) address("203.0.113.10")),
                Map.of("example.test", (java.net.Inet6Address) address("2001:db8::10")));
        byte[] r = both.answer(query(9, "example.test", AAAA)).orElseThrow();
        assertThat(u16(r, 6)).as("ancount").isEqualTo(1);
        int answer = 12 + "example.test".length() + 2 + 4;
        assertThat(u16(r, answer + 2)).as("type").isEqualTo(AAAA);
        assertThat(u16(r, answer + 10)).as("rdlength").isEqualTo(16);
        assertThat(java.util.Arrays.copyOfRange(r, answer + 12, answer + 28)).containsExactly(
                0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10);
        assertThat(r).hasSize(answer + 28);
    }

    @Test
    void otherTypesOfTheKnownNameGetAnEmptyAnswer() {
        byte[] r = dns.answer(query(7, "example.test", AAAA)).orElseThrow();
        assertThat(r[3] & 0x0F).isZero();
        assertThat(u16(r, 6)).as("ancount").isZero();
    }

    @Test
    void anUnknownNameIsNxdomain() {
        byte[] r = dns.answer(query(7, "nosuch.test", DnsAnswers.TYPE_A)).orElseThrow();
        assertThat(r[3] & 0x0F).isEqualTo(DnsAnswers.RCODE_NXDOMAIN);
        assertThat(u16(r, 6)).isZero();
    }

    @Test
    void responsesAndTruncatedQueriesGetNoAnswer() {
        byte[] q = query(7, "example.test", DnsAnswers.TYPE_A);
        assertThat(dns.answer(q, 11)).isEmpty();
        assertThat(dns.answer(q, q.length - 1)).as("cut in the type and class").isEmpty();
        q[2] |= (byte) 0x80;
        assertThat(dns.answer(q)).as("a response").isEmpty();
    }

    /** A query as dig sends it (RD set), optionally followed by an EDNS OPT record, which is ignored. */
    private static byte[] query(int id, String name, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(new byte[] {0, (byte) (type >> 8), (byte) type, 0, 1});
        return out.toByteArray();
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
