package dev.jnet.cli.ip;

import dev.jnet.netns.NetnsException;
import dev.jnet.netns.NetnsManager;
import dev.jnet.rtnl.NetnsTarget;
import dev.jnet.rtnl.RtnlHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rtnetlink handles one jnet invocation uses: one per network namespace (the current one,
 * or those named with {@code -n}), opened on first use and kept until {@link #close()}, so that
 * a whole {@code -batch} file goes over one netlink socket per namespace.
 */
public final class RtnlSession implements AutoCloseable {
    private final Map<String, RtnlHandle> handles = new LinkedHashMap<>();
    private NetnsManager manager;

    /** The namespace manager of the current user, made once. */
    public NetnsManager manager() {
        if (manager == null) {
            manager = NetnsManager.forCurrentUser();
        }
        return manager;
    }

    /** The handle on namespace {@code netns} (null: the current one), opened once. */
    public RtnlHandle handle(String netns) {
        String key = netns == null ? "" : netns;
        RtnlHandle h = handles.get(key);
        if (h == null) {
            h = open(netns);
            handles.put(key, h);
        }
        return h;
    }

    private RtnlHandle open(String netns) {
        if (netns == null) {
            return RtnlHandle.open();
        }
        boolean exists;
        try {
            exists = manager().exists(netns);
        } catch (NetnsException e) {
            exists = false;
        }
        if (!exists) {
            throw cannotOpen(netns);
        }
        try {
            return RtnlHandle.open(manager(), netns);
        } catch (NetnsException e) {
            if (e.kind() == NetnsException.Kind.NOT_FOUND || e.kind() == NetnsException.Kind.INVALID_ARGUMENT) {
                throw cannotOpen(netns);
            }
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("opening rtnetlink in namespace " + netns + ": " + e, e);
        }
    }

    static IpError cannotOpen(String netns) {
        return new IpError("Cannot open network namespace \"" + netns + "\": No such file or directory", 255);
    }

    /**
     * The {@code netns NS} argument of ip link: a pid when all digits, else a namespace name.
     * A name that is not a namespace is ip's {@code Invalid "netns" value}.
     */
    NetnsTarget target(String arg) {
        if (!arg.isEmpty() && arg.chars().allMatch(Character::isDigit)) {
            return new NetnsTarget.ByPid(Long.parseLong(arg));
        }
        boolean exists;
        try {
            exists = manager().exists(arg);
        } catch (NetnsException e) {
            exists = false;
        }
        if (!exists) {
            throw IpError.invargNl("Invalid \"netns\" value", arg);
        }
        return new NetnsTarget.ByPath(manager().path(arg));
    }

    @Override
    public void close() {
        for (RtnlHandle h : handles.values()) {
            try {
                h.close();
            } catch (RuntimeException ignored) {
                // closing a socket: nothing to report
            }
        }
        handles.clear();
    }
}
