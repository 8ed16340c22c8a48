package dev.jnet.it.tour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Dist;
import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.it.TestUser;
import dev.jnet.it.tour.ReadmeTour.Step;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's tour, run as the README shows it, so the front door cannot drift from the code:
 * every {@code <!-- tour -->} block ({@link ReadmeTour}), in order, in one bash, as root, in a
 * scratch network namespace (the "host" whose links netns connect makes) and mount namespace with
 * empty /run/netns, /etc/netns and /run/jnet: everything the tour makes goes away with them,
 * whatever failed.
 * {@code ./jnet} is the built CLI (the staged copy other tests run), {@code sudo} runs its arguments.
 */
@RequiresRoot
@JnetIntegrationTest
class ReadmeTourTest {
    private static final Duration TOUR_TIMEOUT = Duration.ofMinutes(4);

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theTourDoesWhatTheReadmeSays(JnetCli jnet) throws IOException {
        List<List<Step>> blocks = ReadmeTour.parse(readme());
        assertThat(blocks).as("tour blocks in README.md").hasSizeGreaterThanOrEqualTo(4);
        List<Step> steps = blocks.stream().flatMap(List::stream).toList();
        assertThat(steps).hasSizeGreaterThan(20);
        assertThat(run(jnet, steps, null)).as("tour steps whose output or status differ from the README").isEmpty();
    }

    /** The rootless blocks, each command run as the test user (its own XDG_RUNTIME_DIR). */
    @Test
    @RequiresRoot(testUser = true)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theRootlessTourDoesWhatTheReadmeSays(JnetCli jnet, TestUser user) throws IOException {
        List<Step> steps = ReadmeTour.parse(readme(), ReadmeTour.USER_MARKER).stream().flatMap(List::stream).toList();
        assertThat(steps).as("rootless tour steps in README.md").hasSizeGreaterThanOrEqualTo(4);
        assertThat(run(jnet, steps, user)).as("rootless tour steps whose output or status differ from the README").isEmpty();
    }

    private static String readme() throws IOException {
        return Files.readString(Path.of(System.getProperty("jnet.repo"), "README.md"));
    }

    /** Runs {@code steps} in one bash in the scratch namespaces (each as {@code user} if given); the mismatches. */
    private static List<String> run(JnetCli jnet, List<Step> steps, TestUser user) throws IOException {
        Path work = Files.createTempDirectory("jit-tour-");
        List<Path> madeDirs = new ArrayList<>();
        try {
            Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path out = Files.createDirectories(work.resolve(".out"));
            Path bin = Files.createDirectories(work.resolve(".bin"));
            executable(work.resolve("jnet"), "exec " + quoted(jnet.dist().javaCommand(List.of())) + " \"$@\"\n");
            executable(bin.resolve("sudo"), "exec \"$@\"\n"); // already root
            StringBuilder script = new StringBuilder("cd " + quote(work.toString()) + "\n");
            for (int i = 0; i < steps.size(); i++) {
                String cmd = steps.get(i).command();
                if (user != null) {
                    List<String> as = new ArrayList<>(user.wrap(List.of("bash", "-c", cmd)));
                    as.set(as.indexOf("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), "PATH=" + bin + ":/usr/sbin:/usr/bin:/sbin:/bin");
                    cmd = quoted(as);
                }
                script.append("{ ").append(cmd).append("\n} >.out/").append(i)
                        .append(" 2>&1 </dev/null; echo $? >.out/").append(i).append(".rc\n");
            }
            Files.writeString(work.resolve(".tour.sh"), script);
            for (Path d : SCRATCH_DIRS) {
                if (!Files.isDirectory(d)) {
                    madeDirs.add(Files.createDirectories(d));
                }
            }
            Proc.Result r = Proc.run(TOUR_TIMEOUT, List.of("env", "PATH=" + bin + ":/usr/sbin:/usr/bin:/sbin:/bin",
                    "unshare", "--mount", "--net", "--propagation", "private", "--", "bash", "-c",
                    scratchMounts() + "ip link set lo up"
                            + " && exec bash " + quote(work.resolve(".tour.sh").toString())));
            assertThat(r.exit()).as(r.describe()).isZero();

            List<String> failures = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                Step s = steps.get(i);
                Path rc = out.resolve(i + ".rc");
                int status = Files.exists(rc) ? Integer.parseInt(Files.readString(rc).strip()) : -1;
                List<String> output = Files.exists(out.resolve("" + i)) ? Files.readAllLines(out.resolve("" + i)) : List.of();
                if (!s.matches(output, status)) {
                    failures.add("$ " + s.command() + "\n  README: " + s.expected() + " (exit " + s.exit() + ")"
                            + "\n  ran:    " + output + " (exit " + status + ")");
                }
            }
            return failures;
        } finally {
            Dist.deleteTree(work);
            for (Path d : madeDirs) {
                try (Stream<Path> s = Files.list(d)) {
                    if (s.findAny().isEmpty()) {
                        Files.deleteIfExists(d);
                    }
                }
            }
        }
    }

    /** Empty in the scratch mount namespace: namespaces, their /etc files, netns connect's records. */
    private static final List<Path> SCRATCH_DIRS = List.of(Path.of("/run/netns"), Path.of("/etc/netns"), Path.of("/run/jnet"));

    private static String scratchMounts() {
        StringBuilder b = new StringBuilder();
        SCRATCH_DIRS.forEach(d -> b.append("mount -t tmpfs jnet-tour ").append(d).append(" && "));
        return b.toString();
    }

    private static void executable(Path p, String body) throws IOException {
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String quoted(List<String> words) {
        List<String> q = new ArrayList<>();
        words.forEach(w -> q.add(quote(w)));
        return String.join(" ", q);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
