package dev.jnet.usernet.tcp;

import dev.jnet.usernet.wire.TcpOptions;
import io.netty.buffer.ByteBuf;

/**
 * Out-of-order guest data waiting for the gap before it to fill: retained slices of the
 * guest's frames, sorted by sequence number, bounded in segment count and bytes. A segment
 * that does not fit is dropped (the guest retransmits it). A circular array: segments usually
 * arrive in order behind the gap (append at the tail) and leave from the head, both O(1).
 */
final class ReassemblyQueue {
    private final int maxSegments;
    private final int mask;
    private final int[] seqs;
    private final ByteBuf[] data;
    private int head;
    private int count;
    private long bytes;

    ReassemblyQueue(int maxSegments) {
        this.maxSegments = maxSegments;
        int capacity = Integer.highestOneBit(Math.max(1, maxSegments) * 2 - 1);
        this.mask = capacity - 1;
        this.seqs = new int[capacity];
        this.data = new ByteBuf[capacity];
    }

    int segments() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    private int slot(int i) {
        return (head + i) & mask;
    }

    /**
     * Offers the segment {@code seq} with payload {@code buf[index, index + length)}; takes a
     * retained slice when it is kept.
     *
     * @return whether it is held (kept now, or already held as a duplicate)
     */
    boolean offer(int seq, ByteBuf buf, int index, int length, long maxBytes) {
        if (length == 0) {
            return false;
        }
        int pos = count;
        while (pos > 0 && SeqNum.gt(seqs[slot(pos - 1)], seq)) {
            pos--;
        }
        if (pos > 0) {
            int before = slot(pos - 1);
            if (SeqNum.ge(seq, seqs[before]) && SeqNum.le(seq + length, seqs[before] + data[before].readableBytes())) {
                return true; // already held: a duplicate
            }
        }
        if (count == maxSegments || bytes + length > maxBytes) {
            return false;
        }
        for (int i = count; i > pos; i--) { // shift the (usually empty) tail behind pos
            seqs[slot(i)] = seqs[slot(i - 1)];
            data[slot(i)] = data[slot(i - 1)];
        }
        seqs[slot(pos)] = seq;
        data[slot(pos)] = buf.retainedSlice(index, length);
        count++;
        bytes += length;
        return true;
    }

    /** Sequence number of the first queued segment; only when {@link #segments()} > 0. */
    int firstSeq() {
        return seqs[head];
    }

    /** Removes and returns the first segment (ownership passes to the caller). */
    ByteBuf pollFirst() {
        ByteBuf b = data[head];
        data[head] = null;
        head = (head + 1) & mask;
        count--;
        bytes -= b.readableBytes();
        return b;
    }

    /**
     * Fills RFC 2018 SACK blocks describing what is held: contiguous runs of queued segments,
     * the run containing {@code recentSeq} (the latest arrival) first, the others in sequence
     * order, at most {@code maxBlocks}.
     */
    void fillSack(TcpOptions opts, int recentSeq, int maxBlocks) {
        int recentLeft = 0;
        int recentRight = 0;
        boolean haveRecent = false;
        int i = 0;
        while (i < count) {
            int left = seqs[slot(i)];
            int right = left + data[slot(i)].readableBytes();
            i++;
            while (i < count && SeqNum.le(seqs[slot(i)], right)) {
                right = SeqNum.max(right, seqs[slot(i)] + data[slot(i)].readableBytes());
                i++;
            }
            if (!haveRecent && SeqNum.ge(recentSeq, left) && SeqNum.lt(recentSeq, right)) {
                haveRecent = true;
                recentLeft = left;
                recentRight = right;
            }
        }
        if (haveRecent) {
            opts.addSackBlock(recentLeft, recentRight);
        }
        i = 0;
        while (i < count && opts.sackBlockCount < maxBlocks) {
            int left = seqs[slot(i)];
            int right = left + data[slot(i)].readableBytes();
            i++;
            while (i < count && SeqNum.le(seqs[slot(i)], right)) {
                right = SeqNum.max(right, seqs[slot(i)] + data[slot(i)].readableBytes());
                i++;
            }
            if (!haveRecent || left != recentLeft) {
                opts.addSackBlock(left, right);
            }
        }
    }

    void clear() {
        while (count > 0) {
            pollFirst().release();
        }
        head = 0;
    }
}
