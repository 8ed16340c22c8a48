package dev.jnet.netns;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs code inside a network namespace. setns(2) and unshare(2) move only the calling thread,
 * so a caller's own thread (perhaps an event loop) is never moved: {@link #call} runs the task
 * on a pooled thread that enters the namespace and goes back to the process's namespace when
 * the task ends, and {@link #callInNewNamespace} runs on one reusable worker that does the same
 * after every unshare.
 */
public final class NetnsThreads {
    /** Where the workers return to: the namespace of the process's initial thread. */
    private static final String HOME = "/proc/self/ns/net";

    /**
     * One daemon worker, ended after 2 s idle. Reused because starting a thread per namespace
     * cost more than the unshare itself (0.7-1.3 ms against 0.35 ms on a 2-vCPU VM).
     */
    private static final ThreadPoolExecutor WORKER = newWorker();

    /**
     * Threads for {@link #call}, reused for the same reason: as many as there are calls at once
     * (each caller waits for its task), idle ones ended after 2 s.
     */
    private static final ThreadPoolExecutor ENTER = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 2, TimeUnit.SECONDS,
            new SynchronousQueue<>(), daemon("jnet-in-netns"));

    private NetnsThreads() {}

    /**
     * Runs {@code task} on a thread in the namespace opened by {@code nsFile}: sockets it
     * creates belong to that namespace, threads it starts are in it. The task must not keep the
     * thread (it is reused once the task returns).
     */
    public static <T> T call(Path nsFile, String name, Callable<T> task) throws Exception {
        boolean[] stranded = {false};
        FutureTask<T> future = new FutureTask<>(() -> {
            Thread self = Thread.currentThread();
            String idle = self.getName();
            try (Fd home = Fd.open(HOME, Syscalls.O_RDONLY)) {
                try (Fd ns = Fd.open(nsFile.toString(), Syscalls.O_RDONLY)) {
                    Syscalls.setns(ns.get(), Syscalls.CLONE_NEWNET, nsFile.toString());
                }
                self.setName("jnet-in-" + name);
                try {
                    return task.call();
                } finally {
                    self.setName(idle);
                    try {
                        Syscalls.setns(home.get(), Syscalls.CLONE_NEWNET, HOME);
                    } catch (RuntimeException e) {
                        stranded[0] = true;
                        throw e;
                    }
                }
            }
        });
        ENTER.execute(() -> {
            future.run();
            if (stranded[0]) {
                // still in the task's namespace: this thread must not be reused (the pool replaces it)
                throw new StrandedThread();
            }
        });
        return result(future);
    }

    /** Ends a worker that could not go back to the process's namespace. */
    private static final class StrandedThread extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StrandedThread() {
            super("thread left in another network namespace", null, false, false);
        }
    }

    /**
     * Runs {@code task} in a brand-new, unnamed network namespace. The task must not keep the
     * thread (no sockets or threads left behind): whatever is to keep the namespace alive (a
     * bind mount of /proc/thread-self/ns/net) must be made inside the task.
     */
    static <T> T callInNewNamespace(String name, Callable<T> task) throws Exception {
        return result(WORKER.submit(() -> {
            try (Fd home = Fd.open(HOME, Syscalls.O_RDONLY)) {
                Syscalls.unshare(Syscalls.CLONE_NEWNET);
                try {
                    return task.call();
                } finally {
                    // Should this ever fail, the task fails with it, and the idle worker, stuck
                    // in the namespace, ends within 2 s.
                    Syscalls.setns(home.get(), Syscalls.CLONE_NEWNET, HOME);
                }
            }
        }));
    }

    private static ThreadPoolExecutor newWorker() {
        ThreadPoolExecutor ex = new ThreadPoolExecutor(1, 1, 2, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon("jnet-netns-worker"));
        ex.allowCoreThreadTimeOut(true);
        return ex;
    }

    /** Daemon threads named {@code name}. */
    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            // tasks run inside FutureTasks, which keep every failure for the caller: the only
            // thing that escapes is a StrandedThread, which ends its thread on purpose
            t.setUncaughtExceptionHandler((th, e) -> { });
            return t;
        };
    }

    private static <T> T result(Future<T> future) throws Exception {
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
