package dev.jnet.usernet.dns;

import dev.jnet.usernet.UsernetConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Where the DNS server at .3 forwards: the host's resolvers. The UDP NAT sends each guest
 * query flow to {@link #upstream()} from a host socket, so loopback resolvers such as
 * systemd-resolved's 127.0.0.53 work; TCP DNS connects to the same server
 * ({@link #tcpUpstream()}). Like libslirp, one server is used: the first of resolv.conf, and
 * for IPv6 queries the first IPv6 one ({@link #upstream(boolean)}; libslirp's dns6, pasta's
 * "first configured DNS resolver (with corresponding IP version)") when there is one.
 *
 * <p>Without a usable nameserver line libslirp's {@code sotranslate_out} falls through to the
 * host's loopback, so .3 reaches 127.0.0.1:53 unless host loopback is disabled; this does the
 * same, and with host loopback disabled there is no upstream (queries get ICMP port
 * unreachable).
 *
 * <p>The file is followed as libslirp follows it: when a query comes at least {@link
 * #CHECK_INTERVAL_NANOS} after the last look, one {@code stat} (modification time, size,
 * inode: a rewrite or a replacing rename) decides whether to read it again, so a VPN or
 * network change reaches the guest's next query without a restart, and the DNS path costs a
 * clock read otherwise. {@link #generation()} counts the changes of servers, so flows to the
 * old server can be dropped. Owned by the stack's thread.
 */
public final class DnsForwarder {
    /** How often at most resolv.conf is looked at (libslirp: once a second). */
    public static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final InetSocketAddress LOOPBACK_DNS =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), ResolvConf.DNS_PORT);

    /** null: fixed servers */
    private final Path path;
    private final boolean hostLoopback;
    private final LongSupplier clock;
    private List<InetSocketAddress> upstreams;
    private Object fileState;
    private long lastCheck;
    private int generation;

    private DnsForwarder(List<InetSocketAddress> upstreams, Path path, boolean hostLoopback, LongSupplier clock) {
        this.upstreams = List.copyOf(upstreams);
        this.path = path;
        this.hostLoopback = hostLoopback;
        this.clock = clock;
    }

    /** Forwarding to explicit servers (tests: a fake resolver on a loopback port). */
    public static DnsForwarder of(List<InetSocketAddress> upstreams) {
        return new DnsForwarder(upstreams, null, false, System::nanoTime);
    }

    /**
     * Forwarding to the servers of {@code config.resolvConf()}, or to 127.0.0.1:53 when it names
     * none and host loopback is enabled; followed as it changes.
     *
     * @throws UncheckedIOException if the file exists but cannot be read
     */
    public static DnsForwarder fromResolvConf(UsernetConfig config) {
        return fromResolvConf(config, System::nanoTime);
    }

    /** {@link #fromResolvConf(UsernetConfig)} with the clock that spaces the looks at the file. */
    public static DnsForwarder fromResolvConf(UsernetConfig config, LongSupplier nanoClock) {
        DnsForwarder dns = new DnsForwarder(List.of(), config.resolvConf(), config.hostLoopback(), nanoClock);
        dns.fileState = state(config.resolvConf());
        try {
            dns.upstreams = dns.read();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + config.resolvConf() + ": " + e.getMessage(), e);
        }
        dns.lastCheck = nanoClock.getAsLong();
        return dns;
    }

    private List<InetSocketAddress> read() throws IOException {
        List<InetSocketAddress> servers = ResolvConf.read(path);
        return servers.isEmpty() && hostLoopback ? List.of(LOOPBACK_DNS) : servers;
    }

    /** What tells a changed file: modification time, size and file key (device and inode); "absent" if none. */
    private static Object state(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey()));
        } catch (NoSuchFileException e) {
            return "absent";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** Reads the file again if it changed since the last look, at most once per interval. */
    private void refresh() {
        if (path == null) {
            return;
        }
        long now = clock.getAsLong();
        if (now - lastCheck < CHECK_INTERVAL_NANOS) {
            return;
        }
        lastCheck = now;
        Object state = state(path);
        if (state.equals(fileState)) {
            return;
        }
        fileState = state;
        List<InetSocketAddress> servers;
        try {
            servers = read();
        } catch (IOException e) {
            return; // mid-rewrite or unreadable: keep the servers we have, look again next time
        }
        if (!servers.equals(upstreams)) {
            upstreams = List.copyOf(servers);
            generation++;
        }
    }

    /** All known servers, IPv4 first. */
    public List<InetSocketAddress> upstreams() {
        refresh();
        return upstreams;
    }

    /** The server queries go to, or {@code null} if there is none. */
    public InetSocketAddress upstream() {
        refresh();
        return upstreams.isEmpty() ? null : upstreams.get(0);
    }

    /**
     * The server queries over IPv6 ({@code ipv6}) or IPv4 go to: the first of that family, else
     * the first of any (an IPv6 guest still resolves through an IPv4-only host); {@code null} if
     * there is none.
     */
    public InetSocketAddress upstream(boolean ipv6) {
        refresh();
        for (InetSocketAddress a : upstreams) {
            if ((a.getAddress() instanceof Inet6Address) == ipv6) {
                return a;
            }
        }
        return upstreams.isEmpty() ? null : upstreams.get(0);
    }

    /** Changes of the servers so far: flows opened under an older generation go to an old server. */
    public int generation() {
        return generation;
    }

    /** The server for DNS over TCP to .3:53 (for the TCP stack). */
    public Supplier<InetSocketAddress> tcpUpstream() {
        return this::upstream;
    }
}
