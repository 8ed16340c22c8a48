package dev.jnet.cli.ip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ip's spellings of options, objects and netns commands, read as ip.c's matches() reads them. */
class IpOptionsTest {
    @ParameterizedTest
    @CsvSource({
        "-br, -brief", "-bri, -brief", "--brief, -brief", "-b, -batch", "-ba, -batch",
        "-s, -stats", "-stat, -stats", "-statistics, -stats", "-st, -stats",
        "-d, -details", "-det, -details", "-o, -oneline", "-one, -oneline", "-p, -pretty", "-pre, -pretty",
        "-j, -json", "--json, -json", "-n, -netns", "-net, -netns", "-f, -family", "-fo, -force",
        "-h, -human", "-he, -help", "--help, -help", "-V, -Version", "-l, -loops", "-t, -timestamp",
        "-ts, -tshort", "-r, -resolve", "-rc, -rcvbuf", "-4, -4", "-6, -6", "-c, -color", "-a, -all",
    })
    void optionsAbbreviateAsIpReadsThem(String word, String canonical) {
        assertThat(IpOptions.canonical(word)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @CsvSource({"-x", "-brx", "-", "-sx", "-json2", "-prettyy"})
    void unknownOptions(String word) {
        assertThat(IpOptions.canonical(word)).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "a, address", "addr, address", "address, address", "r, route", "ro, route", "l, link", "li, link",
        "n, neigh", "neigh, neigh", "neighbour, neigh", "net, netns", "netns, netns", "help, --help", "h, --help",
    })
    void objectsAbbreviateAsInIpsTable(String word, String jnet) {
        assertThat(IpOptions.jnetObject(word)).isEqualTo(jnet);
    }

    @ParameterizedTest
    @CsvSource({"ma", "m", "ru", "x", "usernet", "rootless"})
    void wordsThatNameNoObjectJnetRunsAsIp(String word) {
        assertThat(IpOptions.jnetObject(word)).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "'-br link', '-brief link'",
        "'-s -s -d -o -j -p l ls', '-stats -stats -details -oneline -json -pretty link ls'",
        "'-b f.txt', '-batch f.txt'",
        "'-n x a', '-netns x address'",
        "'--netns=x a', '-netns=x address'",
        "'netns a foo', 'netns add foo'",
        "'netns d foo', 'netns delete foo'",
        "'netns del foo', 'netns del foo'",
        "'netns ls', 'netns list'",
        "'netns lst', 'netns list'",
        "'netns s', 'netns list'",
        "'netns se foo 1', 'netns set foo 1'",
        "'netns e foo ip a', 'netns exec foo ip a'",
        "'netns connect foo', 'netns connect foo'",
        "'netns help', 'netns --help'",
        "'help', '--help'",
        "'-V', '--version'",
        "'--version', '--version'",
        "'usernet -c 1 tap0', 'usernet -c 1 tap0'",
        "'rootless -- sh', 'rootless -- sh'",
    })
    void normalizesIpSpellings(String in, String out) {
        assertThat(String.join(" ", IpOptions.normalize(in.split(" ")))).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource({"-x, '-x'", "--frob, '-frob'", "-brx, '-brx'"})
    void unknownLeadingOptionIsIpsLineAndExit255(String opt, String shown) {
        assertThatThrownBy(() -> IpOptions.normalize(new String[] {opt, "link"}))
                .isInstanceOf(IpError.class)
                .hasMessage("Option \"" + shown + "\" is unknown, try \"jnet -help\".");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertThat(Main.run(new PrintWriter(out), new PrintWriter(err), opt, "link")).isEqualTo(255);
        assertThat(err.toString()).isEqualTo("Option \"" + shown + "\" is unknown, try \"jnet -help\".\n");
        assertThat(out.toString()).isEmpty();
    }
}
