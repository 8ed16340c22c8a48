package dev.jnet.usernet.tcp;

import io.netty.buffer.ByteBuf;

/**
 * Out-of-order guest data waiting for the gap before it to fill: retained slices of the
 * guest's frames, sorted by sequence number, bounded in segment count and bytes. A segment
 * that does not fit is dropped (the guest retransmits it).
 */
final class ReassemblyQueue {
    private final int maxSegments;
    private final int[] seqs;
    private final ByteBuf[] data;
    private int count;
    private long bytes;

    ReassemblyQueue(int maxSegments) {
        this.maxSegments = maxSegments;
        this.seqs = new int[maxSegments];
        this.data = new ByteBuf[maxSegments];
    }

    int segments() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    /**
     * Offers the segment {@code seq} with payload {@code buf[index, index + length)}; takes a
     * retained slice when it is kept.
     *
     * @return whether it was kept
     */
    boolean offer(int seq, ByteBuf buf, int index, int length, long maxBytes) {
        if (length == 0 || count == maxSegments || bytes + length > maxBytes) {
            return false;
        }
        int pos = count;
        while (pos > 0 && SeqNum.gt(seqs[pos - 1], seq)) {
            pos--;
        }
        if (pos > 0 && SeqNum.le(seq + length, seqs[pos - 1] + data[pos - 1].readableBytes())
                && SeqNum.ge(seq, seqs[pos - 1])) {
            return true; // already held: a duplicate
        }
        System.arraycopy(seqs, pos, seqs, pos + 1, count - pos);
        System.arraycopy(data, pos, data, pos + 1, count - pos);
        seqs[pos] = seq;
        data[pos] = buf.retainedSlice(index, length);
        count++;
        bytes += length;
        return true;
    }

    /** Sequence number of the first queued segment; only when {@link #segments()} > 0. */
    int firstSeq() {
        return seqs[0];
    }

    /** Removes and returns the first segment (ownership passes to the caller). */
    ByteBuf pollFirst() {
        ByteBuf b = data[0];
        bytes -= b.readableBytes();
        count--;
        System.arraycopy(seqs, 1, seqs, 0, count);
        System.arraycopy(data, 1, data, 0, count);
        data[count] = null;
        return b;
    }

    void clear() {
        for (int i = 0; i < count; i++) {
            data[i].release();
            data[i] = null;
        }
        count = 0;
        bytes = 0;
    }
}
