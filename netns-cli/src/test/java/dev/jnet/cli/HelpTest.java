package dev.jnet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every command answers --help (and ip's objects "help") with its usage, exit 0. */
class HelpTest {
    @ParameterizedTest
    @CsvSource({
        "'--help', 'Usage: jnet '",
        "'netns --help', 'Usage: jnet netns '",
        "'netns add --help', 'Usage: jnet netns add '",
        "'netns exec --help', 'Usage: jnet netns exec '",
        "'netns connect --help', 'Usage: jnet netns connect '",
        "'netns disconnect -h', 'Usage: jnet netns disconnect '",
        "'link help', 'Usage: jnet [-n NETNS] [-j] link add NAME'",
        "'address help', 'Usage: jnet [-n NETNS] [-4|-6] [-j] address add|del'",
        "'route --help', 'Usage: jnet [-n NETNS] [-4|-6] [-j] route add|del|replace'",
        "'usernet --help', 'Usage: jnet usernet '",
        "'help', 'Usage: jnet '",
        "'-help', 'Usage: jnet '",
        "'netns help', 'Usage: jnet netns '",
        "'netns add --help', 'Usage: jnet netns add '",
        "'link add --help', 'Usage: jnet [-n NETNS] [-j] link add NAME'",
        "'link add help', 'Usage: jnet [-n NETNS] [-j] link add NAME'",
        "'l show -h', 'Usage: jnet [-n NETNS] [-j] link add NAME'",
        "'a add help', 'Usage: jnet [-n NETNS] [-4|-6] [-j] address add|del'",
        "'r get --help', 'Usage: jnet [-n NETNS] [-4|-6] [-j] route add|del|replace'",
        "'neigh help', 'Usage: jnet [-n NETNS] [-4|-6] [-j] neigh add|del'",
        "'n add --help', 'Usage: jnet [-n NETNS] [-4|-6] [-j] neigh add|del'",
    })
    void printsUsage(String line, String expectedStart) {
        String[] args = line.split(" ");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        assertThat(err.toString()).isEmpty();
        assertThat(rc).isZero();
        assertThat(out.toString()).startsWith(expectedStart);
    }
}
