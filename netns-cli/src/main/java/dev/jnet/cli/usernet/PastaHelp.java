package dev.jnet.cli.usernet;

/** {@code pasta --help}: the options jnet's pasta takes, laid out as pasta's usage. */
final class PastaHelp {
    /** The text; a constant, so that {@link PastaDocCommand}'s annotation can carry it into jnet(1). */
    static final String TEXT = """
                Usage: pasta [OPTION]... [COMMAND] [ARGS]...
                       pasta [OPTION]... PID
                       pasta [OPTION]... --netns [PATH|NAME]

                Without PID or --netns, run the given command or a default shell in a new network and user
                namespace, and connect it via pasta (jnet's user-mode stack).

                  -h, --help		Display this help message and exit
                  --version		Show version and exit
                  -q, --quiet		Don't print informational messages
                  -f, --foreground	Don't run in background
                  -e, --stderr		Log to stderr too (accepted: errors always go there)
                  -p, --pcap FILE	Log tap-facing traffic to pcap file
                    (jnet: stops at 64 MB, as jnet usernet's --pcap)
                  -P, --pid FILE	Write own PID to the given file
                  -m, --mtu MTU	Assign MTU via DHCP/NDP
                    default: 65520
                  -a, --address ADDR	Assign IPv4 address ADDR
                    default: the host's, from its default route's interface
                  -n, --netmask MASK	Assign IPv4 MASK, dot-decimal or bits
                    default: the host address's, else the address class's
                  -g, --gateway ADDR	Pass IPv4 gateway ADDR to the namespace
                    default: the host's gateway
                  -M, --mac-addr ADDR	Use source MAC address ADDR towards the namespace
                  --ns-mac-addr ADDR	Configure MAC address ADDR on the namespace's interface
                  -o, --outbound ADDR	Bind to address as outbound source
                    can be specified zero to two times (for IPv4 and IPv6)
                    default: use source address from routing tables
                  -D, --dns ADDR	Use IPv4 or IPv6 address as DNS
                    can be specified multiple times (four per family)
                    'none' disables DNS information
                    default: use addresses from /etc/resolv.conf
                  --dns-forward ADDR	Forward DNS queries sent to ADDR to the first DNS address
                    of its family (-D's, else /etc/resolv.conf's)
                  -S, --search LIST	Space-separated list, search domains
                    'none' disables the DNS search list
                    default: use search list from /etc/resolv.conf
                  --dhcp-dns		Pass DNS list via DHCP/DHCPv6/NDP
                  --no-dhcp-dns		Don't pass it (default)
                  --dhcp-search		Pass search list via DHCP/DHCPv6/NDP
                  --no-dhcp-search	Don't pass it (default)
                  --no-dhcp		Disable DHCP server
                  --no-dhcpv6		Disable DHCPv6 server
                  --no-ndp		Disable NDP responses
                  --no-ra		Disable router advertisements
                  --map-gw		The gateway address reaches the host's loopback (default)
                  --no-map-gw		Don't map gateway address to host
                  --map-guest-addr ADDR	Connections to ADDR reach the host's own address
                  -4, --ipv4-only	Enable IPv4 operation only
                  -6, --ipv6-only	Enable IPv6 operation only
                  -t, --tcp-ports SPEC	TCP port forwarding to namespace
                    can be specified multiple times
                    SPEC can be:
                      'none': don't forward any ports
                      'auto': forward all ports currently bound in namespace
                        (rescanned every second; UDP: scanned once at start)
                      [ADDR[%IF]/|%IF/]PORT[-LAST][:TARGET[-TARGETLAST]][,...] and ~PORT[-LAST]
                      exclusions: ADDR and IF bind the host socket to that address and interface
                    default: auto
                  -u, --udp-ports SPEC	UDP port forwarding to namespace
                    SPEC is as described for TCP above
                    default: auto
                  -T, --tcp-ns SPEC	Port forwarding to init namespace: a namespace
                    loopback port to the host's loopback
                    SPEC is as described above ('auto': ports bound on the host)
                    default: auto
                  -U, --udp-ns SPEC	UDP port forwarding to init namespace: a namespace
                    loopback port to the host's loopback
                    SPEC is as described above ('auto': ports bound on the host at start)
                    default: auto
                  -I, --ns-ifname NAME	namespace interface name
                    default: same interface name as external one
                  --userns NSPATH	Target user namespace to join
                  --netns PATH|NAME	Target network namespace to join
                  --netns-only		Don't join existing user namespace
                  --no-netns-quit	Don't quit if filesystem-bound target
                    network namespace is deleted
                  --config-net		Configure tap interface in namespace
                """;

    private PastaHelp() {}

    static String text() {
        return TEXT;
    }
}
