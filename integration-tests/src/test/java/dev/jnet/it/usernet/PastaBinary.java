package dev.jnet.it.usernet;

import dev.jnet.it.Dist;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which pasta-compatible program the pasta tests run, as a command prefix to which pasta's
 * options are appended:
 * <ol>
 * <li>{@code JNET_PASTA_BIN} (system property, else environment variable), split at blanks:
 * {@code /usr/bin/pasta} runs the same tests against the real pasta, to check a test itself;</li>
 * <li>else {@code jnet pasta} of the CLI this build made (staged where the test user can read
 * it), what {@code bin/pasta} runs.</li>
 * </ol>
 */
record PastaBinary(List<String> command, String description, boolean isJnet) {
    static final String PROPERTY = "JNET_PASTA_BIN";

    static PastaBinary configured() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(PROPERTY);
        }
        if (v != null && !v.isBlank()) {
            List<String> cmd = Arrays.asList(v.strip().split("\\s+"));
            // a staged "java ... dev.jnet.cli.Main pasta" or a checkout's bin/pasta is jnet; /usr/bin/pasta is not
            boolean jnet = cmd.contains("dev.jnet.cli.Main") || !cmd.get(0).startsWith("/usr/");
            return new PastaBinary(cmd, PROPERTY + "=" + v.strip(), jnet);
        }
        Dist dist = Dist.get();
        List<String> cmd = List.of(dist.java().toString(), "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-Djnet.helper=" + dist.helper(), "-cp", dist.dir() + "/*", "dev.jnet.cli.Main", "pasta");
        return new PastaBinary(cmd, "jnet pasta (staged build)", true);
    }

    /** The command line: this program, then {@code args}. */
    List<String> with(List<String> args) {
        List<String> out = new ArrayList<>(command);
        out.addAll(args);
        return out;
    }
}
