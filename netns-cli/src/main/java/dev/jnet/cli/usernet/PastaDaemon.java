package dev.jnet.cli.usernet;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * pasta forks to the background once the namespace is online, and its foreground process
 * exits 0 then (podman waits for that exit, then uses the namespace; rootlesskit likewise).
 * A JVM cannot fork, so the foreground JVM starts the same command line again in a second JVM
 * (same java, JVM options and class path, {@link PastaCommand#DAEMON_ENV} set, stdin and
 * stdout /dev/null, stderr a pipe to us) and relays what it prints until it reports readiness
 * with a line of its own ({@link #READY}); then this process exits 0, closing the pipe, so a
 * caller collecting our output (podman's CombinedOutput) sees end of file. If the background
 * process exits first, its status is ours, its error lines already printed.
 */
final class PastaDaemon {
    /** The background process's "online" line on its stderr (a NUL first: no message starts so). */
    static final String READY = "\0jnet-pasta-ready";

    private PastaDaemon() {}

    /** Starts {@code pasta args} in the background; 0 once it is ready, else its exit status. */
    static int spawn(List<String> args, PrintWriter err) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow(() -> new IOException("cannot tell which java runs")));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(dev.jnet.cli.Main.class.getName());
        cmd.add("pasta");
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        pb.environment().put(PastaCommand.DAEMON_ENV, "1");
        Process p = pb.start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.equals(READY)) {
                    return 0; // the background process keeps running; our end of its stderr closes with us
                }
                err.println(line);
                err.flush();
            }
        }
        return p.waitFor();
    }

    /** In the background process: tells the foreground one we are online. */
    static void signalReady(PrintWriter err) {
        err.println(READY);
        err.flush();
    }
}
