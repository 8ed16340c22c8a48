package dev.jnet.rtnl;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Syscalls;
import dev.jnet.netns.NetnsManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The namespace an {@link RtnlHandle} works on, for what netlink cannot do from outside it
 * (creating a tun/tap device needs a thread inside): either a manager's named namespace, or the
 * namespace of the thread that opened the handle, kept open; or none (an adopted socket).
 */
final class HandleNamespace implements AutoCloseable {
    static final HandleNamespace NONE = new HandleNamespace(null, null, null, 0);

    private final NetnsManager manager;
    private final String nsName;
    private final Fd ownNs;
    private final long ownNsInode;

    private HandleNamespace(NetnsManager manager, String nsName, Fd ownNs, long ownNsInode) {
        this.manager = manager;
        this.nsName = nsName;
        this.ownNs = ownNs;
        this.ownNsInode = ownNsInode;
    }

    /** {@code manager}'s namespace {@code name}. */
    static HandleNamespace named(NetnsManager manager, String name) {
        return new HandleNamespace(manager, name, null, 0);
    }

    /** The calling thread's namespace, held open until {@link #close()}. */
    static HandleNamespace ofThread() {
        return new HandleNamespace(null, null, Fd.open("/proc/thread-self/ns/net", Syscalls.O_RDONLY),
                threadNetnsInode());
    }

    /** Runs {@code task} on a thread in this namespace (the calling one when it already is). */
    void run(Runnable task) {
        if (manager == null && ownNs == null) {
            throw new RtnlException(RtnlException.Kind.INVALID_ARGUMENT,
                    "tun/tap devices cannot be created through an adopted netlink socket (a rootless namespace's)");
        }
        if (manager != null) {
            try {
                manager.call(nsName, () -> {
                    task.run();
                    return null;
                });
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return;
        }
        if (threadNetnsInode() == ownNsInode) {
            task.run();
            return;
        }
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread th = new Thread(() -> {
            try {
                Syscalls.setns(ownNs.get(), Syscalls.CLONE_NEWNET, "the handle's namespace");
                task.run();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "jnet-rtnl-netns");
        th.setDaemon(true);
        th.start();
        try {
            th.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private static long threadNetnsInode() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino")).longValue();
        } catch (IOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        if (ownNs != null) {
            ownNs.close();
        }
    }
}
