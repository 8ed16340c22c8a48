package dev.jnet.cli.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code jnet usernetd}'s options refused before anything is made (no directory, lock or socket). */
class UsernetdOptionsTest {
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var cl = Main.newCommandLine(new String[] {"usernetd"});
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void aNegativeOpenRateIsRefusedInOneLine() {
        assertThat(run("usernetd", "--open-rate", "-1")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(
                "jnet usernetd: --open-rate must be 0 (no limit) or a number of host sockets per second, not -1\n");
    }

    @Test
    void aNegativeIdleExitIsRefusedInOneLine() {
        assertThat(run("usernetd", "--idle-exit", "-5")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(
                "jnet usernetd: --idle-exit must be 0 (never) or a number of seconds, not -5\n");
    }
}
