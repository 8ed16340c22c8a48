package dev.jnet.usernet.ip;

import dev.jnet.usernet.Scheduler;
import io.netty.buffer.ByteBuf;

/**
 * Bounded reassembly of IPv4 (RFC 791, RFC 815) and IPv6 (RFC 8200 section 4.5) fragments from
 * the guest, one implementation for both families: the family's differences (key, timeout,
 * headers) come in through {@link Fragment} and {@link FragmentFormat}. Owned by the stack's
 * thread.
 *
 * <p>Bounds (state a guest can grow is a bug): at most {@link Limits#datagrams} datagrams in
 * progress and {@link Limits#memoryBytes} bytes of retained fragment frames over all of them
 * (counted by buffer capacity, as Linux counts truesize); when either would be exceeded the
 * oldest datagram is dropped whole. An incomplete datagram is dropped when its timer runs out
 * ({@link FragmentFormat#timeoutNanos()}).
 *
 * <p>Overlaps: RFC 5722 (now RFC 8200 section 4.5) makes an IPv6 datagram with overlapping
 * fragments be dropped whole; Linux does the same for IPv4 since the FragmentSmack fix
 * (inet_frag_queue_insert returns IPFRAG_OVERLAP and ip_frag_queue kills the queue, counted
 * as ReasmOverlaps), and so does this class for both. Exact duplicates (same offset and end)
 * are not overlaps: they are dropped alone (RFC 8200 section 4.5; Linux IPFRAG_DUP).
 *
 * <p>Fragments are kept as references to the guest's frames (one frame per fragment, see
 * TapLink), sorted by offset; the complete datagram is copied once into one pooled direct
 * buffer and handed to the {@link Delivery}, then released.
 */
public final class Reassembler implements AutoCloseable {
    /** Bounds on the reassembly state. */
    public record Limits(long memoryBytes, int datagrams) {
        /** 4 MiB (Linux's ipfrag_high_thresh default) over at most 64 datagrams in progress. */
        public static final Limits DEFAULT = new Limits(4L << 20, 64);

        public Limits {
            if (memoryBytes < 1 || datagrams < 1) {
                throw new IllegalArgumentException("reassembly limits must be positive: " + memoryBytes + " bytes, "
                        + datagrams + " datagrams");
            }
        }
    }

    /** Where a reassembled packet goes; {@code packet} is valid only during the call. */
    @FunctionalInterface
    public interface Delivery {
        /** Handles the whole IP packet at {@code packet[offset, offset + length)}. */
        void deliver(ByteBuf packet, int offset, int length);
    }

    /** One fragment as an input parsed it; an input reuses one instance (no allocation per fragment). */
    public static final class Fragment {
        FragmentFormat format;
        long srcHigh;
        long srcLow;
        long dstHigh;
        long dstLow;
        int identification;
        int keyProtocol;
        ByteBuf buf;
        int headerIndex;
        int headerLength;
        int protocol;
        int dataIndex;
        int offset;
        int length;
        boolean more;
        boolean headersComplete;

        /**
         * The datagram this fragment belongs to: RFC 791 keys on source, destination, protocol and
         * identification; RFC 8200 on source, destination and identification ({@code keyProtocol} 0).
         * IPv4 addresses are given IPv4-mapped (as {@code Inany}).
         */
        public Fragment key(FragmentFormat format, long srcHigh, long srcLow, long dstHigh, long dstLow,
                int identification, int keyProtocol) {
            this.format = format;
            this.srcHigh = srcHigh;
            this.srcLow = srcLow;
            this.dstHigh = dstHigh;
            this.dstLow = dstLow;
            this.identification = identification;
            this.keyProtocol = keyProtocol;
            return this;
        }

