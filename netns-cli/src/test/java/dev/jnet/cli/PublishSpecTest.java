package dev.jnet.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --publish [HOSTIP:]HPORT:GPORT[/tcp|/udp]}: what it means, and one line for each way to get it wrong. */
class PublishSpecTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "18080:80                | 0.0.0.0:18080:80/tcp",
        "127.0.0.1:18080:80/tcp  | 127.0.0.1:18080:80/tcp",
        "127.0.0.1:5353:53/udp   | 127.0.0.1:5353:53/udp",
        ":8080:80                | 0.0.0.0:8080:80/tcp",
        "[::1]:8080:80           | [0:0:0:0:0:0:0:1]:8080:80/tcp",
        "[fd00::2]:1:65535/udp   | [fd00:0:0:0:0:0:0:2]:1:65535/udp",
    })
    void goodSpecsAndTheirMeaning(String spec, String normalized) {
        assertThat(PublishSpec.parse(spec).toString()).isEqualTo(normalized);
    }

    @Test
    void fieldsAreWhatTheSpecSays() throws Exception {
        PublishSpec s = PublishSpec.parse("127.0.0.1:18080:80/udp");
        assertThat(s.hostAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(s.hostPort()).isEqualTo(18080);
        assertThat(s.guestPort()).isEqualTo(80);
        assertThat(s.protocol()).isEqualTo(PublishSpec.Protocol.UDP);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "80 # invalid --publish \"80\": expected [HOSTIP:]HPORT:GPORT[/tcp|/udp]",
        "1:2:3:4 # invalid --publish \"1:2:3:4\": expected [HOSTIP:]HPORT:GPORT[/tcp|/udp]",
        "70000:80 # invalid --publish \"70000:80\": host port \"70000\" is not a port number from 1 to 65535",
        "0:80 # invalid --publish \"0:80\": host port \"0\" is not a port number from 1 to 65535",
        "8080:x # invalid --publish \"8080:x\": guest port \"x\" is not a port number from 1 to 65535",
        "8080: # invalid --publish \"8080:\": guest port \"\" is not a port number from 1 to 65535",
        "8080:80/sctp # invalid --publish \"8080:80/sctp\": protocol \"sctp\" is not tcp or udp",
        "8080:80/TCP # invalid --publish \"8080:80/TCP\": protocol \"TCP\" is not tcp or udp",
        "localhost:8080:80 # invalid --publish \"localhost:8080:80\": \"localhost\" is not an IPv4 address (IPv6 goes in brackets: [::1]:8080:80)",
        "256.0.0.1:8080:80 # invalid --publish \"256.0.0.1:8080:80\": \"256.0.0.1\" is not an IPv4 address",
        "[localhost]:8080:80 # invalid --publish \"[localhost]:8080:80\": \"localhost\" is not an IPv6 address",
        "010.0.0.1:8080:80 # invalid --publish \"010.0.0.1:8080:80\": \"010.0.0.1\" is not an IPv4 address",
        "[fd00::1%lo]:8080:80 # invalid --publish \"[fd00::1%lo]:8080:80\": \"fd00::1%lo\" is not an IPv6 address",
        "::1:8080:80 # invalid --publish \"::1:8080:80\": expected [HOSTIP:]HPORT:GPORT[/tcp|/udp]",
    })
    void badSpecsSayWhatIsWrongInOneLine(String spec, String message) {
        assertThatThrownBy(() -> PublishSpec.parse(spec)).isInstanceOf(PublishSpec.Invalid.class).hasMessage(message);
    }

    @Test
    void twoSpecsOnTheSameHostPortConflictUnlessAddressesOrProtocolsDiffer() {
        assertThat(PublishSpec.parseAll(List.of("127.0.0.1:8080:80", "127.0.0.2:8080:81", "8080:80/udp"))).hasSize(3);
        assertThatThrownBy(() -> PublishSpec.parseAll(List.of("8080:80", "127.0.0.1:8080:81")))
                .isInstanceOf(PublishSpec.Invalid.class)
                .hasMessage("--publish 127.0.0.1:8080:81/tcp conflicts with --publish 0.0.0.0:8080:80/tcp: both listen on "
                        + "host port 8080/tcp");
        assertThat(PublishSpec.parseAll(null)).isEmpty();
    }
}
