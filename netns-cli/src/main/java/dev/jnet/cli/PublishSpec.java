package dev.jnet.cli;

import dev.jnet.net.InvalidAddressException;
import dev.jnet.net.IpAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --publish [HOSTIP:]HPORT:GPORT[/tcp|/udp]} of {@code jnet rootless}: listen on the
 * host at {@code hostAddress:hostPort} and forward to the guest's {@code guestPort}. The host
 * address defaults to 0.0.0.0, the protocol to tcp, as podman and rootlesskit read such specs;
 * an IPv6 host address goes in brackets ({@code [::1]:8080:80}). Addresses are literals only:
 * parsing never looks a name up.
 */
record PublishSpec(InetAddress hostAddress, int hostPort, int guestPort, Protocol protocol) {
    enum Protocol {
        TCP, UDP;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final String FORMAT = "[HOSTIP:]HPORT:GPORT[/tcp|/udp]";
    private static final Pattern SPEC = Pattern.compile(
            "(?:(\\[[^\\]]*\\]|[^:\\[\\]/]*):)?([^:/]*):([^:/]*)(?:/(.*))?");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    /** A spec that cannot be used; the message is the one line to print. */
    static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    static PublishSpec parse(String text) {
        Matcher m = SPEC.matcher(text);
        if (!m.matches()) {
            throw bad(text, "expected " + FORMAT);
        }
        InetAddress host = m.group(1) == null || m.group(1).isEmpty() ? wildcard() : address(text, m.group(1));
        int hostPort = port(text, m.group(2), "host port");
        int guestPort = port(text, m.group(3), "guest port");
        Protocol protocol = protocol(text, m.group(4));
        return new PublishSpec(host, hostPort, guestPort, protocol);
    }

    /** Parses every spec, and refuses two that would listen on the same host port and protocol. */
    static List<PublishSpec> parseAll(List<String> texts) {
        List<PublishSpec> out = new ArrayList<>();
        if (texts == null) {
            return out;
        }
        for (String t : texts) {
            PublishSpec s = parse(t);
            for (PublishSpec earlier : out) {
                if (earlier.overlaps(s)) {
                    throw new Invalid("--publish " + s + " conflicts with --publish " + earlier
                            + ": both listen on host port " + s.hostPort + "/" + s.protocol);
                }
            }
            out.add(s);
        }
        return out;
    }

    /** Whether both would bind the same host socket: same port and protocol, and the same or a wildcard address. */
    boolean overlaps(PublishSpec o) {
        return hostPort == o.hostPort && protocol == o.protocol
                && (hostAddress.equals(o.hostAddress) || hostAddress.isAnyLocalAddress() || o.hostAddress.isAnyLocalAddress());
    }

    /** As given on the command line, normalized: {@code 127.0.0.1:8080:80/tcp}, {@code [::1]:8080:80/udp}. */
    @Override
    public String toString() {
        String host = hostAddress instanceof Inet6Address ? "[" + hostAddress.getHostAddress() + "]"
                : hostAddress.getHostAddress();
        return host + ":" + hostPort + ":" + guestPort + "/" + protocol;
    }

    private static InetAddress address(String spec, String text) {
        if (text.startsWith("[")) {
            String inner = text.substring(1, text.length() - 1);
            try {
                return IpAddress.parseIpv6(inner).toInetAddress();
            } catch (InvalidAddressException e) {
                throw bad(spec, "\"" + inner + "\" is not an IPv6 address");
            }
        }
        try {
            return IpAddress.parseIpv4(text).toInetAddress();
        } catch (InvalidAddressException e) {
            throw bad(spec, "\"" + text + "\" is not an IPv4 address"
                    + (text.matches("[0-9.]+") ? "" : " (IPv6 goes in brackets: [::1]:8080:80)"));
        }
    }

    private static int port(String spec, String text, String what) {
        if (!PORT.matcher(text).matches() || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw bad(spec, what + " \"" + text + "\" is not a port number from 1 to 65535");
        }
        return Integer.parseInt(text);
    }

    private static Protocol protocol(String spec, String text) {
        if (text == null) {
            return Protocol.TCP;
        }
        return switch (text) {
            case "tcp" -> Protocol.TCP;
            case "udp" -> Protocol.UDP;
            default -> throw bad(spec, "protocol \"" + text + "\" is not tcp or udp");
        };
    }

    private static InetAddress wildcard() {
        return IpAddress.ipv4(0).toInetAddress();
    }

    private static Invalid bad(String spec, String why) {
        return new Invalid("invalid --publish \"" + spec + "\": " + why);
    }
}
