package dev.jnet.usernet;

import dev.jnet.linux.Errno;
import dev.jnet.linux.Fd;
import dev.jnet.linux.FdLimit;
import dev.jnet.linux.Helper;
import dev.jnet.linux.Sandbox;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.rtnl.RtnlHandle;
import dev.jnet.usernet.forward.PortForwarding;
import dev.jnet.usernet.guest.GuestLinkSetup;
import dev.jnet.usernet.guest.GuestTarget;
import dev.jnet.usernet.link.Neighbours;
import dev.jnet.usernet.link.TapLink;
import dev.jnet.usernet.link.TapOffload;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One guest namespace put online: its tap (opened inside its namespaces by jnet-helper, or
 * attached to when it exists), optionally configured as slirp4netns {@code --configure} does,
 * served by a stack on a one-thread epoll event loop. Ends when asked ({@link #close}), when
 * the exit fd reaches end of file, when the target process exits, or when the tap fails;
 * {@link #exited()} says which. The library prints nothing and never exits the JVM.
 */
public final class Usernet implements AutoCloseable {
    /**
     * What to serve.
     *
     * @param target     the guest's namespaces
     * @param tapName    the tap device inside them (created if missing, attached to if it exists)
     * @param configure  bring the tap up with address, MTU, MAC and default route (slirp4netns -c)
     * @param config     addresses, MTU and the stack's settings
     * @param exitFd     stop when this fd (taken over) reaches end of file or hangs up; -1 for none
     * @param stack      makes the stack that serves the link
     */
    public record Options(GuestTarget target, String tapName, boolean configure, UsernetConfig config, int exitFd,
            StackFactory stack) {
        public Options {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(tapName, "tapName");
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(stack, "stack");
        }
    }

    /** Why a running usernet stopped serving. */
    public enum Reason {
        /** {@link #close()} was called. */
        CLOSED,
        /** The exit fd reached end of file or hung up. */
        EXIT_FD,
        /** The target process exited. */
        TARGET_GONE,
        /** The tap could not be read any more (e.g. the device was deleted). */
        LINK_FAILED,
        /**
         * The event loop's thread ended while serving (an Error escaped Netty's loop): the guest
         * has no network any more; the cause is the loop thread's uncaught throwable when known.
         */
        LOOP_FAILED
    }

    /** How it ended: the reason, and for {@link Reason#LINK_FAILED} and {@link Reason#LOOP_FAILED} the error. */
    public record Exit(Reason reason, Throwable cause) {}

    private final MultiThreadIoEventLoopGroup group;
    private final IoEventLoop loop;
    private final CompletableFuture<Exit> exited = new CompletableFuture<>();
    private final List<FdWatch> watches = new ArrayList<>(2);
    private volatile Thread loopThread;
    /** Completes {@link #exited} if the loop's thread ends unasked; ends right after it. */
    private volatile Thread watchdog;
    private volatile Throwable loopDeath;
    private TapLink link;
    private AutoCloseable stackStop;
    private PortForwarding forwarding;
    private volatile java.util.function.Supplier<StackStats> stackStats;
    private volatile java.util.function.Supplier<List<FlowInfo>> stackFlows;
    private volatile boolean closed;

    private Usernet(MultiThreadIoEventLoopGroup group) {
        this.group = group;
        this.loop = (IoEventLoop) group.next();
    }

    /** Served on a loop someone else owns (a daemon's shared group): {@link #close} leaves the loop running. */
    private Usernet(IoEventLoop loop) {
        this.group = null;
        this.loop = loop;
    }

    /**
     * Serves a tap someone else opened (a front end that entered the guest's namespaces and
     * passed the fd over a unix socket) on {@code loop}, which the caller owns and may share
     * with other guests: each guest still has its own stack, tables, limits and forwards. With
     * {@code rtnl} (a route socket opened in the guest's namespaces) the tap is configured as
     * slirp4netns {@code --configure} does; it is closed here either way. Ends only by
     * {@link #close} or when the tap or the stack fails ({@link Reason#LINK_FAILED}); the
     * caller watches the front end. The guest's link joins {@code neighbours} (the other guests
     * of this process, null: none), so that a guest opening host sockets faster than its
     * {@link dev.jnet.usernet.link.OpenBudget} lets is not read for a while when others are active.
     *
     * @throws UsernetException one line saying what failed; {@code tap} and {@code rtnl} are closed then
     */
    public static Usernet serve(IoEventLoop loop, Neighbours neighbours, Fd tap, Fd rtnl, String tapName,
            UsernetConfig config, StackFactory stack) {
        Usernet u = null;
        boolean ok = false;
        try {
            if (rtnl != null) {
                try (RtnlHandle h = RtnlHandle.adopt(rtnl)) {
                    rtnl = null;
                    GuestLinkSetup.configure(h, tapName, config);
                } catch (SyscallException e) {
                    throw new UsernetException(UsernetException.Kind.CONFIGURE,
                            "configuring " + tapName + ": " + e.getMessage(), e);
                }
            }
            Syscalls.setNonBlocking(tap.get(), "tap " + tapName);
            u = new Usernet(loop);
            u.run(config, stack, tap, null, -1, neighbours);
            ok = true;
            return u;
        } catch (SyscallException | UncheckedIOException e) {
            throw new UsernetException(UsernetException.Kind.RUNTIME, e.getMessage(), e);
        } finally {
            if (!ok) {
                if (u != null) {
                    u.close();
                }
                closeQuietly(tap);
                closeQuietly(rtnl);
            }
        }
    }

    /**
     * Opens (and with {@code configure} sets up) the guest's tap, starts the loop and the stack,
     * and returns once frames flow: the moment to signal readiness.
     *
     * @throws UsernetException one line saying what failed; nothing is left open or running
     */
    public static Usernet start(Options options) {
        Fd pidfd = null;
        Fd tap = null;
        Usernet u = null;
        boolean ok = false;
        LoopThreads threads = loopThreads("jnet-usernet"); // a bad setting fails before anything is opened
        try {
            if (options.exitFd() >= 0) {
                requireWatchable(options.exitFd(), "exit-fd");
            }
            if (options.target().process().isPresent()) {
                pidfd = openPidfd(options.target().process().get());
            }
            if (options.target() instanceof GuestTarget.Inherited inherited) {
                tap = Fd.adopt(inherited.tapFd(), "tap " + options.tapName()); // configured before the exec
            } else {
                tap = openLink(options);
            }
            Syscalls.setNonBlocking(tap.get(), "tap " + options.tapName());
            prepareProcess();
            u = new Usernet(new MultiThreadIoEventLoopGroup(1, threads, KeepRegisteredEpollIoHandler.newFactory()));
            u.watchLoopThread();
            u.run(options.config(), options.stack(), tap, pidfd, options.exitFd(), null); // hands tap and pidfd on: closing them again below is a no-op
            ok = true;
            return u;
        } catch (SyscallException | UncheckedIOException e) {
            // the rest: fcntl on the tap, starting jnet-helper
            throw new UsernetException(UsernetException.Kind.RUNTIME, e.getMessage(), e);
        } finally {
            if (!ok) {
                if (u != null) {
                    u.close();
                }
                closeQuietly(tap);
                closeQuietly(pidfd);
            }
        }
    }

    /**
     * Opens the guest's tap and, with {@code configure}, sets it up, without serving it: what a
     * process does before it execs itself into a sandbox that could no longer reach the guest's
     * namespaces (the fd then crosses the exec: {@link GuestTarget#inherited}).
     *
     * @throws UsernetException one line saying what failed; nothing is left open
     */
    public static Fd openLink(Options options) {
        Fd tap = null;
        boolean ok = false;
        try {
            tap = openTap(options.target(), options.tapName());
            if (options.configure()) {
                configure(options.target(), options.tapName(), options.config());
            }
            ok = true;
            return tap;
        } catch (SyscallException | UncheckedIOException e) {
            throw new UsernetException(UsernetException.Kind.RUNTIME, e.getMessage(), e);
        } finally {
            if (!ok) {
                closeQuietly(tap);
            }
        }
    }

    /**
     * What a process serving guests needs once before the first ({@link #serve}): Netty's native
     * epoll, the classes warning paths load (they may fail to load when fds run out later), and
     * every fd the kernel allows (each guest flow holds a host fd).
     *
     * @throws UsernetException when Netty's native epoll is unavailable
     */
    public static void prepareProcess() {
        try {
            Epoll.ensureAvailability();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new UsernetException(UsernetException.Kind.RUNTIME, "Netty's native epoll is unavailable: "
                    + Epoll.unavailabilityCause(), e);
        }
        Preload.loggingAndTimeZone();
        FdLimit.raiseSoftToHard();
        ProcessStats.now();
    }

    /** Event loops for a process serving many guests ({@link #serve}), from a thread in the host's netns. */
    public static MultiThreadIoEventLoopGroup newSharedLoops(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, loopThreads("jnet-usernetd"), KeepRegisteredEpollIoHandler.newFactory());
    }

    /** The loops' threads ({@link LoopThreads}); a bad {@value LoopThreads#PROPERTY} is a configuration error. */
    private static LoopThreads loopThreads(String prefix) {
        try {
            return LoopThreads.named(prefix);
        } catch (IllegalArgumentException e) {
            throw new UsernetException(UsernetException.Kind.CONFIGURE, e.getMessage(), e);
        }
    }

    /**
     * A daemon thread that waits for the loop's thread to end: if it ends while we serve, usernet
     * has exited with {@link Reason#LOOP_FAILED}. Depends on nothing the loop does (a dead loop
     * runs no tasks and may never complete its termination future).
     */
    private void watchLoopThread() {
        try {
            loopThread = loop.submit(() -> {
                Thread t = Thread.currentThread();
                Thread.UncaughtExceptionHandler previous = t.getUncaughtExceptionHandler();
                t.setUncaughtExceptionHandler((thread, e) -> {
                    loopDeath = e;
                    try {
                        previous.uncaughtException(thread, e);
                    } catch (Throwable ignored) {
                        // printing may fail for the very reason the loop died (no fds)
                    }
                });
                return t;
            }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsernetException(UsernetException.Kind.RUNTIME, "interrupted while starting the event loop", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new UsernetException(UsernetException.Kind.RUNTIME, "starting the event loop: " + e, e);
        }
        Thread watchdog = new Thread(() -> {
            Thread t = loopThread;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (!closed) {
                Throwable cause = loopDeath;
                exited.complete(new Exit(Reason.LOOP_FAILED,
                        cause != null ? cause : new IllegalStateException("the event loop's thread ended")));
            }
        }, "jnet-usernet-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        this.watchdog = watchdog;
    }

    /**
     * An exit fd must be one we inherited that epoll can watch (a pipe, socket, FIFO or event):
     * an fd number that is not open, or the JVM's own file (a jar), is refused before we own it.
     */
    private static void requireWatchable(int fd, String what) {
        Path link = Path.of("/proc/self/fd", Integer.toString(fd));
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new UsernetException(UsernetException.Kind.INVALID_ARGUMENT, what + " " + fd + " is not open");
        }
        if (isRegular(link)) {
            throw new UsernetException(UsernetException.Kind.INVALID_ARGUMENT,
                    what + " " + fd + " is a regular file (" + target + "): it cannot signal the end");
        }
    }

    private static boolean isRegular(Path procFdLink) {
        try {
            return Files.readAttributes(procFdLink, java.nio.file.attribute.BasicFileAttributes.class).isRegularFile();
        } catch (IOException e) {
            return false;
        }
    }

    private static Fd openPidfd(long pid) {
        try {
            return Fd.adopt(Syscalls.pidfdOpen(pid), "pidfd of " + pid);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ESRCH || e.errno() == Errno.EINVAL) {
                throw new UsernetException(UsernetException.Kind.TARGET, "no process with PID " + pid, e);
            }
            throw new UsernetException(UsernetException.Kind.TARGET, e.getMessage(), e);
        }
    }

    private static Fd openTap(GuestTarget target, String name) {
        if (target instanceof GuestTarget.Preopened preopened) {
            Optional<Fd> tap = preopened.take(name);
            if (tap.isPresent()) {
                return tap.get();
            }
            target = preopened.target();
        }
        try {
            return target.enter().takeTap(name, TapOffload.wanted()); // offloads: TapOffload.enable in run
        } catch (Helper.HelperException e) {
            String m = e.getMessage();
            boolean tapStep = m.contains("TUNSETIFF") || m.contains("/dev/net/tun") || m.startsWith("invalid tap name");
            throw new UsernetException(tapStep ? UsernetException.Kind.TAP : UsernetException.Kind.TARGET, m, e);
        }
    }

    /** Through a route socket jnet-helper makes inside the guest's namespaces (it has the privileges there). */
    private static void configure(GuestTarget target, String tap, UsernetConfig config) {
        Fd socket;
        try {
            socket = target.enter().takeSocket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
        } catch (Helper.HelperException e) {
            throw new UsernetException(UsernetException.Kind.TARGET, e.getMessage(), e);
        }
        try (RtnlHandle rtnl = RtnlHandle.adopt(socket)) {
            GuestLinkSetup.configure(rtnl, tap, config);
        } catch (SyscallException e) {
            throw new UsernetException(UsernetException.Kind.CONFIGURE, "configuring " + tap + ": " + e.getMessage(), e);
        }
    }

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;

    private void run(UsernetConfig config, StackFactory factory, Fd tap, Fd pidfd, int exitFd, Neighbours neighbours) {
        ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        int vnet;
        try {
            vnet = TapOffload.enable(tap);
        } catch (SyscallException | IllegalStateException e) {
            tap.close();
            throw new UsernetException(UsernetException.Kind.TAP, "tap offloads: " + e.getMessage(), e);
        }
        EventLoopScheduler scheduler = new EventLoopScheduler(loop);
        StackFactory.Attached stack;
        try {
            // the tap's registration and the stack in one task on the loop: one thread hop, not
            // two (a warm usernetd attach is a few ms; each hop is a wake-up on a busy machine)
            stack = loop.submit(() -> {
                link = TapLink.register(loop, tap, config.mtu(), vnet, alloc, TapLink.DEFAULT_TX_QUEUE,
                        cause -> exited.complete(new Exit(Reason.LINK_FAILED, cause)), neighbours);
                StackFactory.Attached s = factory.create(config, scheduler, link);
                link.start(s.frames());
                return s;
            }).get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw new UsernetException(UsernetException.Kind.RUNTIME, io.getMessage(), io);
            }
            throw new UsernetException(UsernetException.Kind.RUNTIME, "starting the stack: " + c, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsernetException(UsernetException.Kind.RUNTIME, "interrupted while starting the stack", e);
        }
        stackStop = stack.stop();
        forwarding = stack.forwarding();
        stackStats = stack.stats();
        stackFlows = stack.flows();
        if (pidfd != null) {
            watches.add(FdWatch.register(loop, pidfd, "the target process",
                    () -> exited.complete(new Exit(Reason.TARGET_GONE, null))));
        }
        if (exitFd >= 0) {
            watches.add(FdWatch.register(loop, Fd.adopt(exitFd, "exit-fd"), "exit-fd " + exitFd,
                    () -> exited.complete(new Exit(Reason.EXIT_FD, null))));
        }
    }

    /** Completes when usernet stops serving (the stack keeps its state until {@link #close}). */
    public CompletableFuture<Exit> exited() {
        return exited;
    }

    /**
     * The stack's port forwards: thread-safe, every call returns a future completed on the loop
     * ({@code jnet rootless --publish}, the API socket). {@code null} when the stack factory's
     * stack has none.
     */
    public PortForwarding forwarding() {
        return forwarding;
    }

    /** The guest link (frame counters); read them on {@link #eventLoop()}. */
    public TapLink link() {
        return link;
    }

    /**
     * The stack's counters and table sizes now (from any thread: the loop answers), or empty
     * when its {@link StackFactory} shows none or usernet has been closed.
     */
    public java.util.Optional<StackStats> stats() {
        java.util.function.Supplier<StackStats> s = stackStats;
        if (s == null || closed || loop.isShuttingDown()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(s.get());
    }

    /** The stack's flows now (from any thread), or empty as for {@link #stats()}. */
    public java.util.Optional<List<FlowInfo>> flows() {
        java.util.function.Supplier<List<FlowInfo>> f = stackFlows;
        if (f == null || closed || loop.isShuttingDown()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(f.get());
    }

    /** What the whole process holds now (direct memory, fds and their limit); from any thread. */
    public ProcessStats processStats() {
        return ProcessStats.now();
    }

    /** The loop that owns the link and the stack. */
    public IoEventLoop eventLoop() {
        return loop;
    }

    /** The user and group a root usernet switches to under {@code --enable-sandbox} (nobody/nogroup). */
    public static final int SANDBOX_ID = 65534;

    /**
     * Sandboxes this process once the tap and netlink sockets are open (as slirp4netns
     * {@code --enable-sandbox}/{@code --enable-seccomp}): no_new_privs; with
     * {@code dropCapabilities}, run as root (uid 0 in its user namespace, where uid and gid
     * {@value #SANDBOX_ID} are mapped), every thread switches to {@value #SANDBOX_ID} and loses
     * its capabilities except the event loop, which keeps CAP_NET_BIND_SERVICE for port forwards
     * below 1024 (slirp4netns keeps that one too); otherwise no capabilities on the threads that
     * run jnet code (the calling thread and the event loop: capabilities are per thread, and an
     * unprivileged user has none); then the seccomp deny filter on every thread, which also
     * carries no_new_privs to every thread (it is per thread too).
     *
     * @throws UsernetException ({@link UsernetException.Kind#RUNTIME}) when a step fails; the
     *         message names the system call and the errno
     */
    public void sandbox(boolean dropCapabilities) {
        try {
            Sandbox.noNewPrivs();
            if (dropCapabilities) {
                boolean switchUser = Syscalls.geteuid() == 0 && SandboxIds.mapped(SANDBOX_ID);
                if (switchUser) {
                    Preload.classPathJars(); // 65534 may not be able to open them later (a 0700 home)
                    // every thread still holds CAP_SETUID here, as glibc's all-thread setresuid needs
                    onLoop(() -> Sandbox.prepareToKeep(Sandbox.CAP_NET_BIND_SERVICE));
                    Sandbox.switchUser(SANDBOX_ID, SANDBOX_ID);
                    onLoop(() -> Sandbox.keepOnly(Sandbox.CAP_NET_BIND_SERVICE));
                } else {
                    onLoop(Sandbox::dropCapabilities);
                }
                Sandbox.dropCapabilities();
            }
            Sandbox.denySyscalls();
        } catch (SyscallException e) {
            throw new UsernetException(UsernetException.Kind.RUNTIME, e.getMessage(), e);
        }
    }

    private void onLoop(Runnable task) {
        try {
            loop.submit(task).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SyscallException s ? s : new IllegalStateException(e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("sandboxing the event loop's thread", e);
        }
    }

    /**
     * slirp4netns's readiness signal: writes "1" to {@code fd} and closes it.
     *
     * @throws UsernetException ({@link UsernetException.Kind#INVALID_ARGUMENT}) when the fd
     *         cannot be written or closed
     */
    public static void signalReady(int fd) {
        try {
            Syscalls.write(fd, "1".getBytes(StandardCharsets.US_ASCII), "ready-fd " + fd);
            Syscalls.close(fd);
        } catch (SyscallException e) {
            throw new UsernetException(UsernetException.Kind.INVALID_ARGUMENT, e.getMessage(), e);
        }
    }

    /**
     * Stops the stack, closes the tap (the device goes away with it unless persistent) and the
     * watched fds, and ends the loop's thread. Idempotent; not to be called on the loop.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        exited.complete(new Exit(Reason.CLOSED, null));
        Thread t = loopThread;
        boolean loopAlive = t == null || t.isAlive();
        if (loopAlive && !loop.isShutdown()) {
            try {
                loop.submit(this::closeOnLoop).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the loop is gone or stuck: shutting the group down below still ends its thread
            }
        }
        if (group == null) {
            return; // a shared loop: its owner ends it
        }
        // bounded: a loop thread that died never completes the group's termination, and the
        // process is about to exit anyway (its fds, the tap among them, close with it)
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        // the group's termination completes on the loop's thread just before that thread ends, and
        // the watchdog ends after it: wait for both, so that close() returning means no thread is left
        joinBounded(t);
        joinBounded(watchdog);
    }

    private static void joinBounded(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How long {@link #close} waits for the loop to close the stack, and then for it to end. */
    private static final long CLOSE_WAIT_SECONDS = 3;

    private void closeOnLoop() {
        for (FdWatch w : watches) {
            w.close();
        }
        if (stackStop != null) {
            try {
                stackStop.close();
            } catch (Exception ignored) {
                // the stack's own failure to stop must not keep the tap open
            }
        }
        if (link != null) {
            link.close();
        }
    }

    private static void closeQuietly(Fd fd) {
        if (fd != null) {
            try {
                fd.close();
            } catch (RuntimeException ignored) {
                // already failing: the first error is the one to report
            }
        }
    }
}
