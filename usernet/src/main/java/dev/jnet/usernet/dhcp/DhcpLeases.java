package dev.jnet.usernet.dhcp;

/**
 * The address pool, as libslirp's bootp.c: {@code count} consecutive addresses from
 * {@code first} (network + 15, 16 clients), one lease per client MAC. The table is a fixed
 * array: a guest cycling MACs can hold at most every address, never grow it; a lease past its
 * end (or released) is free for the next client.
 */
public final class DhcpLeases {
    /** libslirp's START_ADDR: the first lease is network + 15 (10.0.2.15). */
    public static final int START_OFFSET = 15;
    /** libslirp's NB_BOOTP_CLIENTS. */
    public static final int MAX_CLIENTS = 16;

    private final int first;
    private final long[] macs;
    private final long[] expiresAt;
    private final boolean[] used;

    /**
     * @param network the guest network
     * @param broadcast its broadcast address: the pool stops before it
     */
    public DhcpLeases(int network, int broadcast) {
        this.first = network + START_OFFSET;
        int room = (int) Math.max(0, Math.min(MAX_CLIENTS, (broadcast & 0xFFFF_FFFFL) - (first & 0xFFFF_FFFFL)));
        this.macs = new long[room];
        this.expiresAt = new long[room];
        this.used = new boolean[room];
    }

    /** How many addresses the pool holds. */
    public int size() {
        return macs.length;
    }

    /** The address {@code mac} holds (leased or offered, not yet expired), or 0. */
    public int addressOf(long mac, long now) {
        int i = indexOf(mac, now);
        return i < 0 ? 0 : first + i;
    }

    /**
     * The address to offer {@code mac}: its own, else the lowest free one, which it then holds
     * until {@code expiresAt}; 0 if the pool is exhausted.
     */
    public int offer(long mac, long now, long expires) {
        int i = indexOf(mac, now);
        if (i < 0) {
            i = freeIndex(now);
            if (i < 0) {
                return 0;
            }
        }
        take(i, mac, expires);
        return first + i;
    }

    /**
     * Binds {@code address} to {@code mac} until {@code expires} (DHCPREQUEST): allowed if the
     * address is in the pool and free or already {@code mac}'s; a client moving to another pool
     * address gives up its old one.
     *
     * @return whether the lease was granted (ACK) or not (NAK)
     */
    public boolean request(long mac, int address, long now, long expires) {
        long i = (address & 0xFFFF_FFFFL) - (first & 0xFFFF_FFFFL);
        if (i < 0 || i >= macs.length) {
            return false;
        }
        int slot = (int) i;
        if (live(slot, now) && macs[slot] != mac) {
            return false;
        }
        int old = indexOf(mac, now);
        if (old >= 0 && old != slot) {
            used[old] = false;
        }
        take(slot, mac, expires);
        return true;
    }

    /** DHCPRELEASE: frees {@code address} if {@code mac} holds it. */
    public void release(long mac, int address, long now) {
        int i = indexOf(mac, now);
        if (i >= 0 && first + i == address) {
            used[i] = false;
        }
    }

    private void take(int i, long mac, long expires) {
        macs[i] = mac;
        expiresAt[i] = expires;
        used[i] = true;
    }

    private boolean live(int i, long now) {
        return used[i] && expiresAt[i] - now > 0;
    }

    private int indexOf(long mac, long now) {
        for (int i = 0; i < macs.length; i++) {
            if (live(i, now) && macs[i] == mac) {
                return i;
            }
        }
        return -1;
    }

    private int freeIndex(long now) {
        for (int i = 0; i < macs.length; i++) {
            if (!live(i, now)) {
                return i;
            }
        }
        return -1;
    }
}
