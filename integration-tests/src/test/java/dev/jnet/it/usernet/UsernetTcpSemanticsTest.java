package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Done-when 3 of issue 5: refusal is a RST the guest sees at once, and either half-close keeps the other direction. */
@UsernetTest
class UsernetTcpSemanticsTest {
    private static final int SIZE = 1 << 20;
    /** The bound: a refusal must be an answer, not a SYN retransmission (the first comes after 1 s). */
    private static final double REFUSED_WITHIN_MS = 100;

    @Test
    void aClosedUpstreamPortIsRefusedWithin100ms(UsernetSandbox net) {
        Proc.Result r = net.guestClient(UsernetSandbox.DEFAULT_TIMEOUT, "connect", FakeInternet.WEB_ADDRESS,
                Integer.toString(FakeInternet.CLOSED_PORT), "5");
        Map<String, String> f = GuestOutput.fields(r);
        assertThat(f).as(r.describe() + net.usernetLog()).containsEntry("outcome", "ECONNREFUSED");
        assertThat(Double.parseDouble(f.get("connect_ms"))).as("ms until refused").isLessThan(REFUSED_WITHIN_MS);
    }

    @Test
    void afterTheGuestHalfClosesTheReplyStillArrives(UsernetSandbox net) {
        Proc.Result r = net.guestClient(UsernetSandbox.DEFAULT_TIMEOUT, "send-then-shut", FakeInternet.WEB_ADDRESS,
                Integer.toString(FakeInternet.REPLY_AFTER_EOF_PORT), Integer.toString(SIZE));
        assertThat(r.exit()).as(r.describe() + net.usernetLog()).isZero();
        Map<String, String> f = GuestOutput.fields(r);
        String sent = f.get("sent");
        assertThat(sent).startsWith(SIZE + " ");
        // the server read to the guest's EOF, then answered on the half that was still open
        assertThat(f).containsEntry("reply", sent);
        assertThat(net.internet().replyAfterEof().received())
                .as("what the server received (its errors: %s)\n%s", net.internet().replyAfterEof().failures(), net.usernetLog())
                .containsExactly(new Received("reply-after-eof", SIZE, sent.split(" ")[1]));
    }

    @Test
    void afterTheServerHalfClosesTheGuestCanStillSend(UsernetSandbox net) throws InterruptedException {
        Proc.Result r = net.guestClient(UsernetSandbox.DEFAULT_TIMEOUT, "read-then-send", FakeInternet.WEB_ADDRESS,
                Integer.toString(FakeInternet.SEND_THEN_READ_PORT), Integer.toString(SIZE));
        assertThat(r.exit()).as(r.describe() + net.usernetLog()).isZero();
        Map<String, String> f = GuestOutput.fields(r);
        assertThat(f).containsEntry("got", FakeInternet.SEND_THEN_READ_SIZE + " " + net.internet().sendThenReadSha256());
        String sent = f.get("sent");
        assertThat(sent).startsWith(SIZE + " ");
        // the guest's EOF reaches the server after the client ended: wait for the server's record
        assertThat(net.internet().sendThenRead().awaitReceived(1, Duration.ofSeconds(10)))
                .as("what the server received after its half-close (its errors: %s)\n%s",
                        net.internet().sendThenRead().failures(), net.usernetLog())
                .containsExactly(new Received("send-then-read", SIZE, sent.split(" ")[1]));
    }
}
