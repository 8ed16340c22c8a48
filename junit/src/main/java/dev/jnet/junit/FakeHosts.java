package dev.jnet.junit;

import dev.jnet.net.IpAddress;
import dev.jnet.usernet.nat.HostRedirect;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The {@link Internet}'s closed world for the stack: declared hosts answer ping, their declared
 * ports lead to loopback targets, nothing else leads anywhere. Lookups are binary searches in
 * arrays replaced as a whole on change (the stack's thread reads without locks or allocation).
 */
final class FakeHosts implements HostRedirect {
    /** Declared ports at most (a bound on the table). */
    static final int MAX_PORTS = 4096;

    private record Table(int[] hosts, long[] keys, InetSocketAddress[] targets) {}

    private volatile Table table = new Table(new int[0], new long[0], new InetSocketAddress[0]);

    synchronized void addHost(IpAddress address) {
        Table t = table;
        int a = address.toIpv4Int();
        if (Arrays.binarySearch(t.hosts(), a) >= 0) {
            return;
        }
        int[] hosts = Arrays.copyOf(t.hosts(), t.hosts().length + 1);
        hosts[hosts.length - 1] = a;
        Arrays.sort(hosts);
        table = new Table(hosts, t.keys(), t.targets());
    }

    synchronized void put(IpAddress address, int port, InetSocketAddress target) {
        Table t = table;
        long key = key(address.toIpv4Int(), port);
        int i = Arrays.binarySearch(t.keys(), key);
        if (i >= 0) {
            throw new TopologyException(address + ":" + port + " is served already");
        }
        if (t.keys().length >= MAX_PORTS) {
            throw new TopologyException("fake hosts: " + MAX_PORTS + " ports at most");
        }
        int at = -i - 1;
        long[] keys = new long[t.keys().length + 1];
        InetSocketAddress[] targets = new InetSocketAddress[keys.length];
        System.arraycopy(t.keys(), 0, keys, 0, at);
        System.arraycopy(t.targets(), 0, targets, 0, at);
        keys[at] = key;
        targets[at] = target;
        System.arraycopy(t.keys(), at, keys, at + 1, t.keys().length - at);
        System.arraycopy(t.targets(), at, targets, at + 1, t.keys().length - at);
        table = new Table(t.hosts(), keys, targets);
    }

    @Override
    public boolean reaches(int dst, int port) {
        Table t = table;
        return port == 0 ? Arrays.binarySearch(t.hosts(), dst) >= 0 : Arrays.binarySearch(t.keys(), key(dst, port)) >= 0;
    }

    @Override
    public InetSocketAddress target(int dst, int port) {
        Table t = table;
        int i = Arrays.binarySearch(t.keys(), key(dst, port));
        if (i < 0) {
            throw new IllegalStateException("not a fake host's port: " + IpAddress.ipv4(dst) + ":" + port);
        }
        return t.targets()[i];
    }

    /** Unsigned address, then port: sorted as addresses and ports sort. */
    private static long key(int address, int port) {
        return ((address & 0xFFFF_FFFFL) << 16) | port;
    }
}
