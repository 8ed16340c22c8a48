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

    static int hash(int guestAddr, int guestPort, int remoteAddr, int remotePort) {
        int h = guestAddr * 0x9E3779B1 ^ remoteAddr * 0x85EBCA77 ^ ((guestPort << 16) | remotePort) * 0xC2B2AE3D;
        return h ^ (h >>> 15);
    }

    TcpConnection get(int guestAddr, int guestPort, int remoteAddr, int remotePort) {
        int i = hash(guestAddr, guestPort, remoteAddr, remotePort) & mask;
        while (true) {
            TcpConnection c = slots[i];
            if (c == null) {
                return null;
            }
            if (c.guestPort == guestPort && c.remotePort == remotePort && c.guestAddr == guestAddr
                    && c.remoteAddr == remoteAddr) {
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
