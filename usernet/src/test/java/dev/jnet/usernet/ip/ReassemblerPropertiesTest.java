package dev.jnet.usernet.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.ip.ReassemblyHarness.Piece;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Properties of {@link Reassembler}: order and duplicates do not matter, overlaps drop, the caps hold. */
class ReassemblerPropertiesTest {
    private static byte[] payload(int n, Random random) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /**
     * Every fragment once, in any order, some of them again: the original datagram, once (at
     * least the 8 bytes of a UDP header, or the first fragment is a tiny one).
     */
    @Property(tries = 300)
    void anyPermutationWithDuplicatesReassemblesToTheOriginal(@ForAll FragmentFormat format,
            @ForAll @IntRange(min = 8, max = 20_000) int total, @ForAll @IntRange(min = 1, max = 200) int units,
            @ForAll @IntRange(min = 0, max = 6) int duplicates, @ForAll long seed) {
        Random random = new Random(seed);
        byte[] data = payload(total, random);
        List<Piece> pieces = new ArrayList<>(ReassemblyHarness.cut(1, total, units * 8));
        for (int i = 0; i < duplicates; i++) {
            pieces.add(pieces.get(random.nextInt(pieces.size())));
        }
        Collections.shuffle(pieces, random);
        // a duplicate after the datagram is complete would start a new one: keep the last
        // fragment needed for completion after every duplicate
        int lastNeeded = lastNewPiece(pieces);
        ReassemblyHarness h = new ReassemblyHarness(format, Reassembler.Limits.DEFAULT);
        try {
            for (int i = 0; i <= lastNeeded; i++) {
                h.feed(data, pieces.get(i));
            }
            assertThat(h.delivered).hasSize(1);
            assertThat(h.delivered.get(0)).isEqualTo(data);
            assertThat(h.reassembler.overlaps()).isZero();
            assertThat(h.reassembler.inProgress()).isZero();
            assertThat(h.nothingRetained()).isTrue();
        } finally {
            h.reassembler.close();
            h.releaseAll();
        }
    }

    /** Index of the piece whose first arrival completes the set (pieces after it are all repeats). */
    private static int lastNewPiece(List<Piece> pieces) {
        java.util.Set<Piece> seen = new java.util.HashSet<>();
        int last = 0;
        for (int i = 0; i < pieces.size(); i++) {
            if (seen.add(pieces.get(i))) {
                last = i;
            }
        }
        return last;
    }

    /**
     * RFC 5722: a fragment overlapping another (not an exact duplicate) arrives before the
     * datagram is complete: the datagram never arrives.
     */
    @Property(tries = 300)
    void anOverlappingIpv6FragmentDropsTheDatagram(@ForAll @IntRange(min = 16, max = 20_000) int total,
            @ForAll @IntRange(min = 1, max = 200) int units, @ForAll long seed) {
        Random random = new Random(seed);
        byte[] data = payload(total, random);
        List<Piece> pieces = new ArrayList<>(ReassemblyHarness.cut(1, total, units * 8));
        int limit = total & ~7;
        Piece overlap;
        do {
            int start = random.nextInt(limit / 8) * 8;
            int end = start + 8 * (1 + random.nextInt((limit - start) / 8));
            overlap = new Piece(1, start, end, true);
        } while (pieces.contains(overlap));
        Collections.shuffle(pieces, random);
        // after the others and before the last original: with all originals the datagram would
        // be complete already, and first it could tile the datagram with the others
        pieces.add(pieces.size() - 1, overlap);
        ReassemblyHarness h = new ReassemblyHarness(FragmentFormat.IPV6, Reassembler.Limits.DEFAULT);
        try {
            pieces.forEach(p -> h.feed(data, p));
            assertThat(h.delivered).isEmpty();
            assertThat(h.reassembler.overlaps()).isPositive();
        } finally {
            h.reassembler.close();
            assertThat(h.nothingRetained()).isTrue();
            h.releaseAll();
        }
    }

    /** Fragments of many datagrams, interleaved, some never completed: the caps hold after every fragment. */
    @Property(tries = 200)
    void theCapsAreNeverExceeded(@ForAll FragmentFormat format, @ForAll @IntRange(min = 1, max = 12) int datagrams,
            @ForAll @IntRange(min = 4_000, max = 40_000) int memory, @ForAll @IntRange(min = 1, max = 5) int maxDatagrams,
            @ForAll long seed) {
        Random random = new Random(seed);
        ReassemblyHarness h = new ReassemblyHarness(format, new Reassembler.Limits(memory, maxDatagrams));
        List<byte[]> originals = new ArrayList<>();
        List<Piece> all = new ArrayList<>();
        for (int id = 0; id < datagrams; id++) {
            int total = 1 + random.nextInt(8_000);
            originals.add(payload(total, random));
            List<Piece> pieces = ReassemblyHarness.cut(id, total, 8 * (1 + random.nextInt(150)));
            all.addAll(random.nextInt(4) == 0 ? pieces.subList(0, Math.max(1, pieces.size() - 1)) : pieces);
        }
        Collections.shuffle(all, random);
        try {
            for (Piece p : all) {
                h.feed(originals.get(p.id()), p);
                assertThat(h.reassembler.pendingBytes()).isLessThanOrEqualTo(memory);
                assertThat(h.reassembler.inProgress()).isLessThanOrEqualTo(maxDatagrams);
            }
            for (byte[] d : h.delivered) {
                assertThat(originals).as("a delivered datagram is one of the originals, intact").contains(d);
            }
        } finally {
            h.reassembler.close();
            assertThat(h.nothingRetained()).isTrue();
            h.releaseAll();
        }
    }
}
