package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Done-when 1 of issue 5: from inside the guest, the fake internet is there by name, by ping and by DNS. */
@UsernetTest
class UsernetInternetTest {
    private static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(90);
    private static final long UPLOAD_SEED = 0x75706c64L;

    @ParameterizedTest(name = "MTU {0}")
    @ValueSource(ints = {1500, UsernetSandbox.DEFAULT_MTU})
    void sixtyFourMegabytesGoDownAndUpIntact(int mtu, UsernetSandbox net) {
        net.restartUsernet(mtu, List.of());
        sixtyFourMegabytesDownAndUp(net);
    }

    /** 64 MiB from the fake web server (curl | sha256sum) and 64 MiB up to it: both arrive intact. */
    static void sixtyFourMegabytesDownAndUp(UsernetSandbox net) {
        Proc.Result down = net.guestShell(TRANSFER_TIMEOUT,
                "curl -sSf --max-time 80 http://" + FakeInternet.WEB_NAME + FakeWebServer.DOWNLOAD_PATH + " | sha256sum");
        assertThat(down.exit()).as(down.describe() + net.usernetLog()).isZero();
        assertThat(down.stdout()).startsWith(FakeInternet.downloadSha256() + " ");

        byte[] upload = Digests.seeded(UPLOAD_SEED, FakeInternet.DOWNLOAD_SIZE);
        String uploadSha = Digests.sha256Hex(upload);
        String file = net.writeGuestFile("upload.bin", upload).toString();
        Proc.Result up = net.guest(TRANSFER_TIMEOUT, List.of("curl", "-sSf", "--max-time", "80", "-H", "Expect:",
                "-T", file, "http://" + FakeInternet.WEB_NAME + FakeWebServer.UPLOAD_PATH));
        assertThat(up.exit()).as(up.describe() + net.usernetLog()).isZero();
        assertThat(up.stdout().strip()).isEqualTo(upload.length + " " + uploadSha);
        assertThat(net.internet().uploads()).contains(new Received("web-upload", upload.length, uploadSha));
    }

    @Test
    void tapIsConfiguredAsSlirp4netnsConfiguresIt(UsernetSandbox net) {
        Proc.Result addr = net.guest("ip", "-o", "-4", "addr", "show", "dev", UsernetProcess.TAP);
        assertThat(addr.exit()).as(addr.describe()).isZero();
        assertThat(addr.stdout()).contains("inet " + UsernetSandbox.GUEST_ADDRESS + "/24 ");
        Proc.Result link = net.guest("ip", "-o", "link", "show", "dev", UsernetProcess.TAP);
        assertThat(link.stdout()).as(link.describe()).contains(",UP", " mtu " + UsernetSandbox.DEFAULT_MTU + " ");
        Proc.Result route = net.guest("ip", "-4", "route", "show", "default");
        assertThat(route.stdout()).as(route.describe()).contains("default via " + UsernetSandbox.GATEWAY + " dev " + UsernetProcess.TAP);
    }

    @Test
    void pingReachesTheGatewayAndAnOutsideHost(UsernetSandbox net) {
        for (String target : List.of(UsernetSandbox.GATEWAY, FakeInternet.WEB_ADDRESS)) {
            Proc.Result ping = net.guest("ping", "-n", "-c3", "-i", "0.2", "-W", "2", target);
            assertThat(ping.exit()).as(ping.describe() + net.usernetLog()).isZero();
            assertThat(ping.stdout()).contains("3 packets transmitted, 3 received");
        }
    }

    @Test
    void dnsAtTheDnsAddressAnswersFromTheFakeResolver(UsernetSandbox net) {
        int before = net.internet().dnsQueries();
        Proc.Result dig = net.guest("dig", "+short", "+time=2", "+tries=2", "@" + UsernetSandbox.DNS, FakeInternet.WEB_NAME);
        assertThat(dig.exit()).as(dig.describe()).isZero();
        assertThat(dig.stdout().strip()).isEqualTo(FakeInternet.WEB_ADDRESS);
        assertThat(net.internet().dnsQueries()).as("queries the fake resolver got").isGreaterThan(before);

        Proc.Result unknown = net.guest("dig", "+time=2", "+tries=2", "@" + UsernetSandbox.DNS, "nosuch.test");
        assertThat(unknown.exit()).as(unknown.describe()).isZero();
        assertThat(unknown.stdout()).contains("status: NXDOMAIN");
    }

    @Test
    void udpDatagramsComeBackFromTheEchoService(UsernetSandbox net) {
        Proc.Result echo = net.guestClient(UsernetSandbox.DEFAULT_TIMEOUT, "udp-echo", FakeInternet.WEB_ADDRESS,
                Integer.toString(FakeInternet.UDP_ECHO_PORT), "3");
        assertThat(echo.exit()).as(echo.describe()).isZero();
        assertThat(GuestOutput.fields(echo)).containsEntry("echoed", "3");
        assertThat(net.internet().udpEchoes()).isGreaterThanOrEqualTo(3);
    }
}
