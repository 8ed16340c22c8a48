package dev.jnet.it.tour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.tour.ReadmeTour.Step;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transcript convention itself: what a tour block means, and what its wildcards let through. */
class ReadmeTourParseTest {
    private static final String README = """
            text

            <!-- tour -->

                $ a one
                out 1
                $ b \\
                  two
                Cannot do it: File exists      (exit 1)

            more text

                $ not marked

            <!-- tour -->
                $ c
                (exit 7)
                $ d
                first ...
                ...
                last
            """;

    @Test
    void readsMarkedBlocksOnly() {
        List<List<Step>> blocks = ReadmeTour.parse(README);
        assertThat(blocks).containsExactly(
                List.of(new Step("a one", List.of("out 1"), 0), new Step("b \\\n  two", List.of("Cannot do it: File exists"), 1)),
                List.of(new Step("c", List.of(), 7), new Step("d", List.of("first ...", "...", "last"), 0)));
    }

    @Test
    void wildcardsAndStatus() {
        Step d = ReadmeTour.parse(README).get(1).get(1);
        assertThat(d.matches(List.of("first line", "last"), 0)).isTrue();
        assertThat(d.matches(List.of("first line", "x", "y", "last  "), 0)).isTrue();
        assertThat(d.matches(List.of("first line", "x", "y", "last"), 1)).as("status").isFalse();
        assertThat(d.matches(List.of("firs line", "last"), 0)).isFalse();
        assertThat(d.matches(List.of("first line", "last", "more"), 0)).isFalse();
        assertThat(d.matches(List.of("first line"), 0)).isFalse();
        Step a = ReadmeTour.parse(README).get(0).get(0);
        assertThat(a.matches(List.of("out 1"), 0)).isTrue();
        assertThat(a.matches(List.of("out 1", ""), 0)).as("an extra line").isFalse();
        assertThat(a.matches(List.of("out 2"), 0)).isFalse();
        assertThat(ReadmeTour.glob("a: jn-... (bridge x) 10.0.0.1/24").matcher("a: jn-12ab (bridge x) 10.0.0.1/24").matches()).isTrue();
        assertThat(ReadmeTour.glob("a: jn-... (bridge x)").matcher("a: jn-12ab (bridge y)").matches()).isFalse();
        assertThat(ReadmeTour.glob("1.2 *").matcher("1x2 *").matches()).as("the rest is literal").isFalse();
        Step c = ReadmeTour.parse(README).get(1).get(0);
        assertThat(c.matches(List.of(), 7)).isTrue();
        assertThat(c.matches(List.of("noise"), 7)).isFalse();
    }
}
