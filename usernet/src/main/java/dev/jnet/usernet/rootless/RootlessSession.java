package dev.jnet.usernet.rootless;

import dev.jnet.linux.Helper;
import dev.jnet.linux.PrivateDirs;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.usernet.StackFactory;
import dev.jnet.usernet.Usernet;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.UsernetException;
import dev.jnet.usernet.forward.HostForward;
import dev.jnet.usernet.guest.GuestTarget;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.userns.IdMapping;
import dev.jnet.userns.StagedChild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One {@code jnet rootless} run: CMD in a new user, network and mount namespace, online through
 * a usernet stack this JVM serves on the namespace's {@code tap0}.
 *
 * <ol>
 * <li>jnet-helper (our stdio) unshares a user namespace and stops until we have written its id
 * maps (newuidmap needs its pid);</li>
 * <li>it unshares the network and mount namespaces, mounts a sysfs of its own netns on /sys and
 * a resolv.conf naming the stack's DNS address on /etc/resolv.conf (as rootlesskit does), and
 * stops again;</li>
 * <li>we give it a configured tap0 and start the stack, then let it exec CMD;</li>
 * <li>CMD's exit (the stack watches the child's pidfd too) ends the run: what CMD left running in
 * its user namespace is killed, the stack, the tap and the loop close, the namespaces go, and
 * CMD's status is ours.</li>
 * </ol>
 * The helper dies with us (SIGKILL on parent death). Signals for CMD (a caller passes on its
 * SIGINT and SIGTERM) go through {@link #signal(int)}. Nothing is printed: failures are
 * {@link RootlessException}s, the helper's own set-up failures its (inherited) stderr's.
 */
public final class RootlessSession {
    /** What {@link #run()} returns when the helper failed a set-up step (it printed why). */
    public static final int SETUP_FAILED = 1;
    /** The guest's interface. */
    public static final String TAP = "tap0";

    private final UsernetConfig config;
    private final List<HostForward> forwards;
    private final List<String> command;
    private final StackFactory stack;
    private final String tap;
    private final boolean bindResolvConf;
    private Attach attach;
    private final AtomicReference<StagedChild> running = new AtomicReference<>();
    /** A stop signal that came before the child existed: sent to it as soon as it does. */
    private final AtomicInteger early = new AtomicInteger();

    /**
     * @param config the stack's settings (network, MTU, DNS address written to the guest's resolv.conf)
     * @param forwards host ports forwarded to the guest, added before CMD starts
     * @param command CMD and its arguments
     * @param stack what serves the tap
     */
    public RootlessSession(UsernetConfig config, List<HostForward> forwards, List<String> command,
            StackFactory stack) {
        this(config, forwards, command, stack, TAP, true);
    }

    /**
     * As {@link #RootlessSession(UsernetConfig, List, List, StackFactory)}, the guest's interface
     * named {@code tap}; {@code bindResolvConf} false leaves the guest the host's /etc/resolv.conf
     * (as pasta does: it never rewrites it).
     */
    public RootlessSession(UsernetConfig config, List<HostForward> forwards, List<String> command,
            StackFactory stack, String tap, boolean bindResolvConf) {
        this.config = config;
        this.forwards = List.copyOf(forwards);
        this.command = List.copyOf(command);
        this.stack = stack;
        this.tap = tap;
        this.bindResolvConf = bindResolvConf;
    }

    /**
     * What a caller adds to the run once the stack serves the namespace, before CMD starts
     * (e.g. listeners inside the namespace); what it returns is closed when the run ends, before
     * the stack. A failure fails the run, nothing left behind.
     */
    @FunctionalInterface
    public interface Attach {
        AutoCloseable attach(GuestTarget target, Usernet usernet) throws Exception;
    }

    /** Runs {@code a} once the stack serves the namespace, before CMD starts; returns this. */
    public RootlessSession attach(Attach a) {
        this.attach = a;
        return this;
    }

    /**
     * Runs CMD and returns its exit status (128+N for signal N). A set-up step the helper failed
     * (it printed why) returns {@link #SETUP_FAILED}.
     *
     * @throws RootlessException for our own failures, after cleaning up
     */
    public int run() throws InterruptedException {
        Path resolvConf = bindResolvConf ? writeResolvConf() : null;
        StagedChild child = null;
        Usernet usernet = null;
        AutoCloseable attached = null;
        try {
            Helper.Command steps = Helper.command().dieWithParent().unshareUserUnmapped().unshareNet().unshareMount()
                    .remountSys();
            if (resolvConf != null) {
                steps = steps.bind(resolvConf.toString(), "/etc/resolv.conf");
            }
            List<String> line = steps.stop().exec(command);
            child = StagedChild.start(line);
            running.set(child);
            if (early.get() != 0) {
                child.signal(early.get());
            }
            if (!child.awaitStop()) {
                return setupFailed(child);
            }
            mapIds(child);
            child.resume();
            if (!child.awaitStop()) {
                return setupFailed(child);
            }
            deleteQuietly(resolvConf); // the child's /etc/resolv.conf keeps the file's content
            try {
                usernet = Usernet.start(new Usernet.Options(GuestTarget.ofPid(child.pid()), tap, true, config, -1, stack));
            } catch (UsernetException e) {
                throw new RootlessException(RootlessException.Kind.STACK, e.getMessage(), e);
            }
            addForwards(usernet);
            attached = attach == null ? null : attachTo(GuestTarget.ofPid(child.pid()), usernet);
            child.resume();
            int status = child.waitFor();
            running.set(null);
            child.killLeftovers();
            return status;
        } catch (SyscallException | UncheckedIOException e) {
            throw new RootlessException(RootlessException.Kind.SETUP, e.getMessage(), e);
        } finally {
            running.set(null);
            if (child != null) {
                child.close(); // kills it if we fail before it ran CMD
                child.killLeftovers();
            }
            closeQuietly(attached);
            if (usernet != null) {
                usernet.close();
            }
            deleteQuietly(resolvConf);
        }
    }

    private AutoCloseable attachTo(GuestTarget target, Usernet usernet) {
        try {
            return attach.attach(target, usernet);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RootlessException(RootlessException.Kind.SETUP, String.valueOf(e.getMessage()), e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // the run is over: nothing to tell CMD's caller about
        }
    }

    private static final long FORWARD_TIMEOUT_SECONDS = 10;

    /**
     * The host forwards, added to the running stack before CMD starts: a host port in use fails
     * the run here, with nothing left behind.
     */
    private void addForwards(Usernet usernet) {
        for (int i = 0; i < forwards.size(); i++) {
            try {
                usernet.forwarding().add(forwards.get(i)).get(FORWARD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new RootlessException(RootlessException.Kind.FORWARD, e.getCause().getMessage(), i, e.getCause());
            } catch (TimeoutException e) {
                throw new RootlessException(RootlessException.Kind.FORWARD, "the stack did not answer", i, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RootlessException(RootlessException.Kind.FORWARD, "interrupted", i, e);
            }
        }
    }

    /** How the helper's set-up failure or a signal during set-up ends the run. */
    private static int setupFailed(StagedChild child) throws InterruptedException {
        int status = child.waitFor();
        return status > 128 ? status : SETUP_FAILED;
    }

    private static void mapIds(StagedChild child) {
        int uid = Syscalls.geteuid();
        int gid = Syscalls.getegid();
        IdMapping mapping = IdMapping.forCurrentUser(uid, gid, System.getProperty("user.name"));
        try {
            mapping.apply(child.pid(), uid == 0);
        } catch (IdMapping.IdMappingException e) {
            throw new RootlessException(RootlessException.Kind.ID_MAPPING, "mapping the ids of the user namespace: " + e.getMessage(), e);
        }
    }

    /** The guest's resolv.conf: the stack's DNS address, which forwards to our resolvers. */
    private Path writeResolvConf() {
        try {
            Path dir = PrivateDirs.runtimeDir();
            PrivateDirs.ensurePrivate(dir);
            Path f = Files.createTempFile(dir, "rootless-", ".resolv.conf",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
            Files.writeString(f, "nameserver " + Ipv4Packet.addressToString(config.dnsAddress()) + "\n",
                    StandardCharsets.US_ASCII);
            return f;
        } catch (IOException e) {
            throw new RootlessException(RootlessException.Kind.RESOLV_CONF, "writing the guest's resolv.conf: " + e.getMessage(), e);
        }
    }

    /**
     * Sends signal {@code signo} to CMD (a stopped child gets it once it goes on); before the
     * child exists, it is sent as soon as it does. Safe from any thread, e.g. a signal handler's.
     */
    public void signal(int signo) {
        StagedChild c = running.get();
        if (c == null) {
            early.compareAndSet(0, signo);
            return;
        }
        try {
            c.signal(signo);
        } catch (RuntimeException ended) {
            // the child is being reaped: nothing left to tell
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // in our private runtime directory: harmless if it stays
        }
    }
}
