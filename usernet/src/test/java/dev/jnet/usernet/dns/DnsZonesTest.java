package dev.jnet.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.net.IpAddress;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The zones answer their own records in wire format and NXDOMAIN for anything else. */
class DnsZonesTest {
    private final DnsZones zones = new DnsZones(30)
            .address("web.example.test", IpAddress.parse("192.0.2.10"))
            .address("web.example.test", IpAddress.parse("2001:db8::10"))
            .cname("www.example.test", "web.example.test")
            .cname("alias.example.test", "www.example.test");

    /** A parsed answer section: type and rdata of each record, and the rcode. */
    record Answer(int rcode, boolean authoritative, List<Integer> types, List<byte[]> data, int id) {}

    static byte[] query(int id, String name, int type) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String l : name.split("\\.")) {
            b.write(l.length());
            b.writeBytes(l.getBytes(StandardCharsets.US_ASCII));
        }
        b.writeBytes(new byte[] {0, (byte) (type >> 8), (byte) type, 0, 1});
        return b.toByteArray();
    }

    static Answer parse(byte[] r) {
        ByteBuffer b = ByteBuffer.wrap(r);
        int id = b.getShort(0) & 0xFFFF;
        int rcode = r[3] & 0x0F;
        boolean aa = (r[2] & 0x04) != 0;
        int qd = b.getShort(4);
        int an = b.getShort(6);
        b.position(12);
        for (int i = 0; i < qd; i++) {
            skipName(b);
            b.position(b.position() + 4);
        }
        List<Integer> types = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            skipName(b);
            types.add(b.getShort() & 0xFFFF);
            b.getShort();
            b.getInt();
            byte[] d = new byte[b.getShort() & 0xFFFF];
            b.get(d);
            data.add(d);
        }
        assertThat(b.remaining()).isZero();
        return new Answer(rcode, aa, types, data, id);
    }

    private static void skipName(ByteBuffer b) {
        for (int len = b.get() & 0xFF; len != 0; len = b.get() & 0xFF) {
            b.position(b.position() + len);
        }
    }

    private Answer ask(String name, int type) {
        byte[] q = query(0x1234, name, type);
        return parse(zones.answer(q, q.length).orElseThrow());
    }

    @Test
    void aAndAaaaRecordsAreAnsweredAuthoritatively() {
        Answer a = ask("web.example.test", DnsZones.TYPE_A);
        assertThat(a.id()).isEqualTo(0x1234);
        assertThat(a.rcode()).isZero();
        assertThat(a.authoritative()).isTrue();
        assertThat(a.types()).containsExactly(DnsZones.TYPE_A);
        assertThat(IpAddress.of(a.data().get(0))).isEqualTo(IpAddress.parse("192.0.2.10"));
        Answer aaaa = ask("WEB.Example.Test.", DnsZones.TYPE_AAAA);
        assertThat(aaaa.types()).containsExactly(DnsZones.TYPE_AAAA);
        assertThat(IpAddress.of(aaaa.data().get(0))).isEqualTo(IpAddress.parse("2001:db8::10"));
    }

    @Test
    void cnamesAreFollowedWithinTheZones() {
        Answer a = ask("alias.example.test", DnsZones.TYPE_A);
        assertThat(a.types()).containsExactly(DnsZones.TYPE_CNAME, DnsZones.TYPE_CNAME, DnsZones.TYPE_A);
        assertThat(IpAddress.of(a.data().get(2))).isEqualTo(IpAddress.parse("192.0.2.10"));
        assertThat(ask("www.example.test", DnsZones.TYPE_CNAME).types()).containsExactly(DnsZones.TYPE_CNAME);
    }

    @Test
    void unknownNamesAreNxdomainAndKnownNamesWithoutTheTypeAreEmpty() {
        Answer nx = ask("example.com", DnsZones.TYPE_A);
        assertThat(nx.rcode()).isEqualTo(DnsZones.RCODE_NXDOMAIN);
        assertThat(nx.types()).isEmpty();
        Answer nodata = ask("web.example.test", 16); // TXT
        assertThat(nodata.rcode()).isZero();
        assertThat(nodata.types()).isEmpty();
    }

    @Test
    void aCnameLoopEndsAfterABoundedChain() {
        DnsZones loop = new DnsZones().cname("a.test", "b.test").cname("b.test", "a.test");
        byte[] q = query(1, "a.test", DnsZones.TYPE_A);
        Answer r = parse(loop.answer(q, q.length).orElseThrow());
        assertThat(r.types()).hasSize(DnsZones.MAX_CHAIN + 1).allMatch(t -> t == DnsZones.TYPE_CNAME);
    }

    @Test
    void garbageAndResponsesGetNoAnswer() {
        assertThat(zones.answer(new byte[5], 5)).isEmpty();
        byte[] response = query(1, "web.example.test", DnsZones.TYPE_A);
        response[2] |= (byte) 0x80;
        assertThat(zones.answer(response, response.length)).isEmpty();
        byte[] cut = query(1, "web.example.test", DnsZones.TYPE_A);
        assertThat(zones.answer(cut, cut.length - 3)).isEmpty();
    }

    @Test
    void aCnameNextToOtherDataAndBadNamesAreRefused() {
        assertThatThrownBy(() -> zones.cname("web.example.test", "x.test"))
                .hasMessageContaining("a CNAME and other data");
        assertThatThrownBy(() -> zones.address("www.example.test", IpAddress.parse("192.0.2.1")))
                .hasMessageContaining("a CNAME and other data");
        assertThatThrownBy(() -> zones.address("a..b", IpAddress.parse("192.0.2.1")))
                .hasMessage("invalid DNS name \"a..b\"");
    }
}
