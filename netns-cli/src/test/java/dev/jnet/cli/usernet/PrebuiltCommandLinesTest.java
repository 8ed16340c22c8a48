package dev.jnet.cli.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command trees jnet usernetd builds ahead of each attach. */
class PrebuiltCommandLinesTest {
    @Test
    void eachTakeIsAFreshUsernetTree() {
        try (PrebuiltCommandLines p = new PrebuiltCommandLines()) {
            CommandLine a = p.take();
            CommandLine b = p.take();
            assertThat((Object) a).isNotSameAs(b);
            assertThat((Object) a.getSubcommands().get("usernet").getCommand()).isInstanceOf(UsernetCommand.class);
            assertThat((Object) a.getSubcommands().get("usernet").getCommand())
                    .isNotSameAs(b.getSubcommands().get("usernet").getCommand());
        }
    }

    @Test
    void onlyUsernetWordsWhoseTreeDoesNotDependOnThem() {
        assertThat(PrebuiltCommandLines.fits(new String[] {"usernet", "-c", "42", "tap0"})).isTrue();
        assertThat(PrebuiltCommandLines.fits(new String[] {"usernet"})).isTrue();
        assertThat(PrebuiltCommandLines.fits(new String[] {"usernet", "top", "x"})).isFalse();
        assertThat(PrebuiltCommandLines.fits(new String[] {"netns", "list"})).isFalse();
    }

    @Test
    void aPrebuiltTreeAnswersAsAFreshOne() {
        String[][] lines = {{"usernet", "--mtu", "70000", "123", "tap0"}, {"usernet", "--frob", "1"},
            {"usernet", "--help"}, {"usernet"}};
        try (PrebuiltCommandLines p = new PrebuiltCommandLines()) {
            for (String[] line : lines) {
                StringWriter out1 = new StringWriter(), err1 = new StringWriter();
                StringWriter out2 = new StringWriter(), err2 = new StringWriter();
                int fresh = Main.run(new PrintWriter(out1), new PrintWriter(err1), line);
                int pre = Main.run(new PrintWriter(out2), new PrintWriter(err2), p.take(), line);
                assertThat(pre).as(String.join(" ", line)).isEqualTo(fresh);
                assertThat(out2.toString()).isEqualTo(out1.toString());
                assertThat(err2.toString()).isEqualTo(err1.toString());
            }
        }
    }
}
