package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's capture: {@code --pcap FILE} holds the guest's curl as tcpdump reads it (handshake,
 * data both ways, FIN), and stops at {@code --pcap-size}. Needs tcpdump (CI installs it).
 */
@UsernetTest
class UsernetPcapTest {
    private static final int BODY = 200_000;
    /** tcpdump's one-line TCP summary: "IP SRC.PORT > DST.PORT: Flags [..], ..., length N". */
    private static final Pattern TCP_LINE = Pattern.compile(
            "IP (\\S+)\\.(\\d+) > (\\S+)\\.(\\d+): Flags \\[([^\\]]*)\\],.* length (\\d+)");
    private static final String GUEST = UsernetSandbox.GUEST_ADDRESS;
    private static final String WEB = FakeInternet.WEB_ADDRESS;

    private Path dir;

    @BeforeEach
    void captureDirectory(UsernetSandbox net) throws Exception {
        assumeTrue(net.binary().isJnet(), "--pcap is jnet's: " + net.binary().description());
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/tcpdump")) || System.getenv("CI") != null,
                "tcpdump is not installed");
        dir = net.workDir().resolve("pcap");
        if (!Files.exists(dir)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setOwner(dir, FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(TestUser.configuredName()));
        }
    }

    /** tcpdump -r, numeric (-n: it must not look any address up), one line per packet. */
    private static Proc.Result tcpdump(Path file, String filter) {
        return Proc.run(Duration.ofSeconds(30), List.of("tcpdump", "-n", "-r", file.toString(), filter));
    }

    @Test
    void aGuestsCurlIsInTheCaptureAsTcpdumpReadsIt(UsernetSandbox net) throws Exception {
        Path file = dir.resolve("curl.pcap");
        net.restartUsernet(List.of("--pcap", file.toString()));
        Proc.Result curl = net.guestShell(Duration.ofSeconds(60), "curl -sSf --max-time 30 -o /dev/null -w '%{size_download}' "
                + "'http://" + WEB + FakeWebServer.DOWNLOAD_PATH + "?bytes=" + BODY + "'");
        assertThat(curl.exit()).as(curl.describe() + net.usernetLog()).isZero();
        assertThat(curl.stdout()).isEqualTo(Integer.toString(BODY));
        assertThat(net.stopUsernet()).as(net.usernetLog()).isZero(); // the writer drains and closes the file

        Proc.Result dump = tcpdump(file, "tcp port 80");
        assertThat(dump.exit()).as(dump.describe()).isZero();
        boolean syn = false;
        boolean synAck = false;
        boolean request = false;
        boolean guestFin = false;
        boolean webFin = false;
        long fromWeb = 0;
        for (String line : dump.stdoutLines()) {
            Matcher m = TCP_LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            boolean fromGuest = m.group(1).equals(GUEST) && m.group(3).equals(WEB) && m.group(4).equals("80");
            boolean toGuest = m.group(1).equals(WEB) && m.group(2).equals("80") && m.group(3).equals(GUEST);
            String flags = m.group(5);
            long length = Long.parseLong(m.group(6));
            syn |= fromGuest && flags.equals("S");
            synAck |= toGuest && flags.equals("S.");
            request |= fromGuest && length > 0 && line.contains("GET " + FakeWebServer.DOWNLOAD_PATH);
            guestFin |= fromGuest && flags.contains("F");
            webFin |= toGuest && flags.contains("F");
            if (toGuest) {
                fromWeb += length;
            }
        }
        String all = dump.stdout();
        assertThat(syn).as("the guest's SYN (Flags [S]) in:\n" + all).isTrue();
        assertThat(synAck).as("the SYN-ACK (Flags [S.]) in:\n" + all).isTrue();
        assertThat(request).as("the guest's GET with length > 0 in:\n" + all).isTrue();
        assertThat(guestFin || webFin).as("a FIN (Flags [F.]) in:\n" + all).isTrue();
        assertThat(fromWeb).as("payload bytes from the web server").isGreaterThan(BODY);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void theCaptureStopsAtItsSizeBound(UsernetSandbox net) throws Exception {
        Path file = dir.resolve("bound.pcap");
        // MTU 1500: no frame is larger than 1514 bytes, so the file ends within one record of its bound
        net.restartUsernet(1500, List.of("--pcap", file.toString(), "--pcap-size", "64K"));
        Proc.Result curl = net.guestShell(Duration.ofSeconds(60), "curl -sSf --max-time 30 -o /dev/null "
                + "'http://" + WEB + FakeWebServer.DOWNLOAD_PATH + "?bytes=" + 4 * BODY + "'");
        assertThat(curl.exit()).as(curl.describe() + net.usernetLog()).isZero(); // capturing ends, serving does not
        assertThat(net.stopUsernet()).isZero();

        assertThat(Files.size(file)).isLessThanOrEqualTo(64 * 1024).isGreaterThan(64 * 1024 - 16 - 1514);
        Proc.Result dump = tcpdump(file, "tcp");
        assertThat(dump.exit()).as("a bounded capture is still whole records: " + dump.describe()).isZero();
        assertThat(dump.stdout()).contains("Flags [S]");
        assertThat(lastUsernetLog(net)).containsPattern("jnet usernet: pcap .*bound.pcap: stopped at its bound of 65536 bytes; "
                + "[1-9][0-9]* frames not captured");
    }

    /** The log of the usernet run that just stopped (what it printed on its way out included). */
    private static String lastUsernetLog(UsernetSandbox net) throws java.io.IOException {
        try (var logs = Files.list(net.workDir())) {
            Path last = logs.filter(p -> p.getFileName().toString().matches("usernet-\\d+\\.log"))
                    .max(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().replaceAll("\\D", ""))))
                    .orElseThrow();
            return Files.readString(last);
        }
    }

    @Test
    void anUnwritableCaptureFileIsOneLineAndNothingRuns(UsernetSandbox net) {
        List<String> cmd = new java.util.ArrayList<>(net.binary().command());
        cmd.addAll(List.of("--pcap", dir.resolve("no/such/dir.pcap").toString(), "1", "tap0"));
        Proc.Result r = Proc.run(Duration.ofSeconds(30), cmd);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr().strip()).isEqualTo("jnet usernet: --pcap " + dir.resolve("no/such/dir.pcap")
                + ": No such file or directory");
    }
}
