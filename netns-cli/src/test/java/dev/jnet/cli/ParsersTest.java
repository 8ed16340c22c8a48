package dev.jnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ParsersTest {
    @Test
    void macs() {
        assertThat(Parsers.formatMac(Parsers.mac("02:00:0a:C8:0:1"))).isEqualTo("02:00:0a:c8:00:01");
        for (String bad : new String[] {"zz", "", "02::01", "123:00", "02:00:0g"}) {
            assertThatThrownBy(() -> Parsers.mac(bad)).isInstanceOf(IpError.class)
                    .hasMessage("\"" + bad + "\" is invalid lladdr.")
                    .satisfies(e -> assertThat(((IpError) e).exit()).isEqualTo(1));
        }
    }

    @Test
    void prefixes() throws Exception {
        Parsers.Prefix p = Parsers.prefix("10.200.1.7/24", 0);
        assertThat(p.family()).isEqualTo(4);
        assertThat(p.address()).isEqualTo(InetAddress.getByName("10.200.1.7"));
        assertThat(p.length()).isEqualTo(24);
        assertThat(Parsers.prefix("10.200.1.7", 0).length()).isEqualTo(32);
        assertThat(Parsers.prefix("fd00:200::1/64", 0).family()).isEqualTo(6);
        assertThat(Parsers.prefix("fd00:200::1", 0).length()).isEqualTo(128);
        assertThat(Parsers.prefix("default", 4).isDefault()).isTrue();
        for (String bad : new String[] {"10.200.0.1/99", "10.200.0.256/8", "bogus", "10.200.0/8", "fd00::1/129", "192.0.2.4/x",
            "example.com", "10.1/24", "010.200.0.1/24", "0x0a.0.0.1", " 192.0.2.1", "192.0.2.1 ", "fe80::1%lo",
            "1::2::3/64"}) { // the last line was accepted or read as another address before the strict parser
            assertThatThrownBy(() -> Parsers.prefix(bad, 0)).isInstanceOf(IpError.class)
                    .hasMessage("Error: any valid prefix is expected rather than \"" + bad + "\".");
        }
        assertThatThrownBy(() -> Parsers.prefix("fd00::1/64", 4)).isInstanceOf(IpError.class);
    }

    @Test
    void networkAndBroadcast() throws Exception {
        InetAddress a = InetAddress.getByName("10.200.3.77");
        assertThat(Parsers.network(a, 24)).isEqualTo(InetAddress.getByName("10.200.3.0"));
        assertThat(Parsers.broadcast(a, 24)).isEqualTo(InetAddress.getByName("10.200.3.255"));
        assertThat(Parsers.network(a, 0)).isEqualTo(InetAddress.getByName("0.0.0.0"));
    }

    @Test
    void scopesTablesProtocols() {
        assertThat(Parsers.scope("link")).isEqualTo(253);
        assertThat(Parsers.scope("global")).isZero();
        assertThat(Parsers.scope("bogus")).isNegative();
        assertThat(Parsers.table("main")).isEqualTo(254);
        assertThat(Parsers.table("100")).isEqualTo(100);
        assertThat(Parsers.table("x")).isNegative();
        assertThat(Parsers.protocol("static")).isEqualTo(4);
        assertThat(Parsers.protocolName(2)).isEqualTo("kernel");
    }

    @Test
    void ifnames() {
        assertThat(Parsers.validIfname("veth0")).isTrue();
        assertThat(Parsers.validIfname("a".repeat(15))).isTrue();
        assertThat(Parsers.validIfname("a".repeat(16))).isFalse();
        assertThat(Parsers.validIfname("a/b")).isFalse();
        assertThat(Parsers.validIfname("")).isFalse();
    }
}
