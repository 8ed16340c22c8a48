package dev.jnet.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.linux.Syscalls;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The loops' threads ask for their slice; the rest of the process keeps the kernel's default. */
class LoopThreadsTest {

    @Test
    void loopThreadsAskForTenMillisecondSlicesAndTheirCreatorKeepsTheDefault() throws Exception {
        assumeEevdfSlices();
        String before = System.clearProperty(LoopThreads.PROPERTY);
        try {
            assertThat(sliceOfAThreadOf(LoopThreads.named("t"))).isEqualTo(10_000_000L);
        } finally {
            restore(before);
        }
        assertThat(Syscalls.threadSlice()).as("the test's own thread: the kernel's default").isNotEqualTo(10_000_000L);
    }

    @Test
    void theSharedLoopsOfADaemonAskForTheirSliceToo() throws Exception {
        assumeEevdfSlices();
        String before = System.setProperty(LoopThreads.PROPERTY, "4000");
        try {
            MultiThreadIoEventLoopGroup loops = Usernet.newSharedLoops(1);
            try {
                CompletableFuture<Long> slice = new CompletableFuture<>();
                loops.next().execute(() -> slice.complete(Syscalls.threadSlice()));
                assertThat(slice.get(5, TimeUnit.SECONDS)).isEqualTo(4_000_000L);
            } finally {
                loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            }
        } finally {
            restore(before);
        }
    }

    @Test
    void zeroAsksForNothing() throws Exception {
        assertThat(sliceOfAThreadOf(LoopThreads.named("t", LoopThreads.sliceMicros(" 0 "))))
                .as("the kernel's default, as the test's own thread has").isEqualTo(Syscalls.threadSlice());
    }

    @Test
    void aBadSliceIsAConfigurationErrorNamingTheProperty() {
        for (String bad : new String[] {"10ms", "-1", "100001"}) {
            assertThatThrownBy(() -> LoopThreads.sliceMicros(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("jnet.usernet.loop-slice-us: '" + bad + "' is not a number of microseconds from 0 to 100000");
        }
        String before = System.setProperty(LoopThreads.PROPERTY, "10ms");
        try {
            assertThatThrownBy(() -> Usernet.newSharedLoops(1)).isInstanceOf(UsernetException.class)
                    .hasMessage("jnet.usernet.loop-slice-us: '10ms' is not a number of microseconds from 0 to 100000")
                    .satisfies(e -> assertThat(((UsernetException) e).kind()).isEqualTo(UsernetException.Kind.CONFIGURE));
        } finally {
            restore(before);
        }
    }

    private static long sliceOfAThreadOf(LoopThreads threads) throws Exception {
        CompletableFuture<Long> slice = new CompletableFuture<>();
        Thread t = threads.newThread(() -> slice.complete(Syscalls.threadSlice()));
        t.start();
        t.join(5000);
        return slice.get(5, TimeUnit.SECONDS);
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty(LoopThreads.PROPERTY);
        } else {
            System.setProperty(LoopThreads.PROPERTY, before);
        }
    }

    /** Custom slices came with Linux 6.12; before, the kernel ignores the request (and reports 0). */
    private static void assumeEevdfSlices() throws Exception {
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release);
        assumeTrue(m.find(), "kernel release " + release);
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        assumeTrue(major > 6 || major == 6 && minor >= 12, "custom slices need Linux 6.12, this is " + release);
    }
}
