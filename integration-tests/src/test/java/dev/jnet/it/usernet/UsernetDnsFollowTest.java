package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 point 6: the DNS forwarder follows its resolv.conf. The host namespace's resolv.conf
 * (what {@code ip netns exec} shows the stack as /etc/resolv.conf) is rewritten in place while
 * the stack runs: first to a second fake resolver of the internet namespace, then to one on
 * 127.0.0.53 of the host namespace (systemd-resolved's stub address). Each resolver answers
 * {@code example.test} with an address of its own, so the guest's answer names the server that
 * was asked; two seconds after each change the guest's next query must reach the new one.
 */
@UsernetTest
class UsernetDnsFollowTest {
    static final String SECOND_RESOLVER = "203.0.113.54";
    static final String SECOND_ANSWER = "203.0.113.11";
    static final String STUB_RESOLVER = "127.0.0.53";
    static final String STUB_ANSWER = "203.0.113.12";
    /** What the test allows between the change and the query that must see it. */
    private static final long FOLLOW_MILLIS = 2_000;

    @Test
    void aRewrittenResolvConfIsFollowedWithinTwoSecondsAlsoTo127_0_0_53(UsernetSandbox net) throws Exception {
        Path conf = HostNetns.ETC_NETNS.resolve(net.hostNetns()).resolve("resolv.conf");
        String original = Files.readString(conf);
        String inet = net.internetNetns();
        root("ip", "-n", inet, "addr", "add", SECOND_RESOLVER + "/32", "dev", "lo");
        try (FakeUdpServer second = FakeInternet.resolver(inet, SECOND_RESOLVER, SECOND_ANSWER);
                FakeUdpServer stub = FakeInternet.resolver(net.hostNetns(), STUB_RESOLVER, STUB_ANSWER)) {
            assertThat(dig(net)).as(net.usernetLog()).isEqualTo(FakeInternet.WEB_ADDRESS);

            Files.writeString(conf, "nameserver " + SECOND_RESOLVER + "\n"); // in place: the bind mount shows it
            Thread.sleep(FOLLOW_MILLIS);
            assertThat(dig(net)).as(net.usernetLog()).isEqualTo(SECOND_ANSWER);
            assertThat(second.requests()).isPositive();

            Files.writeString(conf, "# systemd-resolved's stub\nnameserver " + STUB_RESOLVER + "\noptions edns0\n");
            Thread.sleep(FOLLOW_MILLIS);
            assertThat(dig(net)).as(net.usernetLog()).isEqualTo(STUB_ANSWER);
            assertThat(stub.requests()).isPositive();
        } finally {
            Files.writeString(conf, original);
            Proc.run("ip", "-n", inet, "addr", "del", SECOND_RESOLVER + "/32", "dev", "lo");
        }
    }

    /** One query (one try) for example.test at the stack's DNS address: the answer's address. */
    private static String dig(UsernetSandbox net) {
        Proc.Result r = net.guest("dig", "+short", "+time=2", "+tries=1", "@" + UsernetSandbox.DNS, FakeInternet.WEB_NAME);
        return r.stdout().strip();
    }

    private static void root(String... command) {
        Proc.Result r = Proc.run(command);
        assertThat(r.exit()).as(r.describe()).isZero();
    }
}
