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

    /**
     * One fd opened counts one more, closed one less. Other threads of this JVM (surefire's,
     * the JVM's own reading cgroup files) open fds for a moment too, so a run whose count
     * moved for them is tried again, 20 times at most.
     */
    @Test
    void countsTheOpenFds() throws IOException {
        String last = "";
        for (int attempt = 0; attempt < 20; attempt++) {
            int before = FdLimit.open();
            int during;
            Path f = Files.createTempFile("fdlimit", ".tmp");
            try (Stream<String> open = Files.lines(f)) {
                during = FdLimit.open();
            } finally {
                Files.delete(f);
            }
            int after = FdLimit.open();
            if (during == before + 1 && after == before) {
                return;
            }
            last = "before " + before + ", with one more open " + during + ", after closing it " + after;
        }
        throw new AssertionError("the count never followed one fd: " + last);
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
