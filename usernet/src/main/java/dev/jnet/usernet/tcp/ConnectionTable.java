package dev.jnet.usernet.tcp;

import java.util.ArrayList;
import java.util.List;

/**
 * The four-tuple to connection map: open addressing with linear probing over a fixed array
 * sized for the table's cap, so a lookup per segment allocates nothing (no key objects).
 */
final class ConnectionTable {
    private final TcpConnection[] slots;
    private final int mask;
    private int size;

    ConnectionTable(int maxEntries) {
        int cap = Integer.highestOneBit(Math.max(4, maxEntries) * 2 - 1) << 1; // load factor <= 0.5
        slots = new TcpConnection[cap];
        mask = cap - 1;
    }

    /**
     * Hash of a four-tuple of either family; IPv4 addresses are the low 32 bits with high 0
     * (the family keeps them apart from IPv6 addresses of that shape).
     */
    static int hash(boolean v6, long guestHigh, long guestLow, int guestPort, long remoteHigh, long remoteLow,
            int remotePort) {
        long a = guestLow * 0x9E3779B97F4A7C15L ^ remoteLow * 0xC2B2AE3D27D4EB4FL;
        if (v6) {
            a ^= (guestHigh * 0x165667B19E3779F9L) ^ (remoteHigh * 0x85EBCA77C2B2AE63L) ^ 0x27D4EB2F165667C5L;
        }
        int h = (int) (a ^ (a >>> 32)) ^ ((guestPort << 16) | remotePort) * 0xC2B2AE3D;
        return h ^ (h >>> 15);
    }

    /** An IPv4 lookup. */
    TcpConnection get(int guestAddr, int guestPort, int remoteAddr, int remotePort) {
        return get(false, 0, guestAddr & 0xFFFF_FFFFL, guestPort, 0, remoteAddr & 0xFFFF_FFFFL, remotePort);
    }

    TcpConnection get(boolean v6, long guestHigh, long guestLow, int guestPort, long remoteHigh, long remoteLow,
            int remotePort) {
        int i = hash(v6, guestHigh, guestLow, guestPort, remoteHigh, remoteLow, remotePort) & mask;
        while (true) {
            TcpConnection c = slots[i];
            if (c == null) {
                return null;
            }
            if (c.guestPort == guestPort && c.remotePort == remotePort && c.guestLow == guestLow
                    && c.remoteLow == remoteLow && c.v6 == v6 && c.guestHigh == guestHigh
                    && c.remoteHigh == remoteHigh) {
                return c;
            }
            i = (i + 1) & mask;
        }
    }

    /** Adds {@code c}, whose four-tuple must not be present; the caller keeps size below the cap. */
    void put(TcpConnection c) {
        int i = c.hash & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = c;
        size++;
    }

    void remove(TcpConnection c) {
        int i = c.hash & mask;
        while (slots[i] != c) {
            if (slots[i] == null) {
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i] = null;
        size--;
        // backward-shift deletion keeps every probe chain unbroken without tombstones
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            TcpConnection e = slots[j];
            if (e == null) {
                return;
            }
            int home = e.hash & mask;
            boolean homeInGap = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (homeInGap) {
                slots[i] = e;
                slots[j] = null;
                i = j;
            }
        }
    }

    int size() {
        return size;
    }

    /** A snapshot of all entries (for close; allocates). */
    List<TcpConnection> snapshot() {
        List<TcpConnection> all = new ArrayList<>(size);
        for (TcpConnection c : slots) {
            if (c != null) {
                all.add(c);
            }
        }
        return all;
    }
}
