package dev.jnet.usernet.forward;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * One port forward: what listens on the host ({@code hostAddr:hostPort}) and where its
 * connections or datagrams go in the guest ({@code guestAddr:guestPort}).
 *
 * @param proto          TCP or UDP
 * @param hostAddr       the host address to listen on ({@code null}: 0.0.0.0); IPv4 or IPv6
 * @param hostPort       1..65535
 * @param guestAddr      the guest's address to forward to ({@code null}: the guest's .100);
 *                       IPv6 needs the stack's IPv6 and is TCP only
 * @param guestPort      1..65535
 * @param preserveSource the guest sees the client's real address and port (IPv4 clients of an
 *                       IPv4 guest address, IPv6 clients of an IPv6 one, never loopback);
 *                       otherwise, as in slirp4netns for local clients, the gateway with a
 *                       port the stack picks
 * @param hostInterface  the interface the host socket is bound to (SO_BINDTODEVICE, pasta's
 *                       {@code ADDR%IF/PORT}), or {@code null} for any
 * @param v6only         an IPv6 host address takes IPv6 clients only (IPV6_V6ONLY), so a
 *                       {@code ::} forward can listen beside a 0.0.0.0 one of the same port, as
 *                       pasta binds its two; otherwise {@code ::} is dual-stack (the Linux default)
 */
public record HostForward(Proto proto, InetAddress hostAddr, int hostPort, InetAddress guestAddr, int guestPort,
        boolean preserveSource, String hostInterface, boolean v6only) {

    /** The longest interface name (IFNAMSIZ less its NUL). */
    public static final int MAX_IFNAME = 15;

    /** The transport of a forward, spelled as the API spells it. */
    public enum Proto {
        TCP, UDP;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** {@code "tcp"} or {@code "udp"}; {@code null} for anything else. */
        public static Proto parse(String s) {
            return "tcp".equals(s) ? TCP : "udp".equals(s) ? UDP : null;
        }
    }

    /** A forward on every interface; {@code ::} dual-stack. */
    public HostForward(Proto proto, InetAddress hostAddr, int hostPort, InetAddress guestAddr, int guestPort,
            boolean preserveSource) {
        this(proto, hostAddr, hostPort, guestAddr, guestPort, preserveSource, null, false);
    }

    /** A forward bound to {@code hostInterface} (null: any); {@code ::} dual-stack. */
    public HostForward(Proto proto, InetAddress hostAddr, int hostPort, InetAddress guestAddr, int guestPort,
            boolean preserveSource, String hostInterface) {
        this(proto, hostAddr, hostPort, guestAddr, guestPort, preserveSource, hostInterface, false);
    }

    public HostForward {
        Objects.requireNonNull(proto, "proto");
        if (hostInterface != null && (hostInterface.isEmpty() || hostInterface.length() > MAX_IFNAME)) {
            throw new ForwardException(ForwardException.Kind.BAD_HOST_ADDRESS, "interface name '" + hostInterface
                    + "' is not 1.." + MAX_IFNAME + " characters");
        }
        if (v6only && !(hostAddr instanceof Inet6Address)) {
            throw new ForwardException(ForwardException.Kind.BAD_HOST_ADDRESS, "IPv6 only, but the host address "
                    + (hostAddr == null ? "0.0.0.0" : hostAddr.getHostAddress()) + " is not IPv6");
        }
        if (hostPort < 1 || hostPort > 65535) {
            throw new ForwardException(ForwardException.Kind.BAD_PORT, "host port " + hostPort + " is not 1..65535");
        }
        if (guestPort < 1 || guestPort > 65535) {
            throw new ForwardException(ForwardException.Kind.BAD_PORT, "guest port " + guestPort + " is not 1..65535");
        }
    }

    /** A forward of {@code proto} from {@code hostAddr:hostPort} to the guest's own address. */
    public static HostForward of(Proto proto, InetAddress hostAddr, int hostPort, int guestPort) {
        return new HostForward(proto, hostAddr, hostPort, null, guestPort, false);
    }

    public HostForward withPreserveSource(boolean on) {
        return new HostForward(proto, hostAddr, hostPort, guestAddr, guestPort, on, hostInterface, v6only);
    }

    /** Where the host side listens. */
    public InetSocketAddress hostSocketAddress() {
        return new InetSocketAddress(hostAddr, hostPort);
    }

    @Override
    public String toString() {
        return (hostAddr == null ? "0.0.0.0" : hostAddr.getHostAddress())
                + (hostInterface == null ? "" : "%" + hostInterface) + ":" + hostPort + "/" + proto.wireName()
                + (v6only ? " (IPv6 only)" : "")
                + " -> " + (guestAddr == null ? "guest" : guestAddr.getHostAddress()) + ":" + guestPort
                + (preserveSource ? " (source preserved)" : "");
    }
}
