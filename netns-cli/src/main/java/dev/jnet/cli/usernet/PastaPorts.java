package dev.jnet.cli.usernet;

import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One direction of pasta's port forwarding ({@code -t}, {@code -u}, {@code -T}, {@code -U}),
 * built from the specs of that option in order, with pasta's rules and words (passt's
 * {@code conf_ports}): {@code none}, {@code auto}, {@code all}, or a comma-separated list of
 * {@code PORT[-LAST][:TARGET[-TARGETLAST]]} items, optionally after {@code ADDR/},
 * {@code ADDR%IF/} or {@code %IF/} (bound to that address and/or interface, as pasta(1) says;
 * the installed 2023 pasta still wants the address), and {@code ~PORT[-LAST]} exclusions;
 * exclusions alone forward every other port outside the ephemeral range.
 */
final class PastaPorts {
    /** What the option asked for, as pasta's {@code fwd->mode}. */
    enum Mode { UNSET, NONE, AUTO, ALL, SPEC }

    /**
     * One forwarded port: {@code hostAddr} (null: any) {@code hostPort} to {@code guestPort},
     * the listener bound to interface {@code ifname} (null: any).
     */
    record Port(InetAddress hostAddr, String ifname, int hostPort, int guestPort) {}

    /** The ports one spec (one option occurrence) gave, with the spec's text for error messages. */
    record Spec(String text, List<Port> ports) {}

    private static final int NUM_PORTS = 1 << 16;
    /** The longest interface name the kernel takes (IFNAMSIZ less the terminating NUL). */
    private static final int MAX_IFNAME = 15;

    private final String option;
    private Mode mode = Mode.UNSET;
    private final List<Spec> specs = new ArrayList<>();

    /** @param option the option's short name ("-t"...) for messages */
    PastaPorts(String option) {
        this.option = option;
    }

    String option() {
        return option;
    }

    Mode mode() {
        return mode;
    }

    List<Spec> specs() {
        return specs;
    }

    /**
     * Adds one occurrence of the option; {@code ephemeral} is the host's ephemeral port range
     * ({@code {first, last}}), which an exclusion-only spec leaves out.
     */
    void add(String text, int[] ephemeral) {
        switch (text) {
            case "none", "auto", "all" -> {
                if (mode != Mode.UNSET) {
                    throw new PastaArgs.Bad("Port forwarding mode '" + text + "' conflicts with previous mode");
                }
                if (text.equals("all")) {
                    throw new PastaArgs.Bad("'all' port forwarding is only allowed for passt");
                }
                mode = text.equals("none") ? Mode.NONE : Mode.AUTO;
                return;
            }
            default -> {
                if (mode != Mode.UNSET && mode != Mode.SPEC) {
                    throw new PastaArgs.Bad("Specific ports cannot be specified together with all/none/auto");
                }
            }
        }
        mode = Mode.SPEC;
        InetAddress addr = null;
        String ifname = null;
        String list = text;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            String a = text.substring(0, slash);
            list = text.substring(slash + 1);
            int pct = a.indexOf('%');
            if (pct >= 0) {
                ifname = a.substring(pct + 1);
                a = a.substring(0, pct);
                if (ifname.length() > MAX_IFNAME) {
                    throw invalid(text);
                }
                ifname = ifname.isEmpty() ? null : ifname;
            }
            if (a.isEmpty() && ifname == null) {
                throw invalid(text); // "/22", "%/22": neither address nor interface
            }
            if (!a.isEmpty()) {
                try {
                    addr = IpAddress.parse(a).toInetAddress();
                } catch (InvalidAddressException e) {
                    throw invalid(text);
                }
            }
        }
        specs.add(new Spec(text, ports(text, list, addr, ifname, ephemeral)));
    }

    private static List<Port> ports(String text, String list, InetAddress addr, String ifname, int[] ephemeral) {
        String[] items = list.split(",", -1);
        BitSet excluded = new BitSet(NUM_PORTS);
        boolean onlyExclusions = true;
        for (String item : items) {
            if (item.startsWith("~")) {
                int[] r = range(text, item.substring(1));
                excluded.set(r[0], r[1] + 1);
            } else {
                onlyExclusions = false;
            }
        }
        List<Port> out = new ArrayList<>();
        if (onlyExclusions) {
            for (int p = 1; p < NUM_PORTS; p++) {
                if (!excluded.get(p) && (p < ephemeral[0] || p > ephemeral[1])) {
                    out.add(new Port(addr, ifname, p, p));
                }
            }
            return out;
        }
        for (String item : items) {
            if (item.startsWith("~")) {
                continue;
            }
            int colon = item.indexOf(':');
            int[] orig = range(text, colon < 0 ? item : item.substring(0, colon));
            int[] mapped = colon < 0 ? orig : range(text, item.substring(colon + 1));
            if (mapped[1] - mapped[0] != orig[1] - orig[0]) {
                throw invalid(text);
            }
            for (int p = orig[0]; p <= orig[1]; p++) {
                if (!excluded.get(p)) {
                    out.add(new Port(addr, ifname, p, mapped[0] + (p - orig[0])));
                }
            }
        }
        return out;
    }

    /** {@code PORT} or {@code FIRST-LAST}, 1..65535. */
    private static int[] range(String text, String s) {
        int dash = s.indexOf('-');
        int first = port(text, dash < 0 ? s : s.substring(0, dash));
        int last = dash < 0 ? first : port(text, s.substring(dash + 1));
        if (last < first) {
            throw invalid(text);
        }
        return new int[] {first, last};
    }

    private static int port(String text, String s) {
        if (!s.matches("[0-9]{1,5}")) {
            throw invalid(text);
        }
        int p = Integer.parseInt(s);
        if (p == 0 || p >= NUM_PORTS) {
            throw invalid(text);
        }
        return p;
    }

    private static PastaArgs.Bad invalid(String text) {
        return new PastaArgs.Bad("Invalid port specifier " + text);
    }
}
