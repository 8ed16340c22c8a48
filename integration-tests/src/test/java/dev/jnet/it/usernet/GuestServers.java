package dev.jnet.it.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * The forwarding tests' guest servers: {@code forward/fwd-guest.py} (its docstring lists the
 * modes), copied into the guest's work directory and started in the background there.
 */
public final class GuestServers {
    public static final String SCRIPT = "fwd-guest.py";
    private static final Duration STEP = Duration.ofSeconds(10);

    private GuestServers() {}

    /** Copies the script into {@code net}'s guest work directory. */
    public static void install(UsernetSandbox net) {
        try (InputStream in = GuestServers.class.getResourceAsStream("forward/" + SCRIPT)) {
            net.writeGuestFile(SCRIPT, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the script's {@code mode} on {@code port} in the guest and waits (5 s at most) until
     * {@code ss ssFlags} shows it bound; its pid, for {@code kill}.
     */
    public static String start(UsernetSandbox net, String mode, int port, String ssFlags) throws InterruptedException {
        Proc.Result r = net.guestShell(STEP, "/usr/bin/python3 " + net.workDir().resolve(SCRIPT) + " " + mode + " "
                + port + " </dev/null >/dev/null 2>&1 & echo $!");
        assertThat(r.exit()).as(r.describe()).isZero();
        for (int i = 0; i < 100; i++) {
            if (!net.guest("ss", "-H" + ssFlags.substring(1), "sport = :" + port).stdout().isBlank()) {
                return r.stdout().strip();
            }
            Thread.sleep(50);
        }
        throw new AssertionError(mode + " did not listen in the guest");
    }
}