        /**
         * Where it is: the IP header at {@code buf[headerIndex, headerIndex + headerLength)} (the
         * part the reassembled packet's header is made from), {@code length} data bytes at {@code
         * dataIndex} that belong at byte {@code offset} of the datagram's payload.
         *
         * @param protocol         the transport protocol (IPv6: the Fragment header's next header)
         * @param headersComplete  for a first fragment: whether it holds every header up to and
         *                         including the transport header (RFC 8200 section 4.5, RFC 7112, RFC 1858)
         */
        public Fragment data(ByteBuf buf, int headerIndex, int headerLength, int protocol, int dataIndex, int offset,
                int length, boolean more, boolean headersComplete) {
            this.buf = buf;
            this.headerIndex = headerIndex;
            this.headerLength = headerLength;
            this.protocol = protocol;
            this.dataIndex = dataIndex;
            this.offset = offset;
            this.length = length;
            this.more = more;
            this.headersComplete = headersComplete;
            return this;
        }

        void clear() {
            buf = null;
        }
    }

    private static final int INITIAL_FRAGMENTS = 8;
    /** Minimum TCP header. */
    private static final int TCP_HEADER = 20;
    /** UDP header; also ICMP's and ICMPv6's echo/error header (type, code, checksum, 4 more). */
    private static final int SHORT_HEADER = 8;

    private final Scheduler scheduler;
    private final Limits limits;
    private final Datagram[] slots;
    private long memory;
    private int inProgress;

    private long fragments;
    private long reassembled;
    private long duplicates;
    private long malformed;
    private long tinyFirst;
    private long overlaps;
    private long evicted;
    private long timedOut;

    public Reassembler(Scheduler scheduler, Limits limits) {
        this.scheduler = scheduler;
        this.limits = limits;
        this.slots = new Datagram[limits.datagrams()];
    }

    /**
     * Bytes of the transport header a first fragment must hold (RFC 8200 4.5 / RFC 7112: the
     * whole header chain; RFC 1858: a TCP first fragment without the flags is an attack): 20 for
     * TCP, 8 for UDP, ICMP and ICMPv6, 0 for the protocols the stack does not speak.
     */
    public static int transportHeaderLength(int protocol) {
        return switch (protocol) {
            case 6 -> TCP_HEADER;
            case 17, 1, 58 -> SHORT_HEADER;
            default -> 0;
        };
    }

    /**
     * Adds one fragment; when it completes its datagram, hands the datagram to {@code delivery}
     * before returning. The fragment's buffer stays the caller's (retained if kept).
     */
    public void add(Fragment f, Delivery delivery) {
        fragments++;
        try {
            Datagram d = validate(f) ? find(f) : null;
            if (d != null && insert(d, f) && d.complete()) {
                complete(d, delivery);
            }
        } finally {
            f.clear();
        }
    }

    /** Checks what can be checked on the fragment alone; counts and returns false to drop it. */
    private boolean validate(Fragment f) {
        int end = f.offset + f.length;
        int max = f.format == FragmentFormat.IPV4 ? FragmentFormat.MAX_DATAGRAM - f.headerLength
                : FragmentFormat.MAX_DATAGRAM;
        // every fragment but the last carries a multiple of 8 bytes (RFC 791, RFC 8200 4.5), and
        // none reaches beyond the largest datagram ("ping of death")
        if (f.more && (f.length == 0 || (f.length & 7) != 0) || end > max) {
            malformed++;
            return false;
        }
        if (f.offset == 0 && !f.headersComplete) {
            tinyFirst++; // RFC 8200 4.5 / RFC 7112 (IPv6), RFC 1858 tiny fragment attack (IPv4)
            return false;
        }
        return true;
    }

    private Datagram find(Fragment f) {
        Datagram free = null;
        for (int i = 0; i < slots.length; i++) {
            Datagram d = slots[i];
            if (d == null) {
                d = slots[i] = new Datagram();
            }
            if (d.active) {
                if (d.matches(f)) {
                    return d;
                }
            } else if (free == null) {
                free = d;
            }
        }
        if (free == null) {
            free = oldest(null);
            evicted++;
            drop(free);
        }
        free.start(f, scheduler.nanoTime());
        inProgress++;
        free.timer = scheduler.schedule(free.expire, f.format.timeoutNanos());
        return free;
    }

