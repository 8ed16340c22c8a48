package dev.jnet.cli.usernet;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * pasta's command line, read as its getopt_long(3) reads it: long options with {@code =VALUE}
 * or the next word, unambiguous abbreviations, clustered short flags ({@code -fq}) and attached
 * values ({@code -t80}), option parsing ending at the first non-option or {@code --} (pasta's
 * optstring starts with {@code +}). Errors are glibc's and pasta's lines, as {@link Bad}.
 * Options pasta has that jnet's stack does not implement are refused by name rather than
 * ignored.
 */
final class PastaArgs {
    /** A command line pasta would refuse, or one jnet's pasta cannot serve: the line to print. */
    static final class Bad extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Bad(String message) {
            super(message);
        }
    }

    private record Opt(String name, char shortName, boolean hasArg, BiConsumer<PastaArgs, String> apply) {}

    /** pasta's options beyond these, refused with their name (jnet's stack has no such feature). */
    private static final List<String> UNSUPPORTED = List.of("debug", "trace", "log-file", "log-size", "runas",
            "interface", "outbound-if4", "outbound-if6", "no-tcp", "no-udp", "no-icmp", "socket", "fd", "one-off",
            "map-host-loopback", "host-lo-to-ns-lo", "splice-only", "no-splice");

    private static final List<Opt> OPTIONS = List.of(
            new Opt("quiet", 'q', false, (a, v) -> a.quiet = true),
            new Opt("foreground", 'f', false, (a, v) -> a.foreground = true),
            new Opt("stderr", 'e', false, (a, v) -> { }),
            new Opt("help", 'h', false, (a, v) -> a.help = true),
            new Opt("version", '\0', false, (a, v) -> a.version = true),
            new Opt("pid", 'P', true, (a, v) -> a.pidFile = v),
            new Opt("pcap", 'p', true, (a, v) -> a.pcap = v),
            new Opt("mac-addr", 'M', true, (a, v) -> a.macAddr = v),
            new Opt("ns-mac-addr", '\0', true, (a, v) -> a.nsMacAddr = v),
            // -o: "zero to two times (once for IPv4, once for IPv6)", pasta(1)
            new Opt("outbound", 'o', true, (a, v) -> a.outbound.add(v)),
            new Opt("mtu", 'm', true, (a, v) -> a.mtu = v),
            // -a, -g, --dns-forward: "zero to two times (once for IPv4, once for IPv6)", pasta(1)
            new Opt("address", 'a', true, (a, v) -> {
                if (v.contains(":")) {
                    a.address6 = v;
                } else {
                    a.address = v;
                }
            }),
            new Opt("netmask", 'n', true, (a, v) -> a.netmask = v),
            new Opt("gateway", 'g', true, (a, v) -> {
                if (v.contains(":")) {
                    a.gateway6 = v;
                } else {
                    a.gateway = v;
                }
            }),
            // -D/-S "none": no addresses / no search list at all (pasta(1)); else one address / a
            // space-separated list each time
            new Opt("dns", 'D', true, (a, v) -> {
                if (v.equals("none")) {
                    a.noDns = true;
                } else {
                    a.dns.add(v);
                }
            }),
            new Opt("dns-forward", '\0', true, (a, v) -> {
                if (v.contains(":")) {
                    a.dnsForward6 = v;
                } else {
                    a.dnsForward = v;
                }
            }),
            new Opt("search", 'S', true, (a, v) -> {
                if (v.equals("none")) {
                    a.noSearch = true;
                } else {
                    a.search.addAll(List.of(v.trim().split("[ \t]+")));
                }
            }),
            // pasta mode: neither is announced unless asked for
            new Opt("no-dhcp-dns", '\0', false, (a, v) -> a.dhcpDns = false),
            new Opt("dhcp-dns", '\0', false, (a, v) -> a.dhcpDns = true),
            new Opt("no-dhcp-search", '\0', false, (a, v) -> a.dhcpSearch = false),
            new Opt("dhcp-search", '\0', false, (a, v) -> a.dhcpSearch = true),
            new Opt("no-dhcp", '\0', false, (a, v) -> a.noDhcp = true),
            new Opt("no-dhcpv6", '\0', false, (a, v) -> a.noDhcpv6 = true),
            new Opt("no-ndp", '\0', false, (a, v) -> a.noNdp = true),
            new Opt("no-ra", '\0', false, (a, v) -> a.noRa = true),
            new Opt("map-gw", '\0', false, (a, v) -> a.noMapGw = false),
            new Opt("no-map-gw", '\0', false, (a, v) -> a.noMapGw = true),
            new Opt("map-guest-addr", '\0', true, (a, v) -> a.mapGuestAddr = v),
            new Opt("ipv4-only", '4', false, (a, v) -> a.ipv4Only = true),
            new Opt("ipv6-only", '6', false, (a, v) -> a.ipv6Only = true),
            new Opt("tcp-ports", 't', true, (a, v) -> a.tcp.add(v, a.ephemeral)),
            new Opt("udp-ports", 'u', true, (a, v) -> a.udp.add(v, a.ephemeral)),
            new Opt("tcp-ns", 'T', true, (a, v) -> a.tcpNs.add(v, a.ephemeral)),
            new Opt("udp-ns", 'U', true, (a, v) -> a.udpNs.add(v, a.ephemeral)),
            new Opt("ns-ifname", 'I', true, (a, v) -> a.nsIfname = v),
            new Opt("userns", '\0', true, (a, v) -> a.userns = v),
            new Opt("netns", '\0', true, (a, v) -> a.netns = v),
            new Opt("netns-only", '\0', false, (a, v) -> a.netnsOnly = true),
            new Opt("no-netns-quit", '\0', false, (a, v) -> a.noNetnsQuit = true),
            new Opt("config-net", '\0', false, (a, v) -> a.configNet = true));

    /** Short options of pasta's that jnet's pasta refuses (d debug, l log file, p pcap, ...). */
    private static final Map<Character, String> UNSUPPORTED_SHORT = Map.of('d', "debug", 'l', "log-file",
            'i', "interface", 's', "socket", 'F', "fd", '1', "one-off");

    boolean quiet;
    boolean foreground;
    boolean help;
    boolean version;
    boolean configNet;
    boolean ipv4Only;
    boolean ipv6Only;
    boolean noMapGw;
    boolean netnsOnly;
    boolean noNetnsQuit;
    /** --no-dhcp, --no-dhcpv6, --no-ndp, --no-ra: the stack's link services off */
    boolean noDhcp;
    boolean noDhcpv6;
    boolean noNdp;
    boolean noRa;
    /** -D none, -S none */
    boolean noDns;
    boolean noSearch;
    /** --dhcp-dns, --dhcp-search: DHCP, DHCPv6 and NDP announce the resolvers / the search list */
    boolean dhcpDns;
    boolean dhcpSearch;
    String pidFile;
    /** -p: capture the tap's frames into this file */
    String pcap;
    /** -M: the stack's (gateway's) MAC; --ns-mac-addr: the namespace tap's */
    String macAddr;
    String nsMacAddr;
    /** -o, once per family */
    final List<String> outbound = new ArrayList<>();
    String mtu;
    /** IPv4 and IPv6 values of -a, -g and --dns-forward (the last of each family counts, as in pasta). */
    String address;
    String address6;
    String netmask;
    String gateway;
    String gateway6;
    String dnsForward;
    String dnsForward6;
    String mapGuestAddr;
    String nsIfname;
    String userns;
    String netns;
    final List<String> dns = new ArrayList<>();
    final List<String> search = new ArrayList<>();
    final PastaPorts tcp = new PastaPorts("-t");
    final PastaPorts udp = new PastaPorts("-u");
    final PastaPorts tcpNs = new PastaPorts("-T");
    final PastaPorts udpNs = new PastaPorts("-U");
    /** What follows the options: a PID, or a command and its arguments. */
    final List<String> rest = new ArrayList<>();
    private final int[] ephemeral;

    private PastaArgs(int[] ephemeral) {
        this.ephemeral = ephemeral;
    }

    /**
     * Reads {@code args}; {@code ephemeral} is the host's ephemeral port range
     * ({@code net.ipv4.ip_local_port_range}), which exclusion-only port specs leave out.
     */
    static PastaArgs parse(List<String> args, int[] ephemeral) {
        PastaArgs a = new PastaArgs(ephemeral);
        int i = 0;
        while (i < args.size()) {
            String w = args.get(i++);
            if (w.equals("--")) {
                break;
            }
            if (w.startsWith("--")) {
                i = a.longOption(w, args, i);
            } else if (w.startsWith("-") && w.length() > 1) {
                i = a.shortOptions(w, args, i);
            } else {
                i--;
                break;
            }
        }
        a.rest.addAll(args.subList(i, args.size()));
        if (a.ipv4Only && a.ipv6Only) {
            throw new Bad("Options ipv4-only and ipv6-only are mutually exclusive");
        }
        return a;
    }

    private int longOption(String w, List<String> args, int i) {
        int eq = w.indexOf('=');
        String name = w.substring(2, eq < 0 ? w.length() : eq);
        String value = eq < 0 ? null : w.substring(eq + 1);
        Opt opt = lookup(name, w);
        if (opt == null) {
            throw unsupported("--" + unsupportedName(name));
        }
        if (!opt.hasArg) {
            if (value != null) {
                throw new Bad("pasta: option '--" + opt.name + "' doesn't allow an argument");
            }
        } else if (value == null) {
            if (i >= args.size()) {
                throw new Bad("pasta: option '--" + opt.name + "' requires an argument");
            }
            value = args.get(i++);
        }
        opt.apply.accept(this, value);
        return i;
    }

    /** The option {@code name} names, exactly or as the one option it abbreviates; null: one jnet refuses. */
    private static Opt lookup(String name, String word) {
        for (Opt o : OPTIONS) {
            if (o.name.equals(name)) {
                return o;
            }
        }
        if (UNSUPPORTED.contains(name)) {
            return null;
        }
        List<String> candidates = new ArrayList<>();
        OPTIONS.stream().map(Opt::name).filter(n -> n.startsWith(name)).forEach(candidates::add);
        UNSUPPORTED.stream().filter(n -> n.startsWith(name)).forEach(candidates::add);
        if (name.isEmpty() || candidates.isEmpty()) {
            throw new Bad("pasta: unrecognized option '" + word + "'");
        }
        if (candidates.size() > 1) {
            throw new Bad("pasta: option '--" + name + "' is ambiguous; possibilities: "
                    + candidates.stream().map(c -> "'--" + c + "'").collect(Collectors.joining(" ")));
        }
        String only = candidates.get(0);
        return OPTIONS.stream().filter(o -> o.name.equals(only)).findFirst().orElse(null);
    }

    private static String unsupportedName(String name) {
        return UNSUPPORTED.stream().filter(n -> n.startsWith(name)).findFirst().orElse(name);
    }

    private int shortOptions(String w, List<String> args, int i) {
        for (int k = 1; k < w.length(); k++) {
            char c = w.charAt(k);
            Opt opt = OPTIONS.stream().filter(o -> o.shortName == c).findFirst().orElse(null);
            if (opt == null) {
                if (UNSUPPORTED_SHORT.containsKey(c)) {
                    throw unsupported("-" + c + "/--" + UNSUPPORTED_SHORT.get(c));
                }
                throw new Bad("pasta: invalid option -- '" + c + "'");
            }
            if (!opt.hasArg) {
                opt.apply.accept(this, null);
                continue;
            }
            String value;
            if (k + 1 < w.length()) {
                value = w.substring(k + 1);
            } else if (i < args.size()) {
                value = args.get(i++);
            } else {
                throw new Bad("pasta: option requires an argument -- '" + c + "'");
            }
            opt.apply.accept(this, value);
            return i;
        }
        return i;
    }

    private static Bad unsupported(String option) {
        return new Bad("pasta: option '" + option + "' is not supported by jnet's pasta");
    }

}
