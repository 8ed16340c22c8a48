package dev.jnet.it.rtnl;

import dev.jnet.it.JsonReader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.it.HostNetns;
import dev.jnet.it.Proc;
import dev.jnet.netns.NetnsManager;
import dev.jnet.rtnl.RtnlHandle;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fixtures for the rtnl tests: namespaces made under HostNetns names (so the extension's
 * clean-up catches them even when a test dies), iproute2 as the oracle. Every address used is
 * in 10.200.0.0/16 or fd00:200::/32 and lives only inside these namespaces.
 */
final class Rt implements AutoCloseable {
    static final NetnsManager NM = NetnsManager.rootful(HostNetns.DIR);

    private static final boolean PING_INSTALLED = Files.isExecutable(Path.of("/usr/bin/ping"))
            || Files.isExecutable(Path.of("/bin/ping"));

    private final HostNetns host;
    private final List<String> made = new ArrayList<>();
    private final List<RtnlHandle> handles = new ArrayList<>();

    Rt(HostNetns host) {
        this.host = host;
    }

    /** A fresh namespace (loopback only). */
    String ns(String tag) {
        String n = host.name(tag);
        made.add(n);
        NM.add(n);
        return n;
    }

    RtnlHandle handle(String ns) throws Exception {
        RtnlHandle h = RtnlHandle.open(NM, ns);
        handles.add(h);
        return h;
    }

    /** {@code ip -n NS args...}, which must succeed. */
    static Proc.Result ip(String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", ns));
        cmd.addAll(List.of(args));
        Proc.Result r = Proc.run(Duration.ofSeconds(30), cmd);
        assertThat(r.exit()).as(r.describe()).isZero();
        return r;
    }

    /** {@code ip -j -n NS args...} parsed. */
    static List<Map<String, Object>> ipJson(String ns, String... args) {
        List<String> a = new ArrayList<>(List.of("-j"));
        a.addAll(List.of(args));
        return JsonReader.objects(ip(ns, a.toArray(String[]::new)).stdout());
    }

    /** {@code ip netns exec NS cmd...}: the result, not asserted. */
    static Proc.Result exec(String ns, String... cmd) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(List.of(cmd));
        return Proc.run(Duration.ofSeconds(30), c);
    }

    /** One ping inside {@code ns} to an address of another of our namespaces; bounded (-W2, 3 tries). */
    static Proc.Result ping(String ns, String addr) {
        boolean v6 = addr.contains(":");
        if (!(addr.startsWith("10.200.") || addr.startsWith("fd00:200:"))) {
            throw new IllegalArgumentException("test addresses only: " + addr);
        }
        if (!PING_INSTALLED) { // e.g. a CI image without iputils-ping: an ICMP echo from a thread in ns
            boolean ok = false;
            for (int i = 0; i < 3 && !ok; i++) {
                try {
                    ok = NM.call(ns, () -> InetAddress.getByName(addr).isReachable(2000));
                } catch (Exception e) {
                    return new Proc.Result(List.of("icmp-echo", ns, addr), 2, "", e.toString());
                }
            }
            return new Proc.Result(List.of("icmp-echo", ns, addr), ok ? 0 : 1, "", ok ? "" : "no reply");
        }
        Proc.Result r = null;
        for (int i = 0; i < 3; i++) {
            r = v6 ? exec(ns, "ping", "-6", "-c1", "-W2", addr) : exec(ns, "ping", "-c1", "-W2", addr);
            if (r.exit() == 0) {
                return r;
            }
        }
        return r;
    }

    @Override
    public void close() {
        for (RtnlHandle h : handles) {
            try {
                h.close();
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        for (String n : made) {
            try {
                if (NM.exists(n)) {
                    NM.delete(n);
                }
            } catch (RuntimeException ignored) {
                // the extension removes what is left by prefix
            }
        }
    }
}
