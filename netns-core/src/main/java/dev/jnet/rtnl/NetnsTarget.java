package dev.jnet.rtnl;

import java.nio.file.Path;

/** A network namespace to move a link into: by namespace file, by process, or by open fd. */
public sealed interface NetnsTarget {
    /** A file that opens the namespace, e.g. /run/netns/NAME (see NetnsManager#path). */
    record ByPath(Path path) implements NetnsTarget {}

    /** The namespace of process {@code pid} (IFLA_NET_NS_PID). */
    record ByPid(long pid) implements NetnsTarget {}

    /** An open namespace fd (IFLA_NET_NS_FD); the caller keeps ownership. */
    record ByFd(int fd) implements NetnsTarget {}
}
