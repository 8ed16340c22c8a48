package dev.jnet.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Exact texts in and out; {@link IpAddressPropertiesTest} covers random addresses. */
class IpAddressTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        192.0.2.1                    | 192.0.2.1
        0.0.0.0                      | 0.0.0.0
        255.255.255.255              | 255.255.255.255
        ::                           | ::
        ::1                          | ::1
        2001:DB8::1                  | 2001:db8::1
        2001:0db8:0000:0000:0000:0000:0000:0001 | 2001:db8::1
        2001:db8:0:1:1:1:1:1         | 2001:db8:0:1:1:1:1:1
        2001:db8::1:0:0:1            | 2001:db8::1:0:0:1
        2001:0:0:1:0:0:0:1           | 2001:0:0:1::1
        fd00:200:7::1                | fd00:200:7::1
        1:2:3:4:5:6:7::              | 1:2:3:4:5:6:7:0
        ::ffff:192.0.2.1             | ::ffff:192.0.2.1
        ::ffff:c000:0201             | ::ffff:192.0.2.1
        64:ff9b::192.0.2.33          | 64:ff9b::c000:221
        """)
    void parsesAndFormatsCanonically(String text, String canonical) {
        IpAddress a = IpAddress.parse(text);
        assertThat(a).hasToString(canonical);
        assertThat(IpAddress.parse(canonical)).isEqualTo(a);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        10.1                 | invalid IP address "10.1": 2 dot-separated parts, a dotted quad has 4
        1.2.3.4.5            | invalid IP address "1.2.3.4.5": more than 4 dot-separated parts
        010.0.0.1            | invalid IP address "010.0.0.1": part "010" has a leading zero
        192.0.2.256          | invalid IP address "192.0.2.256": part "256" is above 255
        192.0.2.1000         | invalid IP address "192.0.2.1000": part "1000" is above 255
        0x0a.0.0.1           | invalid IP address "0x0a.0.0.1": part "0x0a" is not a decimal number
        192.0..1             | invalid IP address "192.0..1": an empty part
        localhost            | invalid IP address "localhost": part "localhost" is not a decimal number
        ''                   | invalid IP address "": an empty part
        1:2:3:4:5:6:7:8:9    | invalid IP address "1:2:3:4:5:6:7:8:9": more than 8 groups
        1:2:3:4:5:6:7        | invalid IP address "1:2:3:4:5:6:7": 7 groups, an IPv6 address without "::" has 8
        1:2:3:4:5:6:7::8     | invalid IP address "1:2:3:4:5:6:7::8": 8 groups and a "::": at most 7 fit
        1::2::3              | invalid IP address "1::2::3": more than one "::"
        :::1                 | invalid IP address ":::1": more than one "::"
        :1::                 | invalid IP address ":1::": an empty group (a lone ":" at the start or end, or ":::")
        12345::              | invalid IP address "12345::": group "12345" has more than 4 hex digits
        fe80::1%eth0         | invalid IP address "fe80::1%eth0": a zone ("%eth0") is not accepted
        fe80::zz             | invalid IP address "fe80::zz": character 'z' is not allowed
        1.2.3.4::            | invalid IP address "1.2.3.4::": a dotted quad is allowed only as the last 32 bits
        ::ffff:1.2.3         | invalid IP address "::ffff:1.2.3": 3 dot-separated parts, a dotted quad has 4
        """)
    void refusesNamingTheTextAndWhy(String text, String message) {
        assertThatThrownBy(() -> IpAddress.parse(text)).isInstanceOf(InvalidAddressException.class)
                .hasMessage(message);
    }

    @Test
    void errorsCarryTheInputAndReasonApart() {
        assertThatThrownBy(() -> IpAddress.parseIpv4(" 192.0.2.1")).isInstanceOfSatisfying(InvalidAddressException.class,
                e -> {
                    assertThat(e.input()).isEqualTo(" 192.0.2.1");
                    assertThat(e.reason()).isEqualTo("part \" 192\" is not a decimal number");
                    assertThat(e).hasMessage("invalid IPv4 address \" 192.0.2.1\": part \" 192\" is not a decimal number");
                });
        assertThatThrownBy(() -> IpAddress.parseIpv6("2001:db8::1 ")).hasMessage(
                "invalid IPv6 address \"2001:db8::1 \": character U+0020 is not allowed");
        assertThatThrownBy(() -> IpAddress.parseIpv4("::1")).hasMessage("invalid IPv4 address \"::1\": \":\" in an IPv4 address");
        assertThatThrownBy(() -> IpAddress.parseIpv6("192.0.2.1"))
                .hasMessage("invalid IPv6 address \"192.0.2.1\": no \":\" in an IPv6 address");
    }

    @Test
    void convertsToAndFromInetAddressWithoutLookups() {
        assertThat(IpAddress.parse("192.0.2.1").toInetAddress()).isInstanceOf(Inet4Address.class)
                .extracting(java.net.InetAddress::getHostAddress).isEqualTo("192.0.2.1");
        assertThat(IpAddress.parse("::ffff:192.0.2.1").toInetAddress()).isInstanceOf(Inet6Address.class);
        assertThat(IpAddress.of(IpAddress.parse("2001:db8::1").toInetAddress())).hasToString("2001:db8::1");
        assertThat(IpAddress.ipv4(0xC0000201)).hasToString("192.0.2.1").extracting(IpAddress::toIpv4Int).isEqualTo(0xC0000201);
        assertThat(IpAddress.parse("::").isUnspecified()).isTrue();
        assertThat(IpAddress.parse("0.0.0.0").compareTo(IpAddress.parse("::"))).isNegative();
    }

    @Test
    void prefixes() {
        IpPrefix p = IpPrefix.parse("10.200.3.1/24");
        assertThat(p.address()).hasToString("10.200.3.1");
        assertThat(p.length()).isEqualTo(24);
        assertThat(p.network()).hasToString("10.200.3.0/24");
        assertThat(p.lastAddress()).hasToString("10.200.3.255");
        assertThat(p.isNetwork()).isFalse();
        assertThat(p.contains(IpAddress.parse("10.200.3.77"))).isTrue();
        assertThat(p.contains(IpAddress.parse("10.200.4.1"))).isFalse();
        assertThat(p.overlaps(IpPrefix.parse("10.200.0.0/16"))).isTrue();
        assertThat(p.overlaps(IpPrefix.parse("10.200.4.0/24"))).isFalse();
        assertThat(p.overlaps(IpPrefix.parse("::/0"))).isFalse();
        assertThat(IpPrefix.parse("2001:DB8::1/64")).hasToString("2001:db8::1/64");
        assertThat(IpPrefix.parse("2001:db8::1/64").network()).hasToString("2001:db8::/64");
        assertThat(IpPrefix.parseOrHost("192.0.2.1", IpAddress.Family.IPV4)).hasToString("192.0.2.1/32");
        assertThat(IpPrefix.parseOrHost("2001:db8::1", null)).hasToString("2001:db8::1/128");
        assertThat(IpPrefix.parse("0.0.0.0/0").isNetwork()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        10.1/24              | invalid IPv4 prefix "10.1/24": 2 dot-separated parts, a dotted quad has 4
        192.0.2.1            | invalid IPv4 prefix "192.0.2.1": no "/" and prefix length
        192.0.2.1/           | invalid IPv4 prefix "192.0.2.1/": no prefix length after "/"
        192.0.2.1/33         | invalid IPv4 prefix "192.0.2.1/33": prefix length 33 is above 32
        192.0.2.1/024        | invalid IPv4 prefix "192.0.2.1/024": prefix length "024" has a leading zero
        192.0.2.1/-1         | invalid IPv4 prefix "192.0.2.1/-1": prefix length "-1" is not a decimal number
        192.0.2.1/24/24      | invalid IPv4 prefix "192.0.2.1/24/24": prefix length "24/24" is not a decimal number
        fd00::1/64           | invalid IPv4 prefix "fd00::1/64": ":" in an IPv4 address
        """)
    void refusesPrefixesNamingTheTextAndWhy(String text, String message) {
        assertThatThrownBy(() -> IpPrefix.parse(text, IpAddress.Family.IPV4)).isInstanceOf(InvalidAddressException.class)
                .hasMessage(message);
    }

    @Test
    void refusesIpv6PrefixLengthsAbove128AndBadConstruction() {
        assertThatThrownBy(() -> IpPrefix.parse("2001:db8::/129"))
                .hasMessage("invalid prefix \"2001:db8::/129\": prefix length 129 is above 128");
        assertThatThrownBy(() -> new IpPrefix(IpAddress.parse("192.0.2.1"), 33))
                .isInstanceOf(InvalidAddressException.class)
                .hasMessage("invalid prefix \"192.0.2.1/33\": prefix length 33 is not from 0 to 32");
    }
}
