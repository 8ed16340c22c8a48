package dev.jnet.it.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.it.TestUser;
import dev.jnet.usernet.Usernet;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.UsernetException;
import dev.jnet.usernet.guest.GuestTarget;
import java.io.File;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Usernet} embedded (no CLI): run by this JVM (root) for the test user's rootless guest.
 * It serves frames, reports why it ended, and {@link Usernet#close()} gives back every fd and
 * thread it took.
 */
@RequiresRoot(testUser = true)
@JnetIntegrationTest
class UsernetLibraryTest {
    /** Our open fds, by what they point at (a count alone would not say what leaked). */
    private static java.util.List<String> openFds() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (String n : Objects.requireNonNull(new File("/proc/self/fd").list())) {
            try {
                out.add(java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd", n)).toString());
            } catch (java.io.IOException gone) {
                // the directory's own fd, closed by now
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    /**
     * Our fds once they match {@code expected}, or as they are after 2 s: the JVM's own threads
     * open files for a moment now and then (its container support reads the cgroup's
     * memory.limit_in_bytes on cgroup v1 machines), which is no leak of ours.
     */
    private static java.util.List<String> openFdsSettled(java.util.List<String> expected) throws InterruptedException {
        java.util.List<String> now = openFds();
        for (int i = 0; i < 40 && !now.equals(expected); i++) {
            Thread.sleep(50);
            now = openFds();
        }
        return now;
    }

    /** Loads the classes (opens the jars) a first start would, so that they do not count as leaks. */
    @org.junit.jupiter.api.BeforeAll
    static void warmUp(TestUser user) throws Exception {
        try (Guest guest = Guest.start(user)) {
            Usernet.start(new Usernet.Options(GuestTarget.ofPid(guest.pid()), "tap0", true, UsernetConfig.defaults(), -1,
                    new GatewayResponder())).close();
        }
    }

    private static long usernetThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("jnet-usernet")).count();
    }

    @Test
    void servesTheGuestReportsItsEndAndCloseReleasesEverything(TestUser user) throws Exception {
        java.util.List<String> fdsBefore = openFds();
        Usernet.Exit exit;
        try (Guest guest = Guest.start(user)) {
            Usernet usernet = Usernet.start(new Usernet.Options(GuestTarget.ofPid(guest.pid()), "tap0", true,
                    UsernetConfig.defaults().withMtu(9000), -1, new GatewayResponder()));
            try {
                Proc.Result ping = guest.inside("ping", "-c", "2", "-i", "0.2", "-W", "5", "-s", "8000", "10.0.2.2");
                assertThat(ping.exit()).as(ping.describe()).isZero();
                long[] counts = usernet.eventLoop().submit(() -> new long[] {usernet.link().framesIn(),
                        usernet.link().framesOut(), usernet.link().txDropped()}).get(10, TimeUnit.SECONDS);
                assertThat(counts[0]).as("frames in: ARP and two 8 KB echo requests at least").isGreaterThanOrEqualTo(3);
                assertThat(counts[1]).as("frames out").isGreaterThanOrEqualTo(3);
                assertThat(counts[2]).as("dropped").isZero();
                assertThat(usernet.exited()).isNotDone();
                guest.close();
                exit = usernet.exited().get(15, TimeUnit.SECONDS);
            } finally {
                usernet.close();
            }
        }
        assertThat(exit.reason()).isEqualTo(Usernet.Reason.TARGET_GONE);
        assertThat(openFdsSettled(fdsBefore)).as("fds after close").isEqualTo(fdsBefore);
        assertThat(usernetThreads()).as("loop threads after close").isZero();
    }

    @Test
    void aFailedStartLeavesNoFdNoThreadAndNoTap(TestUser user) throws Exception {
        try (Guest guest = Guest.start(user)) {
            java.util.List<String> fdsBefore = openFds();
            // a default route already there: --configure fails at its last step, after the address
            guest.insideOk("ip", "link", "set", "lo", "up");
            guest.insideOk("ip", "route", "add", "default", "dev", "lo");
            assertThatThrownBy(() -> Usernet.start(new Usernet.Options(GuestTarget.ofPid(guest.pid()), "tap0", true,
                    UsernetConfig.defaults(), -1, new GatewayResponder())))
                    .isInstanceOf(UsernetException.class)
                    .satisfies(e -> assertThat(((UsernetException) e).kind()).isEqualTo(UsernetException.Kind.CONFIGURE))
                    .hasMessage("cannot add the default route via 10.0.2.2: File exists");
            assertThat(openFdsSettled(fdsBefore)).isEqualTo(fdsBefore);
            assertThat(usernetThreads()).isZero();
            assertThat(guest.insideOk("ip", "-o", "link").stdout()).doesNotContain("tap0");
        }
    }
}
