package dev.jnet.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Neighbour messages, address lifetimes (IFA_CACHEINFO) and route-get requests, encoded then decoded. */
class LookupCodecTest {
    private static ByteBuffer bb(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    @Test
    void neighbourRoundTrip() throws Exception {
        Neighbour n = new Neighbour(2, 7, InetAddress.getByName("10.0.0.2"), new byte[] {2, 0, 0, 0, 0, 2},
                Neighbour.NUD_STALE, Neighbour.NTF_ROUTER, 4, 0);
        Neighbour back = NeighbourCodec.parse(bb(NeighbourCodec.add(n, 0).toBytes(1)));
        assertThat(back.family()).isEqualTo(2);
        assertThat(back.ifindex()).isEqualTo(7);
        assertThat(back.dst()).isEqualTo(n.dst());
        assertThat(back.lladdr()).containsExactly(2, 0, 0, 0, 0, 2);
        assertThat(back.state()).isEqualTo(Neighbour.NUD_STALE);
        assertThat(back.flags()).isEqualTo(Neighbour.NTF_ROUTER);
        assertThat(back.protocol()).isEqualTo(4);
        assertThatThrownBy(() -> NeighbourCodec.add(new Neighbour(2, 0, n.dst(), null, 0x80, 0, 0, 0), 0))
                .isInstanceOf(RtnlException.class);
    }

    @Test
    void addressLifetimesRoundTrip() throws Exception {
        Address a = new Address(3, InetAddress.getByName("fd00::5"), 64, null, null, 0, null,
                Address.IFA_F_NODAD | Address.IFA_F_NOPREFIXROUTE).withLifetimes(300, 200);
        Address back = AddressCodec.parse(bb(AddressCodec.add(a).toBytes(1)));
        assertThat(back.validLft()).isEqualTo(300);
        assertThat(back.preferredLft()).isEqualTo(200);
        assertThat(back.flags()).isEqualTo(0x202);
        Address plain = AddressCodec.parse(bb(AddressCodec.add(Address.of(3, a.local(), 64)).toBytes(1)));
        assertThat(plain.validLft()).isEqualTo(-1);
        assertThatThrownBy(() -> AddressCodec.add(a.withLifetimes(10, 20))).isInstanceOf(RtnlException.class)
                .hasMessageContaining("preferred_lft is greater than valid_lft");
        assertThatThrownBy(() -> AddressCodec.add(a.withLifetimes(0, -1))).isInstanceOf(RtnlException.class)
                .hasMessageContaining("valid_lft is zero");
    }

    @Test
    void routeGetRequest() throws Exception {
        byte[] m = RouteLookup.request(2, InetAddress.getByName("10.0.0.9"), InetAddress.getByName("10.0.0.1"), 32, 0, 5)
                .toBytes(1);
        ByteBuffer b = bb(m);
        assertThat(b.get(16)).isEqualTo((byte) 2);     // rtm_family
        assertThat(b.get(17)).isEqualTo((byte) 32);    // rtm_dst_len
        assertThat(b.get(18)).isEqualTo((byte) 32);    // rtm_src_len
        assertThat(b.getInt(24)).isEqualTo(0x1000);    // RTM_F_LOOKUP_TABLE
        RouteLookup l = RouteLookup.parse(b);          // the same layout as the answer
        assertThat(l.route().dst()).isEqualTo(InetAddress.getByName("10.0.0.9"));
        assertThat(l.src()).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThat(l.route().oif()).isEqualTo(5);
        assertThat(l.uid()).isEqualTo(-1);
        assertThatThrownBy(() -> RouteLookup.request(10, InetAddress.getByName("10.0.0.9"), null, 0, 0, 0))
                .isInstanceOf(RtnlException.class);
    }
}
