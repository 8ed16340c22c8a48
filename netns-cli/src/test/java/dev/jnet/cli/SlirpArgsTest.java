package dev.jnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** slirp4netns's rules for option values, and its words for breaking them. */
class SlirpArgsTest {
    @Test
    void cidrIsANetworkAddressWithAPrefixOfOneToTwentyFive() {
        assertThat(SlirpArgs.cidr("10.0.2.0/24")).containsExactly(0x0A000200, 24);
        assertThat(SlirpArgs.cidr("192.0.2.128/25")).containsExactly(0xC0000280, 25);
        assertThat(SlirpArgs.cidr("192.0.0.0/8")).containsExactly(0xC0000000, 8);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.2.0/26     | prefix length needs to be 1-25",
        "10.0.2.0/0      | prefix length needs to be 1-25",
        "10.0.2.100/24   | CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24",
        "10.0.2.0        | invalid CIDR: 10.0.2.0",
        "10.0.2.0/240    | invalid CIDR: 10.0.2.0/240",
        "300.0.2.0/24    | invalid network address: 300.0.2.0",
        "010.0.2.0/24    | invalid network address: 010.0.2.0",
        "10.0.2/24       | invalid network address: 10.0.2",
        "fd00::/64       | invalid CIDR: fd00::/64",
    })
    void badCidrs(String cidr, String message) {
        assertThatThrownBy(() -> SlirpArgs.cidr(cidr)).isInstanceOf(SlirpArgs.Bad.class).hasMessage(message);
    }

    @Test
    void cidr6IsASlaacPrefix() {
        assertThat(SlirpArgs.cidr6("fd00::/64")).isEqualTo(dev.jnet.usernet.Ipv6Config.defaults());
        assertThat(SlirpArgs.cidr6("fd12:3456:789a:1::/64").prefixHigh()).isEqualTo(0xfd12_3456_789a_0001L);
        for (String bad : new String[] {"fd00::", "fd00::/63", "fe80::/64", "ff02::/64", "::/64", "fd00::1/64",
                "example.test/64", "fd00::/6x",
                "fd00:::/64", "fd00::%lo/64", "fd00:0:0:0:0:0:0:0:0/64"}) {
            assertThatThrownBy(() -> SlirpArgs.cidr6(bad)).as(bad).isInstanceOf(SlirpArgs.Bad.class);
        }
    }

    @Test
    void mtuFrom68To65521() {
        assertThat(SlirpArgs.mtu("68")).isEqualTo(68);
        assertThat(SlirpArgs.mtu("65521")).isEqualTo(65521);
        assertThatThrownBy(() -> SlirpArgs.mtu("65522")).hasMessage("MTU must be from 68 to 65521: 65522");
        assertThatThrownBy(() -> SlirpArgs.mtu("67")).hasMessage("MTU must be from 68 to 65521: 67");
        assertThatThrownBy(() -> SlirpArgs.mtu("-1")).hasMessage("MTU must be a positive integer (< 65522)");
        assertThatThrownBy(() -> SlirpArgs.mtu("9999999999")).hasMessage("MTU must be from 68 to 65521: 9999999999");
    }

    @Test
    void fdsAndPids() {
        assertThat(SlirpArgs.fd("0", "exit-fd")).isZero();
        assertThatThrownBy(() -> SlirpArgs.fd("-3", "exit-fd")).hasMessage("exit-fd must be a non-negative integer");
        assertThatThrownBy(() -> SlirpArgs.fd("3x", "ready-fd")).hasMessage("ready-fd must be a non-negative integer");
        assertThat(SlirpArgs.pid("4242")).isEqualTo(4242L);
        for (String bad : new String[] {"0", "-1", "abc", "4294967296"}) {
            assertThatThrownBy(() -> SlirpArgs.pid(bad)).hasMessage("PID must be a positive integer");
        }
    }

    @Test
    void macAddressesAreSixUnicastHexPairs() {
        assertThat(SlirpArgs.mac("02:11:22:aa:BB:ff")).isEqualTo(0x021122AABBFFL);
        assertThatThrownBy(() -> SlirpArgs.mac("02:11:22:33:44")).hasMessage("\"02:11:22:33:44\" is an invalid MAC address.");
        assertThatThrownBy(() -> SlirpArgs.mac("0211.2233.4455")).hasMessage("\"0211.2233.4455\" is an invalid MAC address.");
        assertThatThrownBy(() -> SlirpArgs.mac("01:00:5e:00:00:01"))
                .hasMessage("\"01:00:5e:00:00:01\" is a multicast MAC address: a tap needs a unicast one.");
    }

    @Test
    void outboundAddressIsIpv4OrAnInterfaceName() {
        assertThat(SlirpArgs.outbound("192.0.2.7").getHostAddress()).isEqualTo("192.0.2.7");
        assertThat(SlirpArgs.outbound("lo").getHostAddress()).isEqualTo("127.0.0.1");
        for (String bad : new String[] {"192.0.2", "192.0.2.256", "192.0.02.1", "no-such-interface0"}) {
            assertThatThrownBy(() -> SlirpArgs.outbound(bad))
                    .hasMessage("outbound-addr has to be valid ipv4 address or interface name.");
        }
    }
}
