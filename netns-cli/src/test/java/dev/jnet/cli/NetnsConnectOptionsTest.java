package dev.jnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.net.IpPrefix;
import dev.jnet.wiring.ConnectOptions;
import dev.jnet.wiring.WiringException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code netns connect}'s options become the connector's typed values; bad ones are refused in the options' words. */
class NetnsConnectOptionsTest {
    @Test
    void addressesBecomePrefixes() {
        ConnectOptions o = NetnsConnect.options("jn-t", null, "10.200.9.1/24", "10.200.9.2/24", "br-t",
                "fd00:200:9::1/64,FD00:200:9::2/64");
        assertThat(o).isEqualTo(new ConnectOptions("jn-t", null, IpPrefix.parse("10.200.9.1/24"),
                IpPrefix.parse("10.200.9.2/24"), "br-t", IpPrefix.parse("fd00:200:9::1/64"), IpPrefix.parse("fd00:200:9::2/64")));
        assertThat(NetnsConnect.options(null, null, "10.200.9.1", "10.200.9.2", null, null).hostAddress())
                .hasToString("10.200.9.1/32");
        assertThat(NetnsConnect.options(null, null, null, null, null, null)).isEqualTo(ConnectOptions.defaults());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // 10.1/24 used to be read as 10.0.0.1/24
        "10.1/24        | 10.200.9.2/24 |  | Invalid --addr \"10.1/24\": 2 dot-separated parts, a dotted quad has 4 (ADDR/PLEN expected)",
        "10.200.9.1/24  | 010.200.9.2/24 | | Invalid --peer-addr \"010.200.9.2/24\": part \"010\" has a leading zero (ADDR/PLEN expected)",
        "10.200.9.1/33  | 10.200.9.2/24 |  | Invalid --addr \"10.200.9.1/33\": prefix length 33 is above 32 (ADDR/PLEN expected)",
        "fd00::1/64     | fd00::2/64    |  | Invalid --addr \"fd00::1/64\": \":\" in an IPv4 address (ADDR/PLEN expected)",
        "10.200.9.1/24  |               |  | --addr and --peer-addr go together: give both or neither",
        "               |               | fd00::1/64 | --ipv6 expects HOST6/PLEN,NS6/PLEN, not \"fd00::1/64\"",
        "               |               | `fd00::1/64,10.200.9.2/24` | Invalid --ipv6 \"10.200.9.2/24\": no \":\" in an IPv6 address (ADDR6/PLEN expected)",
    })
    void badAddressesAreUsageErrors(String addr, String peer, String ipv6, String message) {
        assertThatThrownBy(() -> NetnsConnect.options(null, null, addr, peer, null, ipv6))
                .isInstanceOf(Failures.UsageException.class).hasMessage(message);
        assertThat(Failures.report(new Failures.UsageException(message)).exit()).isEqualTo(Failures.EXIT_USAGE);
    }

    @Test
    void theConnectorsFailuresGetTheCommandLinesHints() {
        WiringException connected = new WiringException(WiringException.Kind.ALREADY_CONNECTED, "ns1",
                "Namespace \"ns1\" is already connected (host end jn-1)", null);
        assertThat(Failures.report(connected)).isEqualTo(new Failures.Report(
                "Namespace \"ns1\" is already connected (host end jn-1); \"jnet netns disconnect ns1\" first", 1));
        WiringException full = new WiringException(WiringException.Kind.NO_FREE_SUBNET, "No free 10.200.N.0/24 subnet left");
        assertThat(Failures.report(full).text()).isEqualTo("No free 10.200.N.0/24 subnet left: give --addr and --peer-addr");
        WiringException bad = new WiringException(WiringException.Kind.INVALID_ARGUMENT, "Invalid interface name \"a/b\"");
        assertThat(Failures.report(bad)).isEqualTo(new Failures.Report("Invalid interface name \"a/b\"", 255));
    }
}
