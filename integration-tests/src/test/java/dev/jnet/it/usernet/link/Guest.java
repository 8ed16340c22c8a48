package dev.jnet.it.usernet.link;

import dev.jnet.it.Proc;
import dev.jnet.it.TestUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A rootless guest as container runtimes make one: {@code unshare -unUr sleep} run by the test
 * user (new user, net and UTS namespaces; uid 0 inside), entered with
 * {@code nsenter -U -n --preserve-credentials} as that user.
 */
final class Guest implements AutoCloseable {
    private final TestUser user;
    private final Proc.Running process;

    private Guest(TestUser user, Proc.Running process) {
        this.user = user;
        this.process = process;
    }

    static Guest start(TestUser user) throws InterruptedException {
        Proc.Running p = Proc.start(user.wrap(List.of("unshare", "-unUr", "sleep", "600")), null);
        Guest g = new Guest(user, p);
        // setpriv, env and unshare exec each other: the process is the guest once it runs sleep
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!"sleep".equals(g.comm()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (!"sleep".equals(g.comm())) {
            g.close();
            throw new IllegalStateException("the guest did not start");
        }
        return g;
    }

    long pid() {
        return process.process().pid();
    }

    private String comm() {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid()), "comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code command} inside the guest's namespaces, as the test user (root inside). */
    Proc.Result inside(String... command) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid()), "-U", "-n",
                "--preserve-credentials"));
        cmd.addAll(List.of(command));
        return Proc.run(Duration.ofSeconds(30), user.wrap(cmd));
    }

    /** {@link #inside}, failing the test unless the command succeeds. */
    Proc.Result insideOk(String... command) {
        Proc.Result r = inside(command);
        if (r.exit() != 0) {
            throw new AssertionError(r.describe());
        }
        return r;
    }

    /** Ends the guest (its namespaces go with it). */
    @Override
    public void close() {
        Proc.killTree(process.process());
    }
}
