package dev.jnet.cli.usernet;

import dev.jnet.cli.Main;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;

/**
 * {@code jnet usernet}'s command tree built ahead of the next attach, on a thread of its own:
 * picocli builds a command's model by reflection, ~4.5 ms of a warm attach on this 2-core
 * machine (measured), while parsing the words takes ~1 ms. A tree holds one parse's state, so
 * each attach takes the spare and the next is built at once, off the attach's path. Only for
 * {@code usernet ARGS} whose tree does not depend on ARGS (not {@code usernet top}).
 */
final class PrebuiltCommandLines implements AutoCloseable {
    private final ExecutorService builder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jnet-usernetd-prebuild");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    });
    private Future<CommandLine> next;

    PrebuiltCommandLines() {
        next = builder.submit(PrebuiltCommandLines::build);
    }

    private static CommandLine build() {
        return Main.newCommandLine("usernet");
    }

    /** Whether the tree for {@code args} (usernet's words, "usernet" first) is the prebuilt one. */
    static boolean fits(String[] args) {
        return args.length > 0 && args[0].equals("usernet") && (args.length < 2 || !args[1].equals("top"));
    }

    /**
     * The tree built ahead (waiting for it if its build is under way), or null when it failed
     * (the caller builds one itself: the same errors, only slower); starts the next build.
     */
    synchronized CommandLine take() {
        Future<CommandLine> f = next;
        next = builder.submit(PrebuiltCommandLines::build);
        try {
            return f.get();
        } catch (ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        builder.shutdownNow();
    }
}
