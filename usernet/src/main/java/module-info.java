/**
 * The user-mode TCP/IP stack. Exported: what the CLI ({@code jnet usernet}, slirp4netns's
 * command line and API socket), the integration tests and the benchmarks use. Internal: the
 * transports and helpers only the stack itself wires together (dns, icmp, icmp6, udp).
 */
module dev.jnet.usernet {
    requires transitive dev.jnet.netns;
    requires transitive io.netty.buffer;
    requires transitive io.netty.common;
    requires transitive io.netty.transport;
    requires transitive io.netty.transport.classes.epoll;
    requires transitive io.netty.transport.unix.common;
    requires com.fasterxml.jackson.core;
    requires java.management; // ProcessStats: the JDK's direct buffer pool
    requires java.logging; // Preload loads the logging path before the fds can run out

    /** the stack, its configuration and statistics: the CLI's entry points */
    exports dev.jnet.usernet;
    /** slirp4netns's API socket */
    exports dev.jnet.usernet.api;
    /** {@code jnet rootless}: a rootless namespace with usernet, as one session */
    exports dev.jnet.usernet.rootless;
    /** rootless namespaces online through a usernet process of their own (netns connect, rootless) */
    exports dev.jnet.usernet.uplink;
    /** DNS: the forwarder's upstreams, and zones of one's own records (a test's fake resolver) */
    exports dev.jnet.usernet.dns;
    /** host-to-guest port forwards (--publish, add_hostfwd) */
    exports dev.jnet.usernet.forward;
    /** entering the target namespace and opening its tap device */
    exports dev.jnet.usernet.guest;
    /** frame I/O (tap, fault injection) */
    exports dev.jnet.usernet.link;
    /** packet views: tests and benchmarks build and check frames with them */
    exports dev.jnet.usernet.wire;
    /** for the benchmarks only (IP output, NAT address map, TCP) */
    exports dev.jnet.usernet.ip;
    exports dev.jnet.usernet.nat;
    exports dev.jnet.usernet.tcp;
}
