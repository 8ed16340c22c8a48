package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Done-when 2 of issue 5: the gateway address is the host's loopback, unless that is disabled. */
@UsernetTest
class UsernetHostLoopbackTest {
    /** How a refused destination may show: a RST, or ICMP unreachable (slirp4netns answers the latter). */
    private static final List<String> REFUSALS = List.of("ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH");

    @Test
    void theGatewayReachesAServerOnHostLoopback(UsernetSandbox net) {
        Proc.Result r = connect(net, UsernetSandbox.GATEWAY, UsernetSandbox.HOST_LOOPBACK_PORT);
        Map<String, String> f = GuestOutput.fields(r);
        assertThat(f).as(r.describe() + net.usernetLog()).containsEntry("outcome", "connected");
        assertThat(f).containsEntry("received", UsernetSandbox.HOST_LOOPBACK_GREETING);
        assertThat(net.hostLoopback().accepted()).isEqualTo(1);
    }

    @Test
    void disableHostLoopbackRefusesTheGatewayButNotTheOutside(UsernetSandbox net) {
        net.restartUsernet(List.of("--disable-host-loopback"));

        Proc.Result r = connect(net, UsernetSandbox.GATEWAY, UsernetSandbox.HOST_LOOPBACK_PORT);
        Map<String, String> f = GuestOutput.fields(r);
        assertThat(f.get("outcome")).as(r.describe() + net.usernetLog()).isIn(REFUSALS);
        assertThat(net.hostLoopback().accepted()).as("connections the host-loopback server accepted").isZero();

        Proc.Result outside = connect(net, FakeInternet.WEB_ADDRESS, FakeInternet.REPLY_AFTER_EOF_PORT);
        assertThat(GuestOutput.fields(outside)).as(outside.describe()).containsEntry("outcome", "connected");
    }

    private static Proc.Result connect(UsernetSandbox net, String host, int port) {
        Proc.Result r = net.guestClient(UsernetSandbox.DEFAULT_TIMEOUT, "connect", host, Integer.toString(port), "5");
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }
}