    /** Inserts {@code f} into {@code d}; false if it was dropped (alone or with the datagram). */
    private boolean insert(Datagram d, Fragment f) {
        int start = f.offset;
        int end = start + f.length;
        if (!f.more) {
            // a second, different end, or data already beyond it: corrupt (as Linux ip_frag_queue)
            if (d.total >= 0 && d.total != end || d.count > 0 && d.ends[d.count - 1] > end) {
                return dropMalformed(d);
            }
        } else if (d.total >= 0 && end > d.total) {
            return dropMalformed(d);
        }
        int pos = d.position(start);
        boolean sameRange = pos < d.count && d.starts[pos] == start && d.ends[pos] == end;
        // an exact duplicate has the same M flag too (the kept one is the last iff it set the total)
        if (sameRange && f.more == (d.total != end)) {
            duplicates++;
            return false;
        }
        if (sameRange || pos > 0 && d.ends[pos - 1] > start || pos < d.count && d.starts[pos] < end) {
            overlaps++;
            drop(d);
            return false;
        }
        if (!f.more) {
            d.total = end;
        }
        int capacity = f.buf.capacity();
        d.insert(pos, f.buf.retain(), f.dataIndex, start, end, capacity);
        memory += capacity;
        if (start == 0) {
            d.headerIndex = f.headerIndex;
            d.headerLength = f.headerLength;
            d.protocol = f.protocol;
        }
        while (memory > limits.memoryBytes()) {
            Datagram victim = oldest(d);
            evicted++;
            drop(victim == null ? d : victim);
            if (victim == null) {
                return false;
            }
        }
        return true;
    }

    private boolean dropMalformed(Datagram d) {
        malformed++;
        drop(d);
        return false;
    }

    /** The oldest datagram in progress other than {@code except}, or null. */
    private Datagram oldest(Datagram except) {
        Datagram oldest = null;
        for (Datagram d : slots) {
            if (d != null && d.active && d != except && (oldest == null || d.created - oldest.created < 0)) {
                oldest = d;
            }
        }
        return oldest;
    }

    private void complete(Datagram d, Delivery delivery) {
        ByteBuf first = d.bufs[0];
        ByteBuf out = first.alloc().directBuffer(d.headerLength + d.total);
        try {
            int headerLength = d.format.writeReassembledHeader(out, first, d.headerIndex, d.headerLength, d.protocol,
                    d.total);
            for (int i = 0; i < d.count; i++) {
                out.writeBytes(d.bufs[i], d.dataIndex[i], d.ends[i] - d.starts[i]);
            }
            d.format.finishReassembled(out, 0, headerLength);
            reassembled++;
            drop(d);
            delivery.deliver(out, 0, out.writerIndex());
        } finally {
            out.release();
        }
    }

    private void timeout(Datagram d) {
        if (d.active) {
            timedOut++;
            d.timer = null; // it has run
            drop(d);
        }
    }

    private void drop(Datagram d) {
        memory -= d.release();
        inProgress--;
    }

    /** Drops every datagram in progress (the stack is closing). */
    @Override
    public void close() {
        for (Datagram d : slots) {
            if (d != null && d.active) {
                drop(d);
            }
        }
    }

    /** Bytes of fragment frames held now (never above {@link Limits#memoryBytes}). */
    public long pendingBytes() {
        return memory;
    }

    /** Datagrams in progress now. */
    public int inProgress() {
        return inProgress;
    }

    /** Fragments handed to {@link #add}. */
    public long fragments() {
        return fragments;
    }

    /** Datagrams reassembled and delivered. */
    public long reassembled() {
        return reassembled;
    }

