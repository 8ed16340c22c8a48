package dev.jnet.it.usernet.link;

import dev.jnet.it.Dist;
import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jnet usernet ARGS...} as a real process of the test user, with the test's
 * {@link GatewayResponder} as its stack. {@code -r 3}-style readiness is seen through fd 3,
 * which a shell opens on a file before it execs the JVM.
 */
final class UsernetProcess {
    private UsernetProcess() {}

    /** The command line: {@code sh -c 'exec "$@" 3>READY 4<EXIT' ...} around the JVM, as {@code user}. */
    static List<String> commandLine(Dist dist, TestUser user, Path ready, Path exitFifo, String... args) {
        List<String> jvm = javaCommand(dist, user);
        jvm.addAll(List.of(args));
        String redirects = (ready != null ? " 3>\"$READY\"" : "") + (exitFifo != null ? " 4<\"$EXITFIFO\"" : "");
        List<String> cmd = new ArrayList<>(List.of("env", "READY=" + (ready == null ? "" : ready),
                "EXITFIFO=" + (exitFifo == null ? "" : exitFifo), "sh", "-c", "exec \"$@\"" + redirects, "sh"));
        cmd.addAll(jvm);
        return user.wrap(cmd);
    }

    /**
     * {@code java ... dev.jnet.cli.Main usernet} (arguments to follow), for {@code user}, with the
     * responder, behind the stage that opens the tap first, as ./jnet runs it.
     */
    static List<String> javaCommand(Dist dist, TestUser user) {
        List<String> jvm = new ArrayList<>(dist.usernetStage());
        jvm.addAll(dist.javaCommand(List.of(
                "-Djna.tmpdir=" + user.runtimeDir().resolve("jna"),
                "-Djnet.usernet.stack=" + GatewayResponder.class.getName())));
        int cp = jvm.indexOf("-cp") + 1;
        jvm.set(cp, jvm.get(cp) + ":" + testClasses());
        jvm.add("usernet");
        return jvm;
    }

    static Proc.Running start(Dist dist, TestUser user, Path ready, Path exitFifo, String... args) {
        return Proc.start(commandLine(dist, user, ready, exitFifo, args), dist.dir());
    }

    /** Waits (bounded) until {@code ready} holds "1", as slirp4netns's consumers wait for its ready fd. */
    static boolean awaitReady(Path ready, Proc.Running p, Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && p.process().isAlive()) {
            if (Files.exists(ready) && Files.readString(ready).equals("1")) {
                return true;
            }
            Thread.sleep(20);
        }
        return Files.exists(ready) && Files.readString(ready).equals("1");
    }

    private static String testClasses() {
        try {
            return Path.of(GatewayResponder.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
