package dev.jnet.cli.usernet;

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
                --enable-sandbox         enable sandbox: minimal root, no capabilities (see below)
                --enable-seccomp         enable seccomp to limit syscalls (see below)
                --outbound-addr=IPv4     sets outbound ipv4 address to bound to
                --outbound-addr6=IPv6    sets outbound ipv6 address to bound to
                --disable-dns            disables 10.0.2.3 (or configured internal ip) to host dns redirect
                --macaddress=MAC         specify the MAC address of the TAP (only valid with -c)
                --resolv-conf=PATH       read the DNS forwarder's upstream servers from PATH (default=/etc/resolv.conf)
                --pcap=FILE              capture every frame of the tap, both directions, into FILE (pcap)
                --pcap-size=SIZE         stop capturing before FILE passes SIZE bytes (K, M, G; default=64M)
                -h, --help               show this help and exit
                -v, --version            show version and exit

                TAPNAME defaults to tap0. Without -c the tap is attached to as it is (created if missing).
                Exits 0 on SIGTERM, when the exit FD is closed, and when process PID is gone.

                One stack process per user: bin/slirp4netns is a small front end that opens the tap and
                  hands it to "jnet usernetd" (started on first use, exits 30 s after its last namespace
                  detached; it runs with no_new_privs and the seccomp filter below, whatever the flags).
                  If the daemon dies, the front end starts another and attaches the tap again: addresses
                  and routes stay, TCP connections open at that moment are lost, new ones work.
                  JNET_USERNET_STANDALONE=1 (or "jnet usernet") gives this namespace a process of its own.

                API socket (-a): slirp4netns's add_hostfwd, list_hostfwd, remove_hostfwd, and jnet's
                  list_connections and get_stats; "jnet usernet top PATH" shows them live.

                Signals: SIGUSR1 writes one line to stderr with the stack's counters and tables,
                  jnet usernet: stats {"tcp_connections":0,"udp_flows":0,...,"fd_limit":N} (JSON on one line).

                Sandbox (once the tap and netlink sockets are open):
                  --enable-seccomp  sets no_new_privs and installs a seccomp filter on every thread
                                    (TSYNC): mount, umount2, pivot_root, chroot, the new mount API,
                                    ptrace, process_vm_*, kexec_*, *_module, reboot, swapon/off, bpf,
                                    perf_event_open, setns, unshare, keyctl, add_key, request_key,
                                    userfaultfd, ... and other ABIs (x32, ia32) fail with EPERM
                  --enable-sandbox  the same, and drops every capability (ambient, bounding, effective,
                                    permitted, inheritable) of the threads that run jnet code (main,
                                    event loop); run as root, every thread switches to uid/gid 65534
                                    and only the event loop keeps CAP_NET_BIND_SERVICE (forwards);
                                    and first, as slirp4netns, a mount namespace pivoted into a minimal
                                    root: the JDK, jars, libraries and /etc read-only, /proc, a few /dev
                                    nodes, a private /tmp, and the API socket's and --pcap's directories
                                    (the process opens the tap, then re-runs itself there: same pid; not
                                    root: in a user namespace mapping only the caller, no capabilities)
                """;
    }
}
