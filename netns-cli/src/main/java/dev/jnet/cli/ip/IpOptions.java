package dev.jnet.cli.ip;

import java.util.ArrayList;
import java.util.List;

/**
 * ip's way of reading its command line, applied before picocli sees it: option words abbreviated
 * as ip's {@code matches()} allows them, in ip's order ({@code -b} is {@code -batch}, {@code -br}
 * {@code -brief}, {@code -s} {@code -stats}, {@code -d} {@code -details}, {@code -o}
 * {@code -oneline}, {@code -p} {@code -pretty}), objects ({@code a}, {@code l}, {@code r},
 * {@code n}) and netns commands ({@code netns a NAME}) abbreviated as in ip's tables, and
 * {@code help} as a word at the top and netns level.
 */
public final class IpOptions {
    private IpOptions() {}

    /** ip's global options in the order ip.c tries them (the first match wins), with a parameter or not. */
    private static final String[] OPTIONS = {"-loops", "-family", "-human", "-human-readable", "-iec", "-stats",
        "-statistics", "-details", "-resolve", "-oneline", "-timestamp", "-tshort", "-Version", "-force", "-batch",
        "-brief", "-json", "-pretty", "-rcvbuf", "-color", "-help", "-netns", "-Numeric", "-all"};

    /** ip's objects in the order of its command table; those jnet runs are mapped to jnet's names. */
    private static final String[] OBJECTS = {"address", "addrlabel", "maddress", "route", "rule", "neighbor",
        "neighbour", "ntable", "ntbl", "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tunl", "tuntap", "tap",
        "token", "tcpmetrics", "tcp_metrics", "monitor", "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr",
        "nexthop", "mptcp", "ioam", "help", "stats"};

    /** ip netns's commands in the order do_netns tries them. */
    private static final String[] NETNS_COMMANDS = {"list", "show", "lst", "list-id", "help", "add", "set", "delete",
        "identify", "pids", "exec", "monitor", "attach"};

    /**
     * The canonical spelling of ip option {@code opt} ({@code -brief}, {@code -stats}, ...; a leading
     * {@code --} is read as {@code -}, as ip does), or null when ip knows no such option. Exact
     * {@code -4}/{@code -6} stay.
     */
    public static String canonical(String opt) {
        if (opt.equals("-4") || opt.equals("-6")) {
            return opt;
        }
        String o = opt.startsWith("--") ? opt.substring(1) : opt;
        if (o.length() < 2 || o.charAt(0) != '-') {
            return null;
        }
        if (o.equals("-echo")) {
            return o;
        }
        if (o.equals("-c") || o.startsWith("-color=") || o.startsWith("-colour")) {
            return "-color";
        }
        for (String name : OPTIONS) {
            if (Parsers.matches(o, name)) {
                return name.equals("-human-readable") ? "-human" : name.equals("-statistics") ? "-stats" : name;
            }
        }
        return null;
    }

    /** The jnet option for an ip option jnet has, else null (it is then left for picocli to refuse). */
    private static String jnetOption(String canonical) {
        return switch (canonical) {
            case "-4", "-6", "-stats", "-details", "-oneline", "-force", "-batch", "-brief", "-json", "-pretty",
                    "-netns" -> canonical;
            case "-Version" -> "--version";
            case "-help" -> "--help";
            default -> null;
        };
    }

    /** The ip object {@code word} names (abbreviated as ip allows), or null. */
    public static String object(String word) {
        for (String name : OBJECTS) {
            if (Parsers.matches(word, name)) {
                return name;
            }
        }
        return null;
    }

    /** jnet's command for ip object {@code word}, or null when it names none jnet runs. */
    static String jnetObject(String word) {
        String o = object(word);
        if (o == null) {
            return null;
        }
        return switch (o) {
            case "address", "route", "link", "netns" -> o;
            case "neighbor", "neighbour" -> "neigh";
            case "help" -> "--help";
            default -> null;
        };
    }

    /** The netns command {@code word} names as ip reads it, or null. */
    static String netnsCommand(String word) {
        for (String name : NETNS_COMMANDS) {
            if (Parsers.matches(word, name)) {
                return switch (name) {
                    case "show", "lst" -> "list";
                    case "help" -> "--help";
                    default -> name;
                };
            }
        }
        return null;
    }

    /** Whether the option takes the next word as its parameter. */
    private static boolean takesParameter(String canonical) {
        return canonical.equals("-batch") || canonical.equals("-netns") || canonical.equals("-family")
                || canonical.equals("-loops") || canonical.equals("-rcvbuf");
    }

    /**
     * {@code args} with ip's spellings made jnet's: the leading options, the object and, for netns,
     * its command. Words jnet's own commands take (usernet, rootless, their options) are left alone.
     */
    public static String[] normalize(String[] args) {
        List<String> out = new ArrayList<>(args.length);
        int i = 0;
        for (; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--") || !a.startsWith("-") || a.length() < 2 || a.startsWith("@")) {
                break;
            }
            String c = canonical(a);
            String j = c == null ? null : jnetOption(c);
            if (c == null && a.contains("=") && canonical(a.substring(0, a.indexOf('='))) != null) {
                c = canonical(a.substring(0, a.indexOf('=')));
                j = jnetOption(c);
                if (j != null) {
                    out.add(j + a.substring(a.indexOf('=')));
                    continue;
                }
            }
            if (c == null && !a.equals("--version")) {
                throw IpError.usage("Option \"" + (a.startsWith("--") ? a.substring(1) : a)
                        + "\" is unknown, try \"jnet -help\".");
            }
            out.add(j != null ? j : a);
            if (c != null && takesParameter(c) && i + 1 < args.length) {
                out.add(args[++i]);
            }
        }
        if (i < args.length && !args[i].equals("--")) {
            String obj = jnetObject(args[i]);
            out.add(obj != null ? obj : args[i]);
            i++;
            if ("netns".equals(obj) && i < args.length && !args[i].startsWith("-")) {
                String cmd = netnsCommand(args[i]);
                out.add(cmd != null && !isJnetNetnsCommand(args[i]) ? cmd : args[i]);
                i++;
            }
        }
        for (; i < args.length; i++) {
            out.add(args[i]);
        }
        return out.toArray(String[]::new);
    }

    /** netns commands of jnet's own that ip has not (an exact name wins over ip's abbreviation). */
    private static boolean isJnetNetnsCommand(String word) {
        return word.equals("connect") || word.equals("disconnect") || word.equals("del");
    }
}
