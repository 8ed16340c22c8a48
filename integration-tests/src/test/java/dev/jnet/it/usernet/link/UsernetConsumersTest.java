package dev.jnet.it.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jnet.it.JnetCli;
import dev.jnet.it.JnetIntegrationTest;
import dev.jnet.it.Proc;
import dev.jnet.it.RequiresRoot;
import dev.jnet.it.TestUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A real consumer of slirp4netns's command line drives {@code jnet usernet}: rootlesskit, as the
 * test user, given a slirp4netns-named script (which it first asks for {@code --help}).
 */
@RequiresRoot(testUser = true)
@JnetIntegrationTest
class UsernetConsumersTest {
    @Test
    void rootlesskitPutsItsChildOnlineThroughJnetUsernet(JnetCli jnet, TestUser user) throws Exception {
        assumeTrue(Proc.run("sh", "-c", "command -v rootlesskit").exit() == 0, "rootlesskit is not installed");
        assumeTrue(Files.readAllLines(Path.of("/etc/subuid")).stream().anyMatch(l -> l.startsWith(user.name() + ":")),
                "rootlesskit needs a subuid range for " + user.name());
        Path log = user.runtimeDir().resolve("args.log");
        Path script = user.runtimeDir().resolve("slirp4netns");
        // the distribution's bin/slirp4netns runs ./jnet; this one runs the staged CLI with the test's responder
        String cmd = UsernetProcess.javaCommand(jnet.dist(), user).stream()
                .map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        Files.writeString(script, "#!/bin/sh\necho \"$*\" >> '" + log + "'\nexec " + cmd + " \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        UserPrincipalLookupService users = script.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(script, users.lookupPrincipalByName(user.name()));

        Proc.Result r = Proc.run(Duration.ofSeconds(90), user.wrap(List.of("rootlesskit", "--net=slirp4netns",
                "--slirp4netns-binary=" + script, "--state-dir=" + user.runtimeDir().resolve("rk"),
                "--disable-host-loopback", "sh", "-c", "ip -4 -o addr show tap0 && ip route && ping -c 1 -W 5 10.0.2.2")));
        assertThat(r.exit()).as(r.describe()).isZero();
        assertThat(r.stdout()).contains("inet 10.0.2.100/24").contains("default via 10.0.2.2 dev tap0")
                .contains("1 received");
        List<String> calls = Files.readAllLines(log);
        assertThat(calls.get(0)).isEqualTo("--help");
        assertThat(calls).anyMatch(c -> c.startsWith("--mtu 65520 -r 3 --disable-host-loopback ") && c.endsWith(" tap0"));
        assertThat(user.ourProcesses()).isEmpty();
    }
}
