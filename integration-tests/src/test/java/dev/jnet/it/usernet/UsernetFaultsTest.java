package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.JsonReader;
import dev.jnet.it.Proc;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 (hardening): with jnet's {@code FaultInjector} on in the usernet process (5% of the
 * frames each way dropped, duplicated, reordered, corrupted and delayed), a curl download and a
 * curl upload through the guest's real Linux TCP arrive with the right SHA-256.
 * Size: {@code -Djnet.it.faults.mb=N} (default 16; the full-size run is 256, see bench/hardening.md).
 */
@UsernetTest
class UsernetFaultsTest {
    static final long SIZE = Long.getLong("jnet.it.faults.mb", 16) << 20;
    static final int MTU = Integer.getInteger("jnet.it.faults.mtu", UsernetSandbox.DEFAULT_MTU);
    static final String FAULTS = "seed=7,drop=0.05,duplicate=0.05,reorder=0.05,corrupt=0.05,delay=0.05,delay-ms=10";
    private static final String RESOLVE = FakeInternet.WEB_NAME + ":" + FakeInternet.HTTP_PORT + ":" + FakeInternet.WEB_ADDRESS;
    /** Generous: 5% loss costs Linux TCP most of its window; 16 MB take ~10-30 s here. */
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(Math.max(120, SIZE >> 20 << 3));

    @Test
    void downloadAndUploadArriveIntactThroughFivePercentOfEachFault(UsernetSandbox net) throws Exception {
        assumeTrue(net.binary().isJnet(), "the fault injector is jnet's: " + net.binary().description());
        // MTU 65520 (the default, as rootlesskit and podman run it): a few dozen of each fault per 16 MB;
        // -Djnet.it.faults.mtu=1500 makes ~11,000 frames of it, each fault then hits hundreds
        net.restartUsernet(MTU, List.of(), List.of("-Djnet.usernet.faults=" + FAULTS));
        try {
            assertThat(net.usernetLog()).contains("jnet usernet: fault injector on");
            long max = TRANSFER_TIMEOUT.toSeconds() - 10;

            // the name is resolved by curl itself (--resolve), not by a DNS query through the faults:
            // glibc asks twice (A and AAAA, 2 attempts) and gives up when the injector hits both
            // tries, which depends on where the query falls in the frame sequence ("Could not
            // resolve host" once); this test is about TCP through the faults (DNS has tests of its own)
            Proc.Result down = net.guestShell(TRANSFER_TIMEOUT, "curl -sSf --resolve " + RESOLVE + " --max-time " + max + " 'http://"
                    + FakeInternet.WEB_NAME + FakeWebServer.DOWNLOAD_PATH + "?bytes=" + SIZE + "' | sha256sum");
            assertThat(down.exit()).as(down.describe() + net.usernetLog()).isZero();
            assertThat(down.stdout()).startsWith(FakeInternet.downloadSha256(SIZE) + " ");

            Path file = net.workDir().resolve("faulty-upload.bin");
            String uploadSha = writeSeeded(file, 0x6661756cL, SIZE);
            Proc.Result up = net.guest(TRANSFER_TIMEOUT, List.of("curl", "-sSf", "--resolve", RESOLVE, "--max-time", Long.toString(max),
                    "-H", "Expect:", "-T", file.toString(), "http://" + FakeInternet.WEB_NAME + FakeWebServer.UPLOAD_PATH));
            assertThat(up.exit()).as(up.describe() + net.usernetLog()).isZero();
            assertThat(up.stdout().strip()).isEqualTo(SIZE + " " + uploadSha);
            Files.delete(file);

            Map<String, Long> stats = net.usernetStats().orElseThrow();
            assertThat(stats.get("handler_errors")).as("%s", stats).isZero();
            assertInjected(net.usernetLog());
        } finally {
            net.restartUsernet(List.of()); // the next test gets a clean link
        }
    }

    /** The faults line the SIGUSR1 above printed: every fault happened in both directions. */
    @SuppressWarnings("unchecked")
    private static void assertInjected(String log) {
        String line = log.lines().filter(l -> l.startsWith("jnet usernet: faults ")).reduce((a, b) -> b).orElseThrow(
                () -> new AssertionError("no faults line in\n" + log));
        Map<String, Object> both = (Map<String, Object>) JsonReader.parse(line.substring("jnet usernet: faults ".length()));
        for (String dir : List.of("to_stack", "to_guest")) {
            Map<String, Object> c = (Map<String, Object>) both.get(dir);
            for (String fault : List.of("dropped", "duplicated", "reordered", "corrupted", "delayed")) {
                assertThat((Long) c.get(fault)).as("%s %s: %s", dir, fault, line).isGreaterThan(MTU <= 1500 ? 100 : 0);
            }
        }
        System.out.println(line);
    }

    /** Writes {@code size} seeded bytes to {@code file} (readable by the guest) and returns their SHA-256. */
    static String writeSeeded(Path file, long seed, long size) throws IOException {
        MessageDigest d = Digests.sha256();
        SplittableRandom r = new SplittableRandom(seed);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long done = 0; done < size; ) {
                int n = (int) Math.min(chunk.length, size - done);
                r.nextBytes(chunk);
                out.write(chunk, 0, n);
                d.update(chunk, 0, n);
                done += n;
            }
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return Digests.hex(d);
    }
}
