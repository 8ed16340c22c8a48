package dev.jnet.netns;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs code inside a network namespace. setns(2) moves only the calling thread, so each call
 * gets a fresh thread that enters the namespace and ends with the task: no pooled thread is
 * ever left in a foreign namespace.
 */
public final class NetnsThreads {
    private NetnsThreads() {}

    /** Runs {@code task} on a new thread in the namespace opened by {@code nsFile}. */
    public static <T> T call(Path nsFile, String name, Callable<T> task) throws Exception {
        FutureTask<T> future = new FutureTask<>(() -> {
            try (Fd ns = Fd.open(nsFile.toString(), Syscalls.O_RDONLY)) {
                Syscalls.setns(ns.get(), Syscalls.CLONE_NEWNET, nsFile.toString());
            }
            return task.call();
        });
        Thread t = new Thread(future, "jnet-in-" + name);
        t.start();
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    /** Runs {@code task} on a new thread in a brand-new, unnamed network namespace. */
    static <T> T callInNewNamespace(String name, Callable<T> task) throws Exception {
        FutureTask<T> future = new FutureTask<>(() -> {
            Syscalls.unshare(Syscalls.CLONE_NEWNET);
            return task.call();
        });
        Thread t = new Thread(future, "jnet-new-" + name);
        t.start();
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
