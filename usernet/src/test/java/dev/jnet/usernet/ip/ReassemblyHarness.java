package dev.jnet.usernet.ip;

import dev.jnet.usernet.ManualScheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;

/**
 * Feeds hand-made fragments of one family straight into a {@link Reassembler} and records what
 * it delivers; every fragment buffer is kept so a test can check none stays retained.
 */
final class ReassemblyHarness {
    /** A fragment's place in its datagram: {@code [start, end)}, and whether more follow. */
    record Piece(int id, int start, int end, boolean more) {
    }

    final ManualScheduler scheduler = new ManualScheduler();
    final Reassembler reassembler;
    final FragmentFormat format;
    final List<byte[]> delivered = new ArrayList<>();
    final List<ByteBuf> fed = new ArrayList<>();
    private final Reassembler.Fragment fragment = new Reassembler.Fragment();

    ReassemblyHarness(FragmentFormat format, Reassembler.Limits limits) {
        this.format = format;
        this.reassembler = new Reassembler(scheduler, limits);
    }

    int headerLength() {
        return format == FragmentFormat.IPV4 ? 20 : 40;
    }

    /** Feeds {@code payload[piece.start, piece.end)} as one fragment of datagram {@code piece.id} (UDP). */
    void feed(byte[] payload, Piece piece) {
        int hl = headerLength();
        int length = piece.end() - piece.start();
        ByteBuf buf = Unpooled.directBuffer(hl + length);
        buf.writeZero(hl);
        buf.writeBytes(payload, piece.start(), length);
        fed.add(buf);
        fragment.key(format, 7, 8, 9, 10, piece.id(), format == FragmentFormat.IPV4 ? 17 : 0)
                .data(buf, 0, hl, 17, hl, piece.start(), length, piece.more(), piece.start() != 0 || length >= 8);
        reassembler.add(fragment, (packet, offset, len) -> {
            byte[] b = new byte[len - hl];
            packet.getBytes(offset + hl, b);
            delivered.add(b);
        });
    }

    /** The pieces of a datagram of {@code total} bytes cut every {@code size} bytes (a multiple of 8). */
    static List<Piece> cut(int id, int total, int size) {
        List<Piece> pieces = new ArrayList<>();
        for (int at = 0; at < total; at += size) {
            int end = Math.min(total, at + size);
            pieces.add(new Piece(id, at, end, end < total));
        }
        return pieces;
    }

    /** Whether the reassembler let go of every fragment buffer (each back at the harness's one reference). */
    boolean nothingRetained() {
        return fed.stream().allMatch(b -> b.refCnt() == 1);
    }

    void releaseAll() {
        fed.forEach(ByteBuf::release);
    }
}
