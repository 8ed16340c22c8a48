package dev.jnet.junit;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts the processes that hold a topology's namespaces. They ask for SIGKILL when their parent
 * dies ({@code jnet-helper --die-with-parent}, PR_SET_PDEATHSIG), and the kernel means the parent
 * <em>thread</em>: a JUnit worker thread that ends would take them along. So every such process
 * is started from this one daemon thread, which lives as long as the JVM, and dies with it.
 */
final class Spawner {
    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jnet-junit-spawner");
        t.setDaemon(true);
        return t;
    });

    private Spawner() {}

    static Process start(ProcessBuilder pb) throws IOException {
        try {
            return THREAD.submit(pb::start).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("starting " + pb.command(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted starting " + pb.command(), e);
        }
    }

    static Process start(List<String> command) throws IOException {
        return start(new ProcessBuilder(command));
    }
}
