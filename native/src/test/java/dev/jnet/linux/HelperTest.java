package dev.jnet.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The helper program itself, run without privileges it does not need. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HelperTest {
    @Test
    void helperIsFoundAndExecutable() {
        assertThat(Files.isExecutable(Helper.path())).isTrue();
    }

    @Test
    void execRunsTheCommandAndPassesItsExitStatus() throws Exception {
        List<String> cmd = Helper.command().exec(List.of("sh", "-c", "echo hi; exit 7"));
        assertThat(cmd).containsSubsequence("--exec", "sh", "-c");
        Result r = run(cmd);
        assertThat(r.status).isEqualTo(7);
        assertThat(r.out).isEqualTo("hi\n");
    }

    @Test
    void missingCommandExits127WithOneLine() throws Exception {
        Result r = run(Helper.command().exec(List.of("/nonexistent/jnet-cmd")));
        assertThat(r.status).isEqualTo(127);
        assertThat(r.err).isEqualTo("exec of \"/nonexistent/jnet-cmd\" failed: No such file or directory\n");
    }

    @Test
    void failedStepStopsBeforeExecWithSetupStatus() throws Exception {
        Result r = run(Helper.command().joinNetns("/nonexistent/ns").exec(List.of("true")));
        assertThat(r.status).isEqualTo(Helper.EXIT_SETUP_FAILED);
        assertThat(r.err).isEqualTo("Cannot open network namespace \"/nonexistent/ns\": No such file or directory\n");
    }

    @Test
    void bindFailureWarnsAndGoesOn() throws Exception {
        // Needs a private mount namespace, which needs privileges: in a new user namespace we have them.
        Result r = run(Helper.command().unshareUser().unshareMount()
                .bind("/nonexistent/src", "/nonexistent/dst").exec(List.of("id", "-u")));
        assertThat(r.err).isEqualTo("Bind /nonexistent/src -> /nonexistent/dst failed: No such file or directory\n");
        assertThat(r.status).isZero();
        assertThat(r.out).isEqualTo("0\n");
    }

    @Test
    void holdAbortsWhenTheCallerDoesNotCommit() throws Exception {
        Process p = new ProcessBuilder(Helper.command().unshareUser().unshareNet().hold()).start();
        String pid = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        assertThat(pid).matches("[0-9]+");
        p.getOutputStream().close(); // no 'c': the holder must go away by itself
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(Helper.EXIT_SETUP_FAILED);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (isRunning(pid) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(isRunning(pid)).as("holder %s still running", pid).isFalse();
    }

    private static boolean isRunning(String pid) throws Exception {
        var stat = java.nio.file.Path.of("/proc", pid, "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        try {
            String s = Files.readString(stat);
            return !s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException gone) {
            return false;
        }
    }

    @Test
    void takeTapHandsOverATapOfThatNameMadeInsideTheNamespaces() throws Exception {
        // a new user namespace gives the helper CAP_NET_ADMIN over its new network namespace
        try (Fd tap = Helper.command().unshareUser().unshareNet().takeTap("jt0")) {
            assertThat(Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + tap.get())))
                    .hasToString("/dev/net/tun");
            com.sun.jna.Memory ifr = new com.sun.jna.Memory(40);
            ifr.clear();
            Syscalls.ioctl(tap.get(), TUNGETIFF, ifr, "tap");
            assertThat(ifr.getString(0)).isEqualTo("jt0");
            assertThat(ifr.getShort(16) & 0xffff).isEqualTo(IFF_TAP | IFF_NO_PI);
        }
    }

    @Test
    void takeTapWithVnetHdrAsksForIt() throws Exception {
        try (Fd tap = Helper.command().unshareUser().unshareNet().takeTap("jt1", true)) {
            com.sun.jna.Memory ifr = new com.sun.jna.Memory(40);
            ifr.clear();
            Syscalls.ioctl(tap.get(), TUNGETIFF, ifr, "tap");
            assertThat(ifr.getString(0)).isEqualTo("jt1");
            assertThat(ifr.getShort(16) & 0xffff).isEqualTo(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
        }
    }

    @Test
    void takeTapReportsTheHelpersOneLine() {
        assertThatThrownBy(() -> Helper.command().unshareUser().unshareNet().takeTap("a-name-far-too-long"))
                .isInstanceOf(Helper.HelperException.class)
                .hasMessage("invalid tap name \"a-name-far-too-long\"");
        assertThatThrownBy(() -> Helper.command().joinNetns("/nonexistent/ns").takeTap("tap0"))
                .isInstanceOf(Helper.HelperException.class)
                .hasMessage("Cannot open network namespace \"/nonexistent/ns\": No such file or directory");
    }

    private static final long TUNGETIFF = 0x800454d2L;
    private static final int IFF_TAP = 0x0002;
    private static final int IFF_NO_PI = 0x1000;
    private static final int IFF_VNET_HDR = 0x4000;

    private record Result(int status, String out, String err) {}

    private static Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, err);
    }
}
