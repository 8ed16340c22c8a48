package dev.jnet.cli.netns;

import dev.jnet.cli.ip.RtnlSession;

import dev.jnet.wiring.Connection;
import dev.jnet.wiring.NetnsConnector;
import java.util.List;

/**
 * {@code netns add|del|connect|disconnect} lines of a {@code -batch}, run in-process on one
 * namespace manager and one host rtnetlink handle (the batch's), so that hundreds of them cost
 * no JVM and no socket each. Other netns lines are not handled here.
 */
public final class NetnsLines {
    private final RtnlSession session;
    private NetnsConnector connector;

    public NetnsLines(RtnlSession session) {
        this.session = session;
    }

    private NetnsConnector connector() {
        if (connector == null) {
            connector = new NetnsConnector(session.manager(), session.handle(null), NetnsConnector.defaultStateDir());
        }
        return connector;
    }

    /** Runs {@code args} (after "netns"); false if this is not a line it handles. */
    public boolean run(List<String> args) {
        String cmd = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (cmd) {
            case "add" -> {
                if (rest.size() != 1) {
                    return false;
                }
                session.manager().add(rest.get(0));
            }
            case "delete", "del" -> {
                if (rest.isEmpty()) {
                    return false;
                }
                for (String n : rest) {
                    if (!session.manager().isRootless() && NetnsConnector.isConnected(NetnsConnector.defaultStateDir(), n)) {
                        connector().delete(n);
                    } else {
                        session.manager().delete(n);
                    }
                }
            }
            case "connect" -> {
                String name = null;
                String hostIf = null;
                String nsIf = null;
                String addr = null;
                String peer = null;
                String bridge = null;
                String ipv6 = null;
                for (int i = 0; i < rest.size(); i++) {
                    String a = rest.get(i);
                    String v = i + 1 < rest.size() ? rest.get(i + 1) : null;
                    switch (a) {
                        case "--host-ifname" -> hostIf = v;
                        case "--ns-ifname" -> nsIf = v;
                        case "--addr" -> addr = v;
                        case "--peer-addr" -> peer = v;
                        case "--bridge" -> bridge = v;
                        case "--ipv6" -> ipv6 = v;
                        default -> {
                            if (a.startsWith("-") || name != null) {
                                return false; // let picocli parse and report it
                            }
                            name = a;
                            continue;
                        }
                    }
                    if (v == null) {
                        return false;
                    }
                    i++;
                }
                if (name == null) {
                    return false;
                }
                Connection c = connector().connect(name,
                        NetnsConnect.options(hostIf, nsIf, addr, peer, bridge, ipv6));
                if (c == null) {
                    return true;
                }
            }
            case "disconnect" -> {
                if (rest.size() != 1) {
                    return false;
                }
                connector().disconnect(rest.get(0));
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
