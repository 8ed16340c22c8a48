package dev.jnet.usernet.forward;

import dev.jnet.linux.Helper;
import dev.jnet.net.IpAddress;
import dev.jnet.netlink.NetlinkException;
import dev.jnet.usernet.guest.GuestTarget;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * pasta's {@code auto} port forwarding: the ports bound on one side forwarded from the same
 * ports on the other, following them as they come and go.
 * <ul>
 * <li>{@code -t auto}: TCP ports listened on in the guest's namespace get a host forward
 * (any address of each family the plan listens on, same port), rescanned every second;</li>
 * <li>{@code -u auto}: UDP ports bound in the namespace get one, scanned once at start;</li>
 * <li>{@code -T auto}: TCP ports listened on in this process's namespace (the init namespace)
 * get a listener on the namespace's loopback ({@link NamespaceForwards}), rescanned every
 * second;</li>
 * <li>{@code -U auto}: UDP ports bound in this process's namespace get a socket on the
 * namespace's loopback relayed to the host's, scanned once at start (pasta scans UDP ports
 * once, "when pasta starts (not periodically)", pasta(1)).</li>
 * </ul>
 * As pasta, each direction leaves out the ports the other direction forwards (its own
 * listeners show up in the other side's scan: forwarding them back would loop) and the ports
 * fixed specs forward already. A port that cannot be forwarded (in use, privileged) is not
 * tried again until it goes from the scan and comes back. Scans run on a thread of their own,
 * never on the stack's loop; each is bounded (65535 ports at most per side).
 */
public final class AutoForwards implements AutoCloseable {
    public static final long PERIOD_MS = 1000;
    private static final long FORWARD_TIMEOUT_SECONDS = 10;
    private static final int NETLINK_SOCK_DIAG = ListeningPorts.NETLINK_SOCK_DIAG;
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;

    /**
     * What to follow: {@code tcpIn}/{@code udpIn}: -t/-u auto; {@code tcpOut}/{@code udpOut}:
     * -T/-U auto; {@code fixedTcpIn}/{@code fixedUdpIn}: host ports fixed -t/-u specs bind;
     * {@code ipv4In}: -t/-u auto listen on 0.0.0.0 (to the guest's IPv4 address);
     * {@code guest6In}: when not {@code null}, they also listen on {@code ::}, IPv6 only, to
     * this guest address, as pasta listens on both families when the namespace has IPv6.
     */
    public record Plan(boolean tcpIn, boolean udpIn, boolean tcpOut, boolean udpOut, BitSet fixedTcpIn,
            BitSet fixedUdpIn, boolean ipv4In, Inet6Address guest6In) {
        /** IPv4 only. */
        public Plan(boolean tcpIn, boolean udpIn, boolean tcpOut, boolean udpOut, BitSet fixedTcpIn, BitSet fixedUdpIn) {
            this(tcpIn, udpIn, tcpOut, udpOut, fixedTcpIn, fixedUdpIn, true, null);
        }

        public boolean any() {
            return tcpIn || udpIn || tcpOut || udpOut;
        }

        /** The host forwards of {@code port} bound in the namespace: one per family listened on. */
        List<HostForward> inbound(HostForward.Proto proto, int port) {
            List<HostForward> out = new ArrayList<>(2);
            if (ipv4In) {
                out.add(new HostForward(proto, IpAddress.ipv4(0).toInetAddress(), port, null, port, true));
            }
            if (guest6In != null) {
                out.add(new HostForward(proto, IpAddress.of(new byte[16]).toInetAddress(), port, guest6In, port, true,
                        null, true));
            }
            return out;
        }
    }

    private final PortForwarding forwarding;
    private final NamespaceForwards nsForwards;
    private final Plan plan;
    private final ListeningPorts inside;
    private final ListeningPorts outside;
    /** Port to its forwards' ids (-t auto, -u auto); ports that failed, until they leave the scan. */
    private final Map<Integer, List<Integer>> tcpIds = new HashMap<>();
    private final Map<Integer, List<Integer>> udpIds = new HashMap<>();
    private final BitSet tcpFailed = new BitSet();
    private final BitSet nsPorts = new BitSet();
    private final BitSet nsFailed = new BitSet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jnet-auto-forwards");
        t.setDaemon(true);
        return t;
    });

    private AutoForwards(PortForwarding forwarding, NamespaceForwards nsForwards, Plan plan, ListeningPorts inside,
            ListeningPorts outside) {
        this.forwarding = forwarding;
        this.nsForwards = nsForwards;
        this.plan = plan;
        this.inside = inside;
        this.outside = outside;
    }

    /**
     * Scans once now (what is bound already is forwarded when this returns), then every
     * second for TCP. {@code nsForwards} holds the fixed {@code -T} listeners and gets the
     * automatic ones.
     *
     * @throws ForwardException when the namespace cannot be scanned
     */
    public static AutoForwards start(GuestTarget target, PortForwarding forwarding, NamespaceForwards nsForwards,
            Plan plan) {
        ListeningPorts inside = null;
        ListeningPorts outside = null;
        try {
            if (plan.tcpIn() || plan.udpIn()) {
                inside = ListeningPorts.adopt(target.enter().takeSocket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG));
            }
            if (plan.tcpOut() || plan.udpOut()) {
                outside = ListeningPorts.ofOwnNamespace();
            }
        } catch (Helper.HelperException | dev.jnet.linux.SyscallException e) {
            if (inside != null) {
                inside.close();
            }
            throw new ForwardException(ForwardException.Kind.UNAVAILABLE, "scanning the bound ports for 'auto': "
                    + e.getMessage(), e);
        }
        AutoForwards a = new AutoForwards(forwarding, nsForwards, plan, inside, outside);
        try {
            if (plan.udpIn()) {
                a.udpOnce();
            }
            if (plan.udpOut()) {
                a.udpNsOnce(); // after the -u forwards: their host sockets are left out
            }
            a.tcpScan();
        } catch (NetlinkException e) {
            a.close();
            throw new ForwardException(ForwardException.Kind.UNAVAILABLE, "scanning the bound ports for 'auto': "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
        if (plan.tcpIn() || plan.tcpOut()) {
            a.timer.scheduleWithFixedDelay(a::tcpScanQuietly, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
        }
        return a;
    }

    private void tcpScanQuietly() {
        try {
            tcpScan();
        } catch (RuntimeException e) {
            // the namespace went (the stack ends with it), or one scan failed: the next one tries again
        }
    }

    private void tcpScan() {
        if (plan.tcpIn()) {
            BitSet bound = inside.tcp();
            bound.andNot(nsForwards.ports(HostForward.Proto.TCP)); // our own -T listeners
            bound.andNot(plan.fixedTcpIn());
            sync(bound, tcpIds, tcpFailed, HostForward.Proto.TCP);
        }
        if (plan.tcpOut()) {
            BitSet bound = outside.tcp();
            bound.andNot(plan.fixedTcpIn()); // our own host listeners
            for (int p : tcpIds.keySet()) {
                bound.clear(p);
            }
            syncNs(bound);
        }
    }

    private void udpOnce() {
        BitSet bound = inside.udp();
        bound.andNot(plan.fixedUdpIn());
        sync(bound, udpIds, new BitSet(), HostForward.Proto.UDP);
    }

    /** -U auto: a namespace loopback socket for each UDP port bound on the host but our own. */
    private void udpNsOnce() {
        BitSet bound = outside.udp();
        bound.andNot(plan.fixedUdpIn()); // our own host sockets of -u specs
        for (int p : udpIds.keySet()) {
            bound.clear(p); // and of -u auto
        }
        bound.andNot(nsForwards.ports(HostForward.Proto.UDP)); // fixed -U specs
        for (int port = bound.nextSetBit(1); port > 0; port = bound.nextSetBit(port + 1)) {
            try {
                nsForwards.add(new NamespaceForwards.Port(HostForward.Proto.UDP, port, port));
            } catch (ForwardException e) {
                // bound in the namespace already, or privileged: skipped, as pasta does
            }
        }
    }

    /**
     * Host forwards for ports newly {@code bound} in the namespace (a port counts as forwarded
     * when one of its families could be bound); those of ports no longer bound removed.
     */
    private void sync(BitSet bound, Map<Integer, List<Integer>> ids, BitSet failed, HostForward.Proto proto) {
        failed.and(bound);
        for (Iterator<Map.Entry<Integer, List<Integer>>> it = ids.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Integer, List<Integer>> e = it.next();
            if (!bound.get(e.getKey())) {
                e.getValue().forEach(id -> await(forwarding.remove(id)));
                it.remove();
            }
        }
        for (int port = bound.nextSetBit(1); port > 0; port = bound.nextSetBit(port + 1)) {
            if (!ids.containsKey(port) && !failed.get(port)) {
                List<Integer> made = new ArrayList<>(2);
                for (HostForward f : plan.inbound(proto, port)) {
                    Integer id = await(forwarding.add(f));
                    if (id != null) {
                        made.add(id);
                    }
                }
                if (!made.isEmpty()) {
                    ids.put(port, made);
                } else {
                    failed.set(port);
                }
            }
        }
    }

    /** Namespace listeners for host ports newly {@code bound}; those of ports no longer bound closed. */
    private void syncNs(BitSet bound) {
        nsFailed.and(bound);
        for (int port = nsPorts.nextSetBit(1); port > 0; port = nsPorts.nextSetBit(port + 1)) {
            if (!bound.get(port)) {
                nsForwards.remove(port);
                nsPorts.clear(port);
            }
        }
        BitSet taken = nsForwards.ports(HostForward.Proto.TCP); // fixed -T listeners stay as they are
        for (int port = bound.nextSetBit(1); port > 0; port = bound.nextSetBit(port + 1)) {
            if (!nsPorts.get(port) && !nsFailed.get(port) && !taken.get(port)) {
                try {
                    nsForwards.add(new NamespaceForwards.Port(port, port));
                    nsPorts.set(port);
                } catch (ForwardException e) {
                    nsFailed.set(port);
                }
            }
        }
    }

    /** The future's value; null when it failed (port in use: skipped, as pasta does) or timed out. */
    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(FORWARD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Stops scanning; the forwards made stay until the stack and {@code nsForwards} close. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(FORWARD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (inside != null) {
            inside.close();
        }
        if (outside != null) {
            outside.close();
        }
    }
}
