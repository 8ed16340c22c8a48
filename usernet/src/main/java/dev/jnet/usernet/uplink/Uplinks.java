package dev.jnet.usernet.uplink;

import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;
import dev.jnet.netns.HolderProcess;
import dev.jnet.netns.NetnsManager;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlHandle;
import dev.jnet.wiring.NetnsConnector;
import dev.jnet.wiring.UsedPrefixes;
import dev.jnet.wiring.WiringException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Puts rootless namespaces online through usernet, one call each way: {@link #connect} starts a
 * usernet process ({@link UplinkDaemon}, a JVM of its own that outlives the caller) serving the
 * namespace's {@code tap0} on a /24 that no address or route of the host or the namespace
 * overlaps (10.0.2.0/24, slirp4netns's, when free), and records it; {@link #disconnect} stops
 * it, and the tap, its address and its default route go with it. Refusals, as
 * {@link NetnsConnector}'s: a missing namespace, one connected already, one with a default
 * route of its own.
 */
public final class Uplinks {
    /** usernet's MTU for uplinks: rootlesskit's and podman's 65520. */
    public static final int MTU = 65520;
    private static final int FIRST_NET = 0x0A00_0200; // 10.0.2.0
    private static final long START_TIMEOUT_SECONDS = 60;

    private final NetnsManager manager;
    private final UplinkRecords records;

    /**
     * @param manager the (rootless) namespaces
     * @param stateDir where uplinks are recorded ({@code uplinks/} below it), e.g.
     *        {@link NetnsConnector#defaultStateDir()}
     */
    public Uplinks(NetnsManager manager, Path stateDir) {
        this.manager = manager;
        this.records = new UplinkRecords(stateDir.resolve("uplinks"));
    }

    /** Starts usernet for namespace {@code name} and returns once {@code tap0} is up and served. */
    public Uplink connect(String name) {
        long holder = holderPid(name);
        if (!records.lock(name)) {
            Uplink old = records.read(name);
            if (old != null && isRunning(old)) {
                throw new WiringException(WiringException.Kind.ALREADY_CONNECTED, name,
                        "Namespace \"" + name + "\" is already connected (usernet process " + old.pid() + ")", null);
            }
            records.delete(name); // its usernet is gone (the namespace was deleted and made again)
            if (!records.lock(name)) {
                throw new WiringException(WiringException.Kind.ALREADY_CONNECTED, name,
                        "Namespace \"" + name + "\" is being connected", null);
            }
        }
        try {
            IpPrefix net = freeNetwork(name);
            Uplink u = start(name, holder, net);
            return u;
        } catch (RuntimeException e) {
            records.delete(name);
            throw e;
        }
    }

    /** Stops {@code name}'s usernet (SIGTERM, waited for) and forgets it. */
    public Uplink disconnect(String name) {
        Uplink u = records.read(name);
        if (u == null) {
            throw new WiringException(WiringException.Kind.NOT_FOUND,
                    "Namespace \"" + name + "\" is not connected (no " + records.file(name) + ")");
        }
        new HolderProcess(u.pid(), u.startTime()).stop();
        records.delete(name);
        return u;
    }

    /** The recorded uplink of {@code name}, or null. */
    public Uplink read(String name) {
        return records.read(name);
    }

    private static boolean isRunning(Uplink u) {
        return new HolderProcess(u.pid(), u.startTime()).alive();
    }

    /** The process holding rootless namespace {@code name} (its path is {@code /proc/PID/ns/net}). */
    private long holderPid(String name) {
        boolean ok;
        try {
            ok = manager.exists(name);
        } catch (RuntimeException e) {
            ok = false;
        }
        Path p = ok ? manager.path(name) : null;
        if (p == null || p.getNameCount() != 4 || !p.startsWith("/proc")) {
            throw new WiringException(WiringException.Kind.NOT_FOUND,
                    "Cannot open network namespace \"" + name + "\": No such file or directory");
        }
        return Long.parseLong(p.getName(1).toString());
    }

    /** The first 10.0.N.0/24 from N = 2 that nothing in the host or the namespace overlaps. */
    private IpPrefix freeNetwork(String name) {
        UsedPrefixes used = new UsedPrefixes();
        try (RtnlHandle host = RtnlHandle.open(); RtnlHandle ns = RtnlHandle.open(manager, name)) {
            if (UsedPrefixes.hasDefaultRoute(ns, Route.AF_INET)) {
                throw NetnsConnector.hasDefaultRoute(name, "IPv4");
            }
            used.add(host, "in the host namespace", Set.of()).add(ns, "in namespace \"" + name + "\"", Set.of());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new WiringException(WiringException.Kind.SYSTEM, name, "Cannot open network namespace \"" + name
                    + "\": " + e.getMessage(), e);
        }
        for (int n = FIRST_NET; n <= 0x0A00_FF00; n += 0x100) {
            IpPrefix cand = new IpPrefix(IpAddress.ipv4(n), 24);
            if (used.overlap(cand).isEmpty()) {
                return cand;
            }
        }
        throw new WiringException(WiringException.Kind.NO_FREE_SUBNET, "No free 10.0.N.0/24 subnet left");
    }

    /** Starts the daemon, waits for its first line, records it, then lets it stay. */
    private Uplink start(String name, long holder, IpPrefix net) {
        Process p;
        try {
            p = new ProcessBuilder(command(holder, net)).start();
        } catch (IOException e) {
            throw new WiringException(WiringException.Kind.SYSTEM, name, "Cannot start usernet: " + e.getMessage(), e);
        }
        boolean committed = false;
        try {
            String line = firstLine(p);
            if (!"ready".equals(line)) {
                throw new WiringException(WiringException.Kind.SYSTEM, name, "Cannot connect namespace \"" + name
                        + "\": " + failure(p, line), null);
            }
            HolderProcess proc = HolderProcess.inspect(p.pid()).orElseThrow(() -> new WiringException(
                    WiringException.Kind.SYSTEM, name, "Cannot connect namespace \"" + name + "\": usernet exited", null));
            Uplink u = new Uplink(name, p.pid(), proc.startTime(), net);
            records.write(u);
            try (OutputStream in = p.getOutputStream()) {
                in.write('c');
            }
            committed = true;
            return u;
        } catch (IOException e) {
            throw new WiringException(WiringException.Kind.SYSTEM, name, "Cannot connect namespace \"" + name + "\": "
                    + e.getMessage(), e);
        } finally {
            if (!committed) {
                p.destroyForcibly();
                waitQuietly(p);
            }
        }
    }

    /** The daemon's first stdout line, or null at end of file or after {@link #START_TIMEOUT_SECONDS}. */
    private static String firstLine(Process p) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            return line.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** What went wrong, from the daemon's {@code error} line or, failing that, its stderr. */
    private static String failure(Process p, String line) {
        if (line != null && line.startsWith("error ")) {
            return line.substring("error ".length());
        }
        p.destroyForcibly();
        waitQuietly(p);
        try {
            String err = new String(p.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            int nl = err.indexOf('\n');
            return err.isEmpty() ? "usernet did not start" : nl < 0 ? err : err.substring(0, nl);
        } catch (IOException e) {
            return "usernet did not start";
        }
    }

    private static void waitQuietly(Process p) {
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** This JVM's java and class (or module) path, the jnet and JNA settings, usernet's memory caps. */
    static List<String> command(long holder, IpPrefix net) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xms16m", "-Xmx128m", "-XX:MaxNewSize=16m", "-XX:MaxDirectMemorySize=1g",
                "-XX:+UseSerialGC", "-Dio.netty.allocator.type=pooled"));
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("jnet.") || k.startsWith("jna.")) {
                cmd.add("-D" + k + "=" + System.getProperty(k));
            }
        }
        Module m = UplinkDaemon.class.getModule();
        String modulePath = System.getProperty("jdk.module.path");
        if (m.isNamed() && modulePath != null) {
            cmd.addAll(List.of("-p", modulePath, "-m", m.getName() + "/" + UplinkDaemon.class.getName()));
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), UplinkDaemon.class.getName()));
        }
        cmd.addAll(List.of(Long.toString(holder), net.toString(), Integer.toString(MTU)));
        return cmd;
    }
}
