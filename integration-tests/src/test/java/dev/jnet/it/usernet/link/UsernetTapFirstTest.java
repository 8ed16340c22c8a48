package dev.jnet.it.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.it.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a standalone {@code jnet usernet} makes the guest's tap before its JVM starts, as
 * slirp4netns makes it at once, not ~0.2 s later. Shown by order, not by time: the command's
 * java is a script that stops before it execs the real one; while it waits, tap0 is already in
 * the guest and the process (still that script, no JVM yet) holds it, named to the JVM by
 * {@code -Djnet.usernet.tap=FD}. Let on, the JVM serves that very fd (the only tun fd it has),
 * configures it (-c) and the tap goes with the process.
 */
@RequiresRoot(testUser = true)
@JnetIntegrationTest
class UsernetTapFirstTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void tap0IsInTheGuestBeforeTheJvmStartsAndTheJvmServesThatFd(JnetCli jnet, TestUser user) throws Exception {
        Path dir = user.runtimeDir();
        Path go = dir.resolve("go.fifo");
        Path started = dir.resolve("started");
        assertThat(Proc.run("mkfifo", "-m", "600", go.toString()).exit()).isZero();
        Path fakeJava = dir.resolve("java");
        List<String> cmd = UsernetProcess.javaCommand(jnet.dist(), user);
        int java = cmd.indexOf(jnet.dist().java().toString());
        assertThat(java).as("java behind the stage in %s", cmd).isPositive();
        // stands in for java: says what it got, waits to be let on, then is java (same pid)
        Files.writeString(fakeJava, "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + started + ".tmp'\n"
                + "mv '" + started + ".tmp' '" + started + "'\nread go < '" + go + "'\nexec '" + cmd.get(java) + "' \"$@\"\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
        for (Path p : List.of(go, fakeJava)) {
            Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user.name()));
        }
        cmd.set(java, fakeJava.toString());

        try (Guest guest = Guest.start(user)) {
            Path ready = dir.resolve("ready");
            List<String> args = new ArrayList<>(cmd);
            args.addAll(List.of("-c", "-r", "3", Long.toString(guest.pid()), "tap0")); // -c: the JVM configures the tap it adopts
            Proc.Running usernet = Proc.start(wrapped(user, ready, args), dir);
            try {
                awaitFile(started, usernet);
                List<String> given = Files.readAllLines(started);
                assertThat(given.get(0)).as("the stage's word to the JVM, first: %s", given).startsWith("-Djnet.usernet.tap=");
                String fd = given.get(0).substring("-Djnet.usernet.tap=".length());
                long pid = usernet.process().pid();
                assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString())
                        .as("no JVM yet: the process is the script").doesNotContain("java");
                assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", fd)).toString())
                        .isEqualTo("/dev/net/tun");
                Proc.Result link = guest.inside("ip", "-o", "link", "show", "tap0");
                assertThat(link.exit()).as("tap0 before the JVM: " + link.describe()).isZero();

                Files.writeString(go, "go\n"); // the script execs java
                assertThat(UsernetProcess.awaitReady(ready, usernet, WAIT))
                        .as("ready; %s", usernet.process().isAlive() ? "running" : usernet.await(WAIT).describe())
                        .isTrue();
                assertThat(tunFds(pid)).as("the JVM serves the stage's fd, and opened no other").containsExactly(fd);
                Proc.Result ping = guest.inside("ping", "-c", "1", "-W", "5", "10.0.2.2");
                assertThat(ping.exit()).as(ping.describe()).isZero();
            } finally {
                usernet.process().destroy();
            }
            Proc.Result end = usernet.await(WAIT);
            assertThat(end.exit()).as(end.describe()).isZero();
            assertThat(guest.insideOk("ip", "-o", "link").stdout()).as("the tap went with the process").doesNotContain("tap0");
            assertThat(user.ourProcesses()).as("no helper left").isEmpty();
        }
    }

    private static List<String> wrapped(TestUser user, Path ready, List<String> command) {
        List<String> cmd = new ArrayList<>(List.of("env", "READY=" + ready, "sh", "-c", "exec \"$@\" 3>\"$READY\"", "sh"));
        cmd.addAll(command);
        return user.wrap(cmd);
    }

    /** Waits (bounded) for the script to write {@code file}. */
    private static void awaitFile(Path file, Proc.Running p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!Files.exists(file) && p.process().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(Files.exists(file)).as("the command reached its java; %s",
                p.process().isAlive() ? "running" : p.await(WAIT).describe()).isTrue();
    }

    /** The fd numbers of process {@code pid} that are /dev/net/tun. */
    private static List<String> tunFds(long pid) throws IOException {
        List<String> fds = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path p : s.toList()) {
                try {
                    if (Files.readSymbolicLink(p).toString().equals("/dev/net/tun")) {
                        fds.add(p.getFileName().toString());
                    }
                } catch (IOException closedMeanwhile) {
                    // an fd that went while we looked
                }
            }
        }
        return fds;
    }
}
