package dev.jnet.usernet.forward;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Helper;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.guest.GuestTarget;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * TCP sockets (non-blocking, close-on-exec; IPv4, or IPv6 reaching IPv4 addresses too as
 * IPv4-mapped ones) made inside the guest's network namespace,
 * for connections this process opens there (pasta's splice to the namespace's loopback). Each
 * is made by jnet-helper, which enters the namespace and hands the socket over (a process
 * start, about a millisecond or more: too slow and blocking for the stack's loop), so a few
 * are made ahead on a thread of their own and kept ready: {@link #take()} hands one out at
 * once while the pool has one, and the thread makes the next meanwhile. When the pool is empty
 * the request queues for the thread, at most {@link #MAX_WAITING} at once (more fail at once:
 * the caller falls back). Thread-safe.
 */
public final class NamespaceSockets implements AutoCloseable {
    /** Sockets kept ready. */
    public static final int POOL = 4;
    /** Requests waiting for a socket at most. */
    public static final int MAX_WAITING = 256;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_STREAM = 1;

    private final GuestTarget target;
    private final int family;
    private final ArrayBlockingQueue<Fd> ready = new ArrayBlockingQueue<>(POOL);
    private final AtomicBoolean refilling = new AtomicBoolean();
    private final ExecutorService maker;
    private volatile boolean closed;

    private NamespaceSockets(GuestTarget target, int family) {
        this.target = target;
        this.family = family;
        this.maker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(MAX_WAITING + 1),
                r -> {
                    Thread t = new Thread(r, "jnet-ns-sockets");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Starts making sockets in {@code target}'s network namespace: IPv6 ones (which connect to
     * IPv4 addresses too) when {@code ipv6}, the namespace having IPv6, else IPv4 ones.
     */
    public static NamespaceSockets open(GuestTarget target, boolean ipv6) {
        NamespaceSockets s = new NamespaceSockets(target, ipv6 ? AF_INET6 : AF_INET);
        s.refill();
        return s;
    }

    /**
     * A socket made in the namespace: at once when one is ready, else once the thread made one;
     * fails (the helper's reason, or too many waiting, or closed) when none can be had. The
     * caller owns it and must close it (or give it to a channel that will).
     */
    public CompletableFuture<Fd> take() {
        Fd fd = ready.poll();
        if (fd != null) {
            refill();
            return CompletableFuture.completedFuture(fd);
        }
        CompletableFuture<Fd> out = new CompletableFuture<>();
        try {
            maker.execute(() -> {
                try {
                    out.complete(make());
                } catch (RuntimeException e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            out.completeExceptionally(new ForwardException(ForwardException.Kind.UNAVAILABLE,
                    closed ? "closed" : "too many connections waiting for a namespace socket", e));
        }
        refill();
        return out;
    }

    /** Queues one round of making sockets until the pool is full, unless one is queued already. */
    private void refill() {
        if (closed || !refilling.compareAndSet(false, true)) {
            return;
        }
        try {
            maker.execute(() -> {
                refilling.set(false);
                while (!closed && ready.remainingCapacity() > 0) {
                    Fd fd;
                    try {
                        fd = make();
                    } catch (RuntimeException e) {
                        return; // a later take() asks again and reports why
                    }
                    if (!ready.offer(fd)) {
                        fd.close();
                    }
                }
                if (closed) {
                    drain();
                }
            });
        } catch (RejectedExecutionException e) {
            refilling.set(false);
        }
    }

    private Fd make() {
        if (closed) {
            throw new ForwardException(ForwardException.Kind.UNAVAILABLE, "closed");
        }
        Fd fd;
        try {
            fd = target.enter().takeSocket(family, SOCK_STREAM | Syscalls.SOCK_CLOEXEC, 0);
        } catch (Helper.HelperException e) {
            throw new ForwardException(ForwardException.Kind.UNAVAILABLE, "opening a socket in the namespace: "
                    + e.getMessage(), e);
        }
        try {
            Syscalls.setNonBlocking(fd.get(), "namespace socket");
            return fd;
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private void drain() {
        for (Fd fd = ready.poll(); fd != null; fd = ready.poll()) {
            fd.close();
        }
    }

    /** Stops making sockets and closes the ready ones; waiting requests fail. */
    @Override
    public void close() {
        closed = true;
        maker.shutdown();
        try {
            maker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain();
    }
}
