package dev.jnet.topology;

import java.util.List;

/**
 * A host's network namespaces and how they are joined, as {@code jnet netns graph} draws it.
 *
 * @param namespaces every namespace looked at: the caller's ("host"), the named ones, and with
 *                   {@code all} every other one a process is in
 * @param edges      veth pairs (across namespaces or within one) and bridge ports
 */
public record Topology(List<Namespace> namespaces, List<Edge> edges) {
    public Topology {
        namespaces = List.copyOf(namespaces);
        edges = List.copyOf(edges);
    }

    /** What kind of namespace it is. */
    public enum Kind {
        /** the namespace of the process that looked */
        HOST,
        /** a named namespace (/run/netns/NAME, or a rootless one) */
        NAMED,
        /** a namespace only processes are in (shown with {@code all}) */
        PROCESS
    }

    /**
     * One namespace.
     *
     * @param id    a short identifier unique in the topology ("ns0", "ns1", ...)
     * @param name  "host", the namespace's name, or "pid N (COMM)" for a process's
     * @param kind  which kind
     * @param inode the nsfs inode number (as {@code ls -i /proc/PID/ns/net} shows)
     * @param links its links, by ifindex
     */
    public record Namespace(String id, String name, Kind kind, long inode, List<Iface> links) {
        public Namespace {
            links = List.copyOf(links);
        }
    }

    /**
     * One link.
     *
     * @param ifindex   interface index in its namespace
     * @param name      its name
     * @param kind      IFLA_INFO_KIND ("veth", "bridge", "tun", ...), "loopback" for lo, or "" when none
     * @param up        administratively up
     * @param master    ifindex of its bridge (or other master), or 0
     * @param addresses its addresses as ADDRESS/PREFIX, link-local IPv6 left out
     */
    public record Iface(int ifindex, String name, String kind, boolean up, int master, List<String> addresses) {
        public Iface {
            addresses = List.copyOf(addresses);
        }
    }

    /** How two links are joined. */
    public enum EdgeKind {
        /** the two ends of a veth pair */
        VETH,
        /** a link enslaved to a bridge (from the port to the bridge) */
        BRIDGE_PORT
    }

    /**
     * Two joined links: namespace id and ifindex at each end.
     */
    public record Edge(EdgeKind kind, String fromNamespace, int fromIfindex, String toNamespace, int toIfindex) {}
}
