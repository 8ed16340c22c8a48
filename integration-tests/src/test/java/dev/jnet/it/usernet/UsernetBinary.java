package dev.jnet.it.usernet;

import dev.jnet.it.Dist;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which slirp4netns-compatible program the sandbox runs, as a command prefix to which
 * {@code --configure --mtu N --ready-fd FD [flags] PID tap0} is appended:
 * <ol>
 * <li>{@code JNET_USERNET_BIN} (system property, else environment variable), split at blanks,
 * so {@code /usr/bin/slirp4netns} and {@code "/path/jnet usernet"} both work;</li>
 * <li>else the repository's {@code bin/slirp4netns} entry, if it is there;</li>
 * <li>else {@code jnet usernet} of the CLI this build made (the staged copy the other
 * integration tests run: the unprivileged user can read it, unlike the build tree).</li>
 * </ol>
 * The program must exec, not fork, the process that does the work: its pid is what the tests
 * watch (fd counts) and signal.
 */
record UsernetBinary(List<String> command, String description) {
    static final String PROPERTY = "JNET_USERNET_BIN";

    static UsernetBinary configured() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(PROPERTY);
        }
        if (v != null && !v.isBlank()) {
            return new UsernetBinary(Arrays.asList(v.strip().split("\\s+")), PROPERTY + "=" + v.strip());
        }
        String repo = System.getProperty("jnet.repo");
        if (repo != null && !repo.isBlank()) {
            Path entry = Path.of(repo).resolve("bin/slirp4netns").normalize();
            if (Files.isExecutable(entry)) {
                return new UsernetBinary(List.of(entry.toString()), entry.toString());
            }
        }
        List<String> cmd = new ArrayList<>(Dist.get().javaCommand(List.of()));
        cmd.add("usernet");
        return new UsernetBinary(List.copyOf(cmd), "jnet usernet (staged build)");
    }
}
