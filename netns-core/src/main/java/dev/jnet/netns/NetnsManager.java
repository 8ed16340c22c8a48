package dev.jnet.netns;

import dev.jnet.linux.Syscalls;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Persistent named network namespaces, as {@code ip netns} keeps them.
 *
 * <p>Rootful ({@link #rootful}): bind mounts under {@code /var/run/netns}, interoperable with
 * iproute2. Rootless ({@link #rootless}): each namespace is a user+network namespace kept
 * alive by a holder process, recorded under {@code $XDG_RUNTIME_DIR/netns}. The methods mean
 * the same in both. Failures are {@link NetnsException}s with iproute2's wording.
 */
public interface NetnsManager {
    /** iproute2's directory (it is {@code /run/netns} where /var/run links to /run). */
    Path IPROUTE2_DIR = Path.of("/var/run/netns");

    /** Rootful when running as root, rootless otherwise. */
    static NetnsManager forCurrentUser() {
        return Syscalls.geteuid() == 0 ? rootful(IPROUTE2_DIR) : rootless(RootlessNetnsManager.defaultDirectory());
    }

    static NetnsManager rootful(Path directory) {
        return new RootfulNetnsManager(directory);
    }

    static NetnsManager rootless(Path directory) {
        return new RootlessNetnsManager(directory);
    }

    /** Whether namespaces are held by holder processes rather than bind mounts. */
    boolean isRootless();

    /** Where the namespaces are recorded. */
    Path directory();

    /** Creates namespace {@code name} with only a loopback device (down), persisting after we exit. */
    NetnsInfo add(String name);

    /** Deletes namespace {@code name}; leftovers of interrupted adds are removed too. */
    void delete(String name);

    /** All namespaces, sorted by name. */
    List<NetnsInfo> list();

    boolean exists(String name);

    /** A path that opens the namespace (for setns, or a netns-type=path consumer). */
    Path path(String name);

    /** Names of the namespaces process {@code pid} is in (usually zero or one). */
    List<String> identify(long pid);

    /** Processes whose network namespace is {@code name}. */
    List<Long> pids(String name);

    /** Gives the network namespace of process {@code pid} the name {@code name}. */
    void attach(String name, long pid);

    /** Assigns nsid {@code id}, or {@code -1} for the kernel's choice, in the caller's namespace. */
    void setId(String name, int id);

    /** Watches for namespaces being added and deleted until the monitor is closed. */
    NetnsMonitor monitor(Consumer<NetnsEvent> listener);

    /**
     * Runs {@code task} on a new thread inside namespace {@code name} and returns its result.
     * Sockets the task creates belong to that namespace for life; threads it starts inherit it.
     * Rootful only: the kernel lets no unprivileged process move a thread into a namespace of
     * another user namespace; rootless callers use {@link #openSocket}.
     */
    <T> T call(String name, Callable<T> task) throws Exception;

    /**
     * A socket ({@code socket(2)} arguments; close-on-exec is added) that belongs to namespace
     * {@code name} for life. Rootful, a thread inside makes it; rootless, jnet-helper makes it
     * inside the holder's namespaces and this process takes a copy (pidfd_getfd). The caller
     * owns the returned descriptor.
     */
    dev.jnet.linux.Fd openSocket(String name, int domain, int type, int protocol);

    /**
     * The command line that runs {@code command} inside {@code name} as {@code ip netns exec}
     * does: a private mount namespace, a sysfs of that namespace on /sys, and the files of
     * {@code /etc/netns/NAME} bind-mounted over their {@code /etc} namesakes. The caller
     * starts it (inheriting its stdio, say) and gets the command's exit status.
     */
    List<String> execCommand(String name, List<String> command);
}
