/**
 * Network namespaces, netlink and rtnetlink, user namespaces and wiring namespaces together.
 * Every package is API: the CLI, usernet and the tests use each of them.
 */
module dev.jnet.netns {
    requires transitive dev.jnet.linux;

    /** IP addresses and prefixes of both families: the one strict parser the CLI and usernet use */
    exports dev.jnet.net;
    /** netlink sockets and messages (rtnl's transport; the CLI reports its errors) */
    exports dev.jnet.netlink;
    /** named namespaces: create, list, enter, delete, rootful and rootless */
    exports dev.jnet.netns;
    /** links, addresses and routes over rtnetlink */
    exports dev.jnet.rtnl;
    /** user namespaces and id maps (rootless mode) */
    exports dev.jnet.userns;
    /** the host's namespaces and links as a graph (netns graph): scan, DOT, SVG through Graphviz */
    exports dev.jnet.topology;
    /** veth wiring between namespaces (netns connect) */
    exports dev.jnet.wiring;
}
