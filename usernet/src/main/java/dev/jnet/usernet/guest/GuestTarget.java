package dev.jnet.usernet.guest;

import dev.jnet.linux.Fd;
import dev.jnet.linux.Helper;
import dev.jnet.linux.SyscallException;
import dev.jnet.linux.Syscalls;
import dev.jnet.netns.NsIdentity;
import dev.jnet.usernet.link.TapOffload;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The namespaces a guest link goes into, named as slirp4netns names them: a process
 * ({@code --netns-type=pid}, its user and network namespaces) or a network namespace file
 * ({@code --netns-type=path}, with an optional user namespace file, {@code --userns-path}).
 */
public sealed interface GuestTarget {
    /** The jnet-helper steps that enter these namespaces (the user namespace only when it is not ours). */
    Helper.Command enter();

    /** The process whose end should end the stack, if the target is one. */
    Optional<Long> process();

    /** Process {@code pid}'s namespaces: {@code /proc/PID/ns/user} and {@code /proc/PID/ns/net}. */
    static GuestTarget ofPid(long pid) {
        return new ByPid(pid);
    }

    /** The network namespace at {@code netns}, entered from user namespace {@code userns} if not null. */
    static GuestTarget ofPath(Path netns, Path userns) {
        return new ByPath(netns, userns);
    }

    /**
     * A tap already open as {@code tapFd}, made (and configured) by this process before it
     * exec'd itself into a sandbox (usernet {@code --enable-sandbox}): nothing to enter.
     */
    static GuestTarget inherited(int tapFd, Optional<Long> process) {
        return new Inherited(tapFd, process);
    }

    /**
     * {@code target}, whose tap a stage before this JVM opened already as {@code tapFd}
     * (native/src/main/c/jnet-usernet-stage.h, for a standalone {@code jnet usernet}): the tap
     * appears within milliseconds of the start instead of after the JVM's. The namespaces stay
     * {@code target}'s (configuring the tap enters them).
     */
    static GuestTarget preopened(GuestTarget target, int tapFd) {
        return new Preopened(target, tapFd);
    }

    record Preopened(GuestTarget target, int tapFd) implements GuestTarget {
        /** Set by the stage on the JVM it execs: the open tap's fd. */
        public static final String PROPERTY = "jnet.usernet.tap";

        public Preopened {
            if (target instanceof Preopened || target instanceof Inherited) {
                throw new IllegalArgumentException("a preopened tap needs the namespaces it is in: " + target);
            }
        }

        @Override
        public Helper.Command enter() {
            return target.enter();
        }

        @Override
        public Optional<Long> process() {
            return target.process();
        }

        /**
         * The fd, if it is tap {@code name} (TUNGETIFF), closed on exec from now on; else empty,
         * with the fd closed: then {@code target}'s tap is to be opened as usual.
         *
         * @throws SyscallException when the fd cannot be marked close-on-exec
         */
        public Optional<Fd> take(String name) {
            Fd fd = Fd.adopt(tapFd, "tap " + name);
            if (!TapOffload.interfaceName(fd).filter(name::equals).isPresent()) {
                fd.close();
                return Optional.empty();
            }
            Syscalls.setCloseOnExec(tapFd, true, "tap " + name);
            return Optional.of(fd);
        }
    }

    record Inherited(int tapFd, Optional<Long> process) implements GuestTarget {
        @Override
        public Helper.Command enter() {
            throw new IllegalStateException("the tap of this target is open already (fd " + tapFd + ")");
        }
    }

    record ByPid(long pid) implements GuestTarget {
        public ByPid {
            if (pid <= 0) {
                throw new IllegalArgumentException("PID must be a positive integer");
            }
        }

        @Override
        public Helper.Command enter() {
            Path ns = Path.of("/proc", Long.toString(pid), "ns");
            Helper.Command cmd = Helper.command();
            Path userns = ns.resolve("user");
            if (!sameAsOurs(userns)) {
                cmd.joinUserns(userns.toString());
            }
            return cmd.joinNetns(ns.resolve("net").toString());
        }

        @Override
        public Optional<Long> process() {
            return Optional.of(pid);
        }
    }

    record ByPath(Path netns, Path userns) implements GuestTarget {
        public ByPath {
            if (netns == null) {
                throw new IllegalArgumentException("no network namespace path");
            }
        }

        @Override
        public Helper.Command enter() {
            Helper.Command cmd = Helper.command();
            if (userns != null && !sameAsOurs(userns)) {
                cmd.joinUserns(userns.toString());
            }
            return cmd.joinNetns(netns.toString());
        }

        @Override
        public Optional<Long> process() {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code userns} is the user namespace we are in: setns into one's own user
     * namespace is EINVAL. An unreadable path is "not ours": the helper then says why it fails.
     */
    private static boolean sameAsOurs(Path userns) {
        if (!Files.exists(userns, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Optional<NsIdentity> theirs = NsIdentity.of(userns);
        return theirs.isPresent() && theirs.equals(NsIdentity.of(Path.of("/proc/thread-self/ns/user")));
    }
}
