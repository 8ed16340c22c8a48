package dev.jnet.cli.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Argument errors found before any netlink request (the session never opens a socket here). */
class IpCommandsTest {
    private static IpError fail(String line) {
        try (RtnlSession s = new RtnlSession()) {
            IpCommands c = new IpCommands(s, null, new IpCommands.Opts(0, false), new PrintWriter(new StringWriter()));
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> c.run(List.of(line.split(" "))));
            assertThat(t).as(line).isInstanceOf(IpError.class);
            return (IpError) t;
        }
    }

    static Stream<Arguments> errors() {
        return Stream.of(
            Arguments.of("link set e0 mtu abc", "Error: argument \"abc\" is wrong: Invalid \"mtu\" value\n", 255),
            Arguments.of("link set e0 txqueuelen x", "Error: argument \"x\" is wrong: Invalid \"txqueuelen\" value\n", 255),
            Arguments.of("link set e0 address zz", "\"zz\" is invalid lladdr.", 1),
            Arguments.of("link add v3 address zz type bridge", "\"zz\" is invalid lladdr.", 1),
            Arguments.of("link add v3", "Not enough information: \"type\" argument is required", 1),
            Arguments.of("link set e0 name averyveryverylongname0", "Error: argument \"averyveryverylongname0\" is wrong: \"name\" not a valid ifname", 255),
            Arguments.of("link foo", "Command \"foo\" is unknown, try \"jnet link help\".", 255),
            Arguments.of("addr add 10.200.0.1/99 dev e0", "Error: any valid prefix is expected rather than \"10.200.0.1/99\".", 1),
            Arguments.of("addr add 10.200.7.1/24", "Not enough information: \"dev\" argument is required.", 1),
            Arguments.of("addr add 10.200.0.1 dev e0 scope bogus", "Error: argument \"bogus\" is wrong: invalid scope value.", 255),
            Arguments.of("addr flush", "Flush requires arguments.", 1),
            Arguments.of("route add 10.200.5.0/33 via 10.200.0.9", "Error: any valid prefix is expected rather than \"10.200.5.0/33\".", 1),
            Arguments.of("route add 10.200.5.0/24 via bogus", "Error: inet address is expected rather than \"bogus\".", 1),
            Arguments.of("route add 10.200.5.0/24 dev e0 metric x", "Error: argument \"x\" is wrong: \"metric\" value is invalid\n", 255),
            Arguments.of("route add 10.200.5.0/24 dev e0 table x", "Error: argument \"x\" is wrong: \"table\" value is invalid\n", 255),
            Arguments.of("route show table x", "Error: argument \"x\" is wrong: table id value is invalid\n", 255),
            Arguments.of("link add link e0 mv2 type macvlan mode xx", "Error: argument of \"mode\" must be \"private\", \"vepa\", \"bridge\", \"passthru\" or \"source\", not \"xx\"", 1));
    }

    @ParameterizedTest
    @MethodSource("errors")
    void errorsAsIproute2(String line, String message, int exit) {
        IpError e = fail(line);
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.exit()).isEqualTo(exit);
    }
}
