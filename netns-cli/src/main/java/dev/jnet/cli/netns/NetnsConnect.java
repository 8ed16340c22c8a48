package dev.jnet.cli.netns;

import dev.jnet.cli.Failures;
import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import dev.jnet.netns.NetnsManager;
import dev.jnet.rtnl.RtnlHandle;
import dev.jnet.wiring.ConnectOptions;
import dev.jnet.wiring.Connection;
import dev.jnet.usernet.uplink.Uplink;
import dev.jnet.usernet.uplink.Uplinks;
import dev.jnet.wiring.NetnsConnector;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jnet netns connect NAME [...]}: a veth link from the host into NAME, addressed and routed. */
@Command(mixinStandardHelpOptions = true, name = "connect", description = "Connect a namespace to the host: veth pair, addresses, default route.",
        footer = {"", "Without options: host end jn-<id> 10.200.N.1/24, eth0 10.200.N.2/24 inside NAME (a free N:",
            "no address or route of the host or NAME overlaps it), both up, lo up, default route inside via the",
            "host end. --bridge BR puts the host end on bridge BR (made if missing), which then carries the host",
            "address: namespaces on one bridge share a segment. Rootless: a usernet process serves tap0 in NAME",
            "(10.0.N.100/24, default via 10.0.N.2, a free N from 2) until disconnect."})
final class NetnsConnect implements Callable<Integer> {
    @ParentCommand NetnsCommand netns;
    @Parameters(paramLabel = "NAME") String name;
    @Option(names = "--host-ifname", paramLabel = "IF", description = "Name of the host end (default jn-<id>).")
    String hostIfname;
    @Option(names = "--ns-ifname", paramLabel = "IF", description = "Name of the end inside NAME (default eth0).")
    String nsIfname;
    @Option(names = "--addr", paramLabel = "HOST/PLEN", description = "Host side IPv4 address.") String addr;
    @Option(names = "--peer-addr", paramLabel = "NS/PLEN", description = "Namespace side IPv4 address.") String peerAddr;
    @Option(names = "--bridge", paramLabel = "BR", description = "Bridge the host end joins.") String bridge;
    @Option(names = "--ipv6", paramLabel = "HOST6/PLEN,NS6/PLEN", description = "IPv6 addresses too.") String ipv6;
    @Spec CommandSpec spec;

    /** The options as the connector takes them; bad or unpaired addresses are refused in the options' words. */
    static ConnectOptions options(String hostIfname, String nsIfname, String addr, String peerAddr, String bridge,
            String ipv6) {
        if ((addr == null) != (peerAddr == null)) {
            throw new Failures.UsageException("--addr and --peer-addr go together: give both or neither");
        }
        ConnectOptions o = ConnectOptions.defaults().withHostIfname(hostIfname).withNsIfname(nsIfname).withBridge(bridge);
        if (addr != null) {
            o = o.withAddresses(prefix("--addr", addr, IpAddress.Family.IPV4),
                    prefix("--peer-addr", peerAddr, IpAddress.Family.IPV4));
        }
        if (ipv6 != null) {
            String[] p = ipv6.split(",", -1);
            if (p.length != 2) {
                throw new Failures.UsageException("--ipv6 expects HOST6/PLEN,NS6/PLEN, not \"" + ipv6 + "\"");
            }
            o = o.withIpv6(prefix("--ipv6", p[0], IpAddress.Family.IPV6), prefix("--ipv6", p[1], IpAddress.Family.IPV6));
        }
        return o;
    }

    private static IpPrefix prefix(String option, String text, IpAddress.Family family) {
        try {
            return IpPrefix.parseOrHost(text, family);
        } catch (InvalidAddressException e) {
            throw new Failures.UsageException("Invalid " + option + " \"" + text + "\": " + e.reason()
                    + (family == IpAddress.Family.IPV4 ? " (ADDR/PLEN expected)" : " (ADDR6/PLEN expected)"));
        }
    }

    static String describe(Connection c) {
        return c.name() + ": " + c.hostIfname() + (c.bridge() != null ? " (bridge " + c.bridge() + ")" : "") + " "
                + c.hostAddress() + " <-> " + c.nsIfname() + " " + c.nsAddress()
                + (c.nsAddress6() != null ? " " + c.nsAddress6() : "");
    }

    /** A rootless namespace's uplink: usernet's tap, its address and gateway, and the process. */
    static String describe(Uplink u) {
        return u.name() + ": " + Uplink.TAP + " " + u.guestAddress() + " via " + u.gateway() + " (usernet, pid " + u.pid()
                + ")";
    }

    @Override
    public Integer call() {
        ConnectOptions o = options(hostIfname, nsIfname, addr, peerAddr, bridge, ipv6);
        NetnsManager m = netns.manager();
        PrintWriter out = spec.commandLine().getOut();
        if (m.isRootless()) {
            if (!o.equals(ConnectOptions.defaults())) {
                throw new Failures.UsageException("A rootless namespace is connected through usernet (tap0): "
                        + "--host-ifname, --ns-ifname, --addr, --peer-addr, --bridge and --ipv6 need root");
            }
            out.println(describe(new Uplinks(m, NetnsConnector.defaultStateDir()).connect(name)));
            out.flush();
            return 0;
        }
        try (RtnlHandle host = RtnlHandle.open()) {
            Connection c = new NetnsConnector(m, host, NetnsConnector.defaultStateDir()).connect(name, o);
            out.println(describe(c));
            out.flush();
        }
        return 0;
    }

    /** {@code jnet netns disconnect NAME}: undoes connect. */
    @Command(mixinStandardHelpOptions = true, name = "disconnect", description = "Undo \"netns connect NAME\": exactly what it made.")
    static final class Disconnect implements Callable<Integer> {
        @ParentCommand NetnsCommand netns;
        @Parameters(paramLabel = "NAME") String name;

        @Override
        public Integer call() {
            NetnsManager m = netns.manager();
            if (m.isRootless()) {
                new Uplinks(m, NetnsConnector.defaultStateDir()).disconnect(name);
                return 0;
            }
            try (RtnlHandle host = RtnlHandle.open()) {
                new NetnsConnector(netns.manager(), host, NetnsConnector.defaultStateDir()).disconnect(name);
            }
            return 0;
        }
    }
}
