package dev.jnet.cli;

/**
 * {@code jnet usernet --help}, laid out as slirp4netns's: rootlesskit and podman read it to learn
 * which flags they may pass (they search it for "--netns-type", "--enable-sandbox", "--mtu", ...).
 * It lists slirp4netns's flags (podman passes -6 when it finds "--enable-ipv6" here, its default
 * enable_ipv6=true; rootlesskit enables its slirp4netns port driver only when "--api-socket" is
 * listed).
 */
final class UsernetHelp {
    private UsernetHelp() {}

    static String text() {
        return """
                Usage: jnet usernet [OPTION]... PID|PATH [TAPNAME]
                User-mode networking for unprivileged network namespaces (slirp4netns-compatible).

                -c, --configure          bring up the interface
                -e, --exit-fd=FD         specify the FD for terminating jnet usernet
                -r, --ready-fd=FD        specify the FD to write to when the network is configured
                -m, --mtu=MTU            specify MTU (default=1500, max=65521)
                -6, --enable-ipv6        enable IPv6 (prefix fd00::/64, gateway fd00::2, DNS fd00::3; SLAAC)
                --cidr6=PREFIX/64        specify the IPv6 prefix (default=fd00::/64; with -6)
                -a, --api-socket=PATH    specify API socket path
                --cidr=CIDR              specify network address CIDR (default=10.0.2.0/24)
                --disable-host-loopback  prohibit connecting to 127.0.0.1:* on the host namespace
                --netns-type=TYPE        specify network namespace type ([path|pid], default=pid)
                --userns-path=PATH       specify user namespace path
                --enable-sandbox         accepted for compatibility (the stack needs no sandbox set-up)
                --enable-seccomp         accepted for compatibility
                --outbound-addr=IPv4     sets outbound ipv4 address to bound to
                --disable-dns            disables 10.0.2.3 (or configured internal ip) to host dns redirect
                --macaddress=MAC         specify the MAC address of the TAP (only valid with -c)
                --resolv-conf=PATH       read the DNS forwarder's upstream servers from PATH (default=/etc/resolv.conf)
                -h, --help               show this help and exit
                -v, --version            show version and exit

                TAPNAME defaults to tap0. Without -c the tap is attached to as it is (created if missing).
                Exits 0 on SIGTERM, when the exit FD is closed, and when process PID is gone.
                """;
    }
}
