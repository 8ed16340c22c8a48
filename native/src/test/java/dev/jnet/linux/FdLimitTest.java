package dev.jnet.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@link FdLimit} against what /proc shows of this JVM. */
class FdLimitTest {
    @Test
    void theLimitIsWhatProcShowsAndRaisingReachesTheHardLimit() throws IOException {
        long hard = FdLimit.hard();
        assertThat(FdLimit.soft()).isLessThanOrEqualTo(hard).isEqualTo(procLimit(1));
        assertThat(hard).isEqualTo(procLimit(2));
        assertThat(FdLimit.raiseSoftToHard()).isEqualTo(hard);
        assertThat(procLimit(1)).isEqualTo(hard);
    }

    @Test
    void countsTheOpenFds() throws IOException {
        int before = FdLimit.open();
        Path f = Files.createTempFile("fdlimit", ".tmp");
        try (Stream<String> open = Files.lines(f)) {
            assertThat(FdLimit.open()).isEqualTo(before + 1);
        } finally {
            Files.delete(f);
        }
        assertThat(FdLimit.open()).isEqualTo(before);
    }

    /** Field 1 (soft) or 2 (hard) of "Max open files" in /proc/self/limits ("unlimited": Long.MAX_VALUE). */
    private static long procLimit(int field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String v = line.substring("Max open files".length()).strip().split("\\s+")[field - 1];
                return v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v);
            }
        }
        throw new IllegalStateException("no Max open files line");
    }
}
