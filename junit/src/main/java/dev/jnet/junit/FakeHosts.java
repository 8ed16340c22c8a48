package dev.jnet.junit;

import dev.jnet.net.IpAddress;
import dev.jnet.usernet.nat.HostRedirect;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The {@link Internet}'s closed world for the stack: declared hosts (IPv4 or IPv6) answer
 * ping, their declared ports lead to loopback targets (per protocol: a TCP port captures no
 * UDP), nothing else leads anywhere. One sorted table of (address, protocol and port) keys,
 * IPv4 addresses as IPv4-mapped IPv6 ones; a host is its key with port 0 (echo). Lookups are
 * binary searches in arrays replaced as a whole on change (the stack's thread reads without
 * locks or allocation).
 */
final class FakeHosts implements HostRedirect {
    /** Declared hosts and ports at most (a bound on the table). */
    static final int MAX_ENTRIES = 4096;
    private static final long V4_MAPPED = 0xFFFF_0000_0000L;

    /** Keys (high, low, protocol and port) sorted unsigned; targets null for hosts (echo). */
    private record Table(long[] high, long[] low, int[] protoPort, InetSocketAddress[] targets) {
        int size() {
            return high.length;
        }
    }

    private volatile Table table = new Table(new long[0], new long[0], new int[0], new InetSocketAddress[0]);

    synchronized void addHost(IpAddress address) {
        if (find(table, high(address), low(address), 0) < 0) {
            insert(address, 0, null);
        }
    }

    /** Port {@code port} of protocol {@code proto} ({@link #TCP} or {@link #UDP}) of {@code address} leads to {@code target}. */
    synchronized void put(IpAddress address, int proto, int port, InetSocketAddress target) {
        if (find(table, high(address), low(address), protoPort(proto, port)) >= 0) {
            throw new TopologyException((proto == UDP ? "UDP " : "TCP ") + address + " port "
                    + port + " is served already");
        }
        insert(address, protoPort(proto, port), target);
    }

    private void insert(IpAddress address, int pp, InetSocketAddress target) {
        Table t = table;
        if (t.size() >= MAX_ENTRIES) {
            throw new TopologyException("fake hosts: " + MAX_ENTRIES + " hosts and ports at most");
        }
        long hi = high(address);
        long lo = low(address);
        int at = -find(t, hi, lo, pp) - 1;
        int n = t.size() + 1;
        Table u = new Table(new long[n], new long[n], new int[n], new InetSocketAddress[n]);
        copy(t, 0, u, 0, at);
        copy(t, at, u, at + 1, t.size() - at);
        u.high()[at] = hi;
        u.low()[at] = lo;
        u.protoPort()[at] = pp;
        u.targets()[at] = target;
        table = u;
    }

    private static void copy(Table from, int i, Table to, int j, int n) {
        System.arraycopy(from.high(), i, to.high(), j, n);
        System.arraycopy(from.low(), i, to.low(), j, n);
        System.arraycopy(from.protoPort(), i, to.protoPort(), j, n);
        System.arraycopy(from.targets(), i, to.targets(), j, n);
    }

    @Override
    public boolean reaches(int proto, int dst, int port) {
        return find(table, 0, V4_MAPPED | (dst & 0xFFFF_FFFFL), protoPort(proto, port)) >= 0;
    }

    @Override
    public InetSocketAddress target(int proto, int dst, int port) {
        return target(0, V4_MAPPED | (dst & 0xFFFF_FFFFL), proto, port);
    }

    @Override
    public boolean reaches6(int proto, long dstHigh, long dstLow, int port) {
        return find(table, dstHigh, dstLow, protoPort(proto, port)) >= 0;
    }

    @Override
    public InetSocketAddress target6(int proto, long dstHigh, long dstLow, int port) {
        return target(dstHigh, dstLow, proto, port);
    }

    private InetSocketAddress target(long hi, long lo, int proto, int port) {
        Table t = table;
        int i = find(t, hi, lo, protoPort(proto, port));
        if (i < 0 || t.targets()[i] == null) {
            throw new IllegalStateException("not a fake host's port: " + proto + "/" + port);
        }
        return t.targets()[i];
    }

    /** 0 for echo; the port for TCP; the port + 65536 for UDP. */
    private static int protoPort(int proto, int port) {
        return proto == ECHO ? 0 : proto == UDP ? 0x1_0000 | port : port;
    }

    /** Binary search: the index, or -(insertion point) - 1. */
    private static int find(Table t, long hi, long lo, int pp) {
        int from = 0;
        int to = t.size() - 1;
        while (from <= to) {
            int mid = (from + to) >>> 1;
            int c = Long.compareUnsigned(t.high()[mid], hi);
            if (c == 0) {
                c = Long.compareUnsigned(t.low()[mid], lo);
            }
            if (c == 0) {
                c = Integer.compare(t.protoPort()[mid], pp);
            }
            if (c < 0) {
                from = mid + 1;
            } else if (c > 0) {
                to = mid - 1;
            } else {
                return mid;
            }
        }
        return -from - 1;
    }

    static long high(IpAddress a) {
        return a.isIpv4() ? 0 : ByteBuffer.wrap(a.bytes()).getLong(0);
    }

    static long low(IpAddress a) {
        return a.isIpv4() ? V4_MAPPED | (a.toIpv4Int() & 0xFFFF_FFFFL) : ByteBuffer.wrap(a.bytes()).getLong(8);
    }
}
