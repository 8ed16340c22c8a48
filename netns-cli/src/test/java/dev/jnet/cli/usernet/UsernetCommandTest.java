package dev.jnet.cli.usernet;

import dev.jnet.cli.Main;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code jnet usernet}'s command line, up to the point where it would touch the system. */
class UsernetCommandTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String line) {
        String[] args = line.split(" ");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.newCommandLine(args);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void helpListsTheFlagsRootlesskitAndPodmanLookFor() {
        Run r = run("usernet --help");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: jnet usernet [OPTION]... PID|PATH [TAPNAME]\n");
        // rootlesskit requires --netns-type; it and podman pass the others only when --help lists them
        for (String flag : new String[] {"--configure", "--exit-fd", "--ready-fd", "--mtu", "--enable-ipv6",
                "--api-socket", "--cidr",
                "--disable-host-loopback", "--netns-type", "--userns-path", "--enable-sandbox", "--enable-seccomp",
                "--outbound-addr", "--outbound-addr6", "--disable-dns", "--macaddress", "--help", "--version"}) {
            assertThat(r.out()).contains(flag);
        }
        assertThat(r.out()).contains("-6, --enable-ipv6        enable IPv6 (prefix fd00::/64");
        assertThat(r.out()).doesNotContain("IPv6 (not supported");
    }

    /**
     * Issue 11: --help says what the daemon path means (connections lost when it dies, new ones
     * work), and the paragraph leaves what consumers parse intact: rootlesskit's DetectFeatures
     * and podman's checkSlirpFlags run "--help" and test substrings of its combined output
     * (exit status 0 required); every one they test is an option line of the table, stdout only,
     * plain ASCII, and the daemon paragraph names no option (a flag named in prose would be
     * "detected" even if the table lost it).
     */
    @Test
    void helpDescribesTheDaemonPathAndKeepsWhatConsumersParse() {
        Run r = run("usernet --help");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).contains("TCP connections open at that moment are lost, new ones work")
                .contains("JNET_USERNET_STANDALONE=1");
        assertThat(r.out().chars()).allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f));
        String table = r.out().substring(0, r.out().indexOf("\n\n", r.out().indexOf("-v, --version")));
        for (String probed : new String[] {"--netns-type", "--cidr", "--disable-host-loopback", "--api-socket",
                "--enable-sandbox", "--enable-seccomp", "--enable-ipv6", "--mtu", "--outbound-addr"}) {
            assertThat(table.lines()).as(probed).anyMatch(l -> l.strip().startsWith(probed)
                    || l.strip().matches("-\\S, " + probed + "\\b.*"));
        }
        int from = r.out().indexOf("One stack process per user");
        String paragraph = r.out().substring(from, r.out().indexOf("\n\n", from));
        assertThat(paragraph).doesNotContain("--");
    }

    @Test
    void versionIsOneLine() {
        Run r = run("usernet -v");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).matches("jnet usernet version \\S+\n");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = " => ", value = {
        "usernet -c => jnet usernet: missing PID|PATH (try \"jnet usernet --help\")",
        "usernet -c 0 tap0 => jnet usernet: PID must be a positive integer",
        "usernet --cidr 10.0.2.0/26 1 => jnet usernet: prefix length needs to be 1-25",
        "usernet --mtu 65522 1 => jnet usernet: MTU must be from 68 to 65521: 65522",
        "usernet -e x 1 => jnet usernet: exit-fd must be a non-negative integer",
        "usernet -r -1 1 => jnet usernet: ready-fd must be a non-negative integer",
        "usernet --macaddress 02:00:00:00:00:01 1 => jnet usernet: --macaddress cannot be specified when --configure or -c is not specified",
        "usernet -e 99999 1 => jnet usernet: exit-fd 99999 is not open",
        "usernet -r 99999 1 => jnet usernet: ready-fd 99999 is not open",
        "usernet -6 -m 1279 -c 1 => jnet usernet: IPv6 needs an MTU of at least 1280, not 1279",
        "usernet --cidr6 fd00:1::/64 -c 1 => jnet usernet: --cidr6 needs -6/--enable-ipv6",
        "usernet -6 --cidr6 fd00::/48 -c 1 => jnet usernet: IPv6 prefix length needs to be 64 (SLAAC), not 48",
        "usernet -6 --cidr6 fd00::5/64 -c 1 => jnet usernet: IPv6 CIDR needs to be a network prefix like fd00::/64, not an address: fd00::5/64",
        "usernet -6 --cidr6 10.0.2.0/64 -c 1 => jnet usernet: invalid IPv6 CIDR: 10.0.2.0/64 (expected PREFIX/64, e.g. fd00::/64)",
        "usernet -6 --outbound-addr6 10.0.2.1 -c 1 => jnet usernet: outbound-addr6 has to be valid ipv6 address or interface name.",
        "usernet -6 --outbound-addr6 nosuchif0 -c 1 => jnet usernet: outbound-addr6 has to be valid ipv6 address or interface name.",
        "usernet -a /nonexistent/api.sock 1 => jnet usernet: API socket /nonexistent/api.sock: no directory /nonexistent",
        "usernet --netns-type=tapfd 3 => jnet usernet: --netns-type must be pid or path, not \"tapfd\"",
        "usernet --netns-type=path /nonexistent/ns => jnet usernet: existing path expected when --netns-type=path: /nonexistent/ns",
        "usernet --userns-path=/nonexistent/u 1 => jnet usernet: userns path doesn't exist: /nonexistent/u",
        "usernet --target-type=bess /tmp/s => jnet usernet: --target-type must be \"netns\" (bess is not supported)",
        "usernet --frob 1 => Unknown option: '--frob' (try \"jnet usernet --help\")",
        "usernet 1 tap0 extra => Unmatched argument at index 3: 'extra' (try \"jnet usernet --help\")",
    })
    void badInputIsOneLineAndStatusOne(String line, String message) {
        Run r = run(line.strip());
        assertThat(r.err()).isEqualTo(message + "\n");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
    }
}