    /** Exact duplicate fragments dropped. */
    public long duplicates() {
        return duplicates;
    }

    /** Fragments dropped for a bad length or end (the datagram too when it contradicts it). */
    public long malformed() {
        return malformed;
    }

    /** First fragments dropped because they do not hold the headers through the transport header. */
    public long tinyFirst() {
        return tinyFirst;
    }

    /** Datagrams dropped whole because two of their fragments overlapped. */
    public long overlaps() {
        return overlaps;
    }

    /** Datagrams dropped whole to stay within the limits. */
    public long evicted() {
        return evicted;
    }

    /** Datagrams dropped whole because their timer ran out. */
    public long timedOut() {
        return timedOut;
    }

    /** One datagram in progress (a reused slot). */
    private final class Datagram {
        final Runnable expire = () -> timeout(this);
        boolean active;
        FragmentFormat format;
        long srcHigh;
        long srcLow;
        long dstHigh;
        long dstLow;
        int identification;
        int keyProtocol;
        long created;
        Scheduler.Timer timer;
        /** End of the datagram's payload once the last fragment came, else -1. */
        int total;
        int received;
        int headerIndex;
        int headerLength;
        int protocol;
        int count;
        int[] starts = new int[INITIAL_FRAGMENTS];
        int[] ends = new int[INITIAL_FRAGMENTS];
        int[] dataIndex = new int[INITIAL_FRAGMENTS];
        int[] capacities = new int[INITIAL_FRAGMENTS];
        ByteBuf[] bufs = new ByteBuf[INITIAL_FRAGMENTS];

        boolean matches(Fragment f) {
            return format == f.format && identification == f.identification && keyProtocol == f.keyProtocol
                    && srcLow == f.srcLow && dstLow == f.dstLow && srcHigh == f.srcHigh && dstHigh == f.dstHigh;
        }

        void start(Fragment f, long now) {
            active = true;
            format = f.format;
            srcHigh = f.srcHigh;
            srcLow = f.srcLow;
            dstHigh = f.dstHigh;
            dstLow = f.dstLow;
            identification = f.identification;
            keyProtocol = f.keyProtocol;
            created = now;
            total = -1;
            received = 0;
            count = 0;
        }

        boolean complete() {
            // fragments never overlap, so as many bytes as the total means no hole is left
            return total >= 0 && received == total && count > 0 && starts[0] == 0;
        }

        /** Index of the first fragment starting at or after {@code start}. */
        int position(int start) {
            int lo = 0;
            int hi = count;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (starts[mid] < start) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        void insert(int pos, ByteBuf buf, int index, int start, int end, int capacity) {
            if (count == starts.length) {
                int n = count * 2;
                starts = java.util.Arrays.copyOf(starts, n);
                ends = java.util.Arrays.copyOf(ends, n);
                dataIndex = java.util.Arrays.copyOf(dataIndex, n);
                capacities = java.util.Arrays.copyOf(capacities, n);
                bufs = java.util.Arrays.copyOf(bufs, n);
            }
            int tail = count - pos;
            System.arraycopy(starts, pos, starts, pos + 1, tail);
            System.arraycopy(ends, pos, ends, pos + 1, tail);
            System.arraycopy(dataIndex, pos, dataIndex, pos + 1, tail);
            System.arraycopy(capacities, pos, capacities, pos + 1, tail);
            System.arraycopy(bufs, pos, bufs, pos + 1, tail);
            starts[pos] = start;
            ends[pos] = end;
            dataIndex[pos] = index;
            capacities[pos] = capacity;
            bufs[pos] = buf;
            count++;
            received += end - start;
        }

        /** Releases every fragment and frees the slot; returns the bytes it held. */
        long release() {
            long held = 0;
            for (int i = 0; i < count; i++) {
                bufs[i].release();
                bufs[i] = null;
                held += capacities[i];
            }
            count = 0;
            active = false;
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            return held;
        }
    }
}
