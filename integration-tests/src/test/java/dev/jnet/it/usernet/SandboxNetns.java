package dev.jnet.it.usernet;

import dev.jnet.it.HostNetns;
import dev.jnet.it.Proc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two root-made namespaces of a usernet sandbox. "host" plays the machine the stack runs on:
 * lo up, one veth whose other end is in "internet", and a default route there as its only route
 * out, so nothing the stack sends can leave the machine (IPv6 likewise, over 2001:db8:1::/64).
 * "internet" holds the fake hosts' TEST-NET-3 addresses and 2001:db8::10 on its lo. Both names start with {@code itx-<jvm pid>-}
 * (prefix settable); {@link #create}
 * first removes such namespaces of JVMs that are gone (a run killed before its clean-up).
 */
final class SandboxNetns implements AutoCloseable {
    /** {@code -Djnet.it.netnsPrefix=hdx} gives parallel checkouts on one machine names of their own. */
    static final String PREFIX = System.getProperty("jnet.it.netnsPrefix", "itx").replaceAll("[^a-z0-9]", "") + "-";
    static final String HOST_ADDRESS = "198.51.100.2";
    static final String INTERNET_ADDRESS = "198.51.100.1";
    /** The veth's IPv6 addresses (documentation prefix 2001:db8::/32, like every fake IPv6 host). */
    static final String HOST_ADDRESS6 = "2001:db8:1::2";
    static final String INTERNET_ADDRESS6 = "2001:db8:1::1";
    /** Every group may open ICMP echo sockets in the host namespace (the stack pings with them). */
    static final String PING_GROUP_RANGE = "0 2147483647";
    private static final Pattern OURS = Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-\\d+-(host|inet)");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String host;
    private final String internet;
    private final List<String> made = new ArrayList<>();

    private SandboxNetns(String host, String internet) {
        this.host = host;
        this.internet = internet;
    }

    static SandboxNetns create() {
        removeStale();
        String base = PREFIX + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet() + "-";
        SandboxNetns n = new SandboxNetns(base + "host", base + "inet");
        try {
            n.build();
            return n;
        } catch (RuntimeException | Error e) {
            n.close();
            throw e;
        }
    }

    private void build() {
        ip("netns", "add", host);
        made.add(host);
        writeEtcNetns();
        ip("netns", "add", internet);
        made.add(internet);
        ip("-n", host, "link", "set", "lo", "up");
        ip("-n", internet, "link", "set", "lo", "up");
        ip("link", "add", "up0", "netns", host, "type", "veth", "peer", "name", "down0", "netns", internet);
        ip("-n", host, "addr", "add", HOST_ADDRESS + "/24", "dev", "up0");
        ip("-n", internet, "addr", "add", INTERNET_ADDRESS + "/24", "dev", "down0");
        ip("-n", host, "link", "set", "up0", "up");
        ip("-n", internet, "link", "set", "down0", "up");
        ip("-n", host, "route", "add", "default", "via", INTERNET_ADDRESS);
        ip("-n", internet, "addr", "add", FakeInternet.WEB_ADDRESS + "/32", "dev", "lo");
        ip("-n", internet, "addr", "add", FakeInternet.DNS_ADDRESS + "/32", "dev", "lo");
        // IPv6 the same way (usernet -6 sends there): on in both, ::1 on lo, nodad so the
        // addresses work at once, the host's only IPv6 route out the veth
        for (String ns : List.of(host, internet)) {
            check(Proc.run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0"));
        }
        ip("-n", host, "addr", "add", HOST_ADDRESS6 + "/64", "dev", "up0", "nodad");
        ip("-n", internet, "addr", "add", INTERNET_ADDRESS6 + "/64", "dev", "down0", "nodad");
        ip("-n", host, "-6", "route", "add", "default", "via", INTERNET_ADDRESS6);
        ip("-n", internet, "addr", "add", FakeInternet.WEB_ADDRESS6 + "/128", "dev", "lo", "nodad");
        check(Proc.run("ip", "netns", "exec", host, "sysctl", "-qw", "net.ipv4.ping_group_range=" + PING_GROUP_RANGE));
    }

    /**
     * What {@code ip netns exec} shows programs in the host namespace: the fake resolver, and
     * a hosts file that answers localhost without a lookup. The stack reads this resolv.conf.
     */
    private void writeEtcNetns() {
        Path dir = HostNetns.ETC_NETNS.resolve(host);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("resolv.conf"), "nameserver " + FakeInternet.DNS_ADDRESS + "\n");
            Files.writeString(dir.resolve("hosts"), "127.0.0.1 localhost\n::1 localhost\n");
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + dir, e);
        }
    }

    /** The namespace the stack, the guest and the host-loopback server live in. */
    String host() {
        return host;
    }

    /** The namespace of the fake hosts. */
    String internet() {
        return internet;
    }

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        check(Proc.run(Proc.DEFAULT_TIMEOUT, cmd));
    }

    private static void check(Proc.Result r) {
        if (r.exit() != 0) {
            throw new IllegalStateException("sandbox set-up failed: " + r.describe());
        }
    }

    /** Removes namespaces (and /etc/netns directories) left by JVMs that no longer run. */
    private static void removeStale() {
        for (String e : HostNetns.entries()) {
            staleOwner(e).ifPresent(pid -> remove(e));
        }
        if (Files.isDirectory(HostNetns.ETC_NETNS)) {
            try (var ds = Files.newDirectoryStream(HostNetns.ETC_NETNS)) {
                for (Path p : ds) {
                    if (staleOwner(p.getFileName().toString()).isPresent()) {
                        deleteEtcNetns(p.getFileName().toString());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("listing " + HostNetns.ETC_NETNS, e);
            }
        }
    }

    private static Optional<Long> staleOwner(String name) {
        Matcher m = OURS.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        long pid = Long.parseLong(m.group(1));
        return ProcessHandle.of(pid).isPresent() ? Optional.empty() : Optional.of(pid);
    }

    private static void remove(String name) {
        Proc.run("ip", "netns", "del", name); // best effort: also clean what is half there
        deleteEtcNetns(name);
    }

    private static void deleteEtcNetns(String name) {
        Path dir = HostNetns.ETC_NETNS.resolve(name);
        try {
            Files.deleteIfExists(dir.resolve("resolv.conf"));
            Files.deleteIfExists(dir.resolve("hosts"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("removing " + dir, e);
        }
    }

    /** Deletes both namespaces (the veth goes with them) and the /etc/netns directory. */
    @Override
    public void close() {
        List<String> failures = new ArrayList<>();
        for (String name : List.of(host, internet)) {
            if (made.contains(name) || HostNetns.entries().contains(name)) {
                Proc.Result r = Proc.run("ip", "netns", "del", name);
                if (r.exit() != 0 && HostNetns.entries().contains(name)) {
                    failures.add(r.describe());
                }
            }
        }
        deleteEtcNetns(host);
        if (!failures.isEmpty()) {
            throw new IllegalStateException("sandbox clean-up failed: " + String.join("\n", failures));
        }
    }
}
