package dev.jnet.usernet.dns;

import dev.jnet.usernet.UsernetConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where the DNS server at .3 forwards: the host's resolvers. The UDP NAT sends each guest
 * query flow to {@link #upstream()} from a host socket, so loopback resolvers such as
 * systemd-resolved's 127.0.0.53 work; TCP DNS connects to the same server
 * ({@link #tcpUpstream()}). Like libslirp, one server is used: the first of resolv.conf.
 *
 * <p>Without a usable nameserver line libslirp's {@code sotranslate_out} falls through to the
 * host's loopback, so .3 reaches 127.0.0.1:53 unless host loopback is disabled; this does the
 * same, and with host loopback disabled there is no upstream (queries get ICMP port
 * unreachable).
 */
public final class DnsForwarder {
    private static final InetSocketAddress LOOPBACK_DNS =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), ResolvConf.DNS_PORT);

    private final List<InetSocketAddress> upstreams;

    private DnsForwarder(List<InetSocketAddress> upstreams) {
        this.upstreams = List.copyOf(upstreams);
    }

    /** Forwarding to explicit servers (tests: a fake resolver on a loopback port). */
    public static DnsForwarder of(List<InetSocketAddress> upstreams) {
        return new DnsForwarder(upstreams);
    }

    /**
     * Forwarding to the servers of {@code config.resolvConf()}, or to 127.0.0.1:53 when it names
     * none and host loopback is enabled.
     *
     * @throws UncheckedIOException if the file exists but cannot be read
     */
    public static DnsForwarder fromResolvConf(UsernetConfig config) {
        List<InetSocketAddress> servers;
        try {
            servers = ResolvConf.read(config.resolvConf());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + config.resolvConf() + ": " + e.getMessage(), e);
        }
        if (servers.isEmpty() && config.hostLoopback()) {
            servers = List.of(LOOPBACK_DNS);
        }
        return new DnsForwarder(servers);
    }

    /** All known servers, IPv4 first. */
    public List<InetSocketAddress> upstreams() {
        return upstreams;
    }

    /** The server queries go to, or {@code null} if there is none. */
    public InetSocketAddress upstream() {
        return upstreams.isEmpty() ? null : upstreams.get(0);
    }

    /** The server for DNS over TCP to .3:53 (for the TCP stack). */
    public Supplier<InetSocketAddress> tcpUpstream() {
        return this::upstream;
    }
}
