package dev.jnet.usernet.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.ip.ReassemblyHarness.Piece;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReassemblerTest {
    private ReassemblyHarness h;

    private ReassemblyHarness harness(FragmentFormat format) {
        return harness(format, Reassembler.Limits.DEFAULT);
    }

    private ReassemblyHarness harness(FragmentFormat format, Reassembler.Limits limits) {
        h = new ReassemblyHarness(format, limits);
        return h;
    }

    @AfterEach
    void noLeaks() {
        if (h != null) {
            h.reassembler.close();
            assertThat(h.nothingRetained()).as("every fragment released").isTrue();
            assertThat(h.reassembler.pendingBytes()).isZero();
            h.releaseAll();
        }
    }

    private static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + i / 251);
        }
        return b;
    }

    @ParameterizedTest
    @EnumSource(FragmentFormat.class)
    void outOfOrderFragmentsMakeTheDatagramOnceTheLastHoleIsFilled(FragmentFormat format) {
        harness(format);
        byte[] data = payload(3000);
        List<Piece> pieces = ReassemblyHarness.cut(1, 3000, 1000);
        h.feed(data, pieces.get(2));
        h.feed(data, pieces.get(0));
        assertThat(h.delivered).isEmpty();
        assertThat(h.reassembler.inProgress()).isEqualTo(1);
        h.feed(data, pieces.get(1));
        assertThat(h.delivered).containsExactly(data);
        assertThat(h.reassembler.reassembled()).isEqualTo(1);
        assertThat(h.reassembler.inProgress()).isZero();
        assertThat(h.scheduler.pendingTimers() == 0 || h.reassembler.timedOut() == 0).isTrue();
    }

    @Test
    void theReassembledIpv4HeaderIsAWholeDatagramsWithAValidChecksum() {
        harness(FragmentFormat.IPV4);
        List<byte[]> headers = new ArrayList<>();
        Reassembler.Fragment f = new Reassembler.Fragment();
        io.netty.buffer.ByteBuf first = io.netty.buffer.Unpooled.directBuffer(36);
        first.writeBytes(new byte[] {0x45, 0, 0, 36, 0x12, 0x34, 0x20, 0, 64, 17, 0, 0, 10, 0, 2, 100, (byte) 192, 0, 2,
            1});
        first.writeZero(16);
        io.netty.buffer.ByteBuf last = io.netty.buffer.Unpooled.directBuffer(24);
        last.writeBytes(new byte[] {0x45, 0, 0, 24, 0x12, 0x34, 0, 2, 64, 17, 0, 0, 10, 0, 2, 100, (byte) 192, 0, 2, 1});
        last.writeBytes(new byte[] {1, 2, 3, 4});
        h.fed.add(first);
        h.fed.add(last);
        Reassembler.Delivery d = (p, o, l) -> {
            byte[] b = new byte[l];
            p.getBytes(o, b);
            headers.add(b);
        };
        h.reassembler.add(f.key(FragmentFormat.IPV4, 0, 1, 0, 2, 0x1234, 17).data(first, 0, 20, 17, 20, 0, 16, true, true),
                d);
        h.reassembler.add(f.key(FragmentFormat.IPV4, 0, 1, 0, 2, 0x1234, 17).data(last, 0, 20, 17, 20, 16, 4, false,
                true), d);
        assertThat(headers).hasSize(1);
        io.netty.buffer.ByteBuf whole = io.netty.buffer.Unpooled.wrappedBuffer(headers.get(0));
        dev.jnet.usernet.wire.Ipv4Packet ip = new dev.jnet.usernet.wire.Ipv4Packet().wrap(whole);
        assertThat(ip.check()).isTrue();
        assertThat(ip.verifyChecksum()).isTrue();
        assertThat(ip.totalLength()).isEqualTo(40);
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.identification()).isEqualTo(0x1234);
        assertThat(headers.get(0)).endsWith(1, 2, 3, 4);
    }

    @Test
    void anIncompleteIpv4DatagramIsDroppedAfterThirtySeconds() {
        harness(FragmentFormat.IPV4);
        byte[] data = payload(2000);
        h.feed(data, ReassemblyHarness.cut(1, 2000, 1000).get(0));
        h.scheduler.advance(TimeUnit.MILLISECONDS.toNanos(29_999));
        assertThat(h.reassembler.inProgress()).isEqualTo(1);
        assertThat(h.reassembler.timedOut()).isZero();
        h.scheduler.advance(TimeUnit.MILLISECONDS.toNanos(1));
        assertThat(h.reassembler.inProgress()).isZero();
        assertThat(h.reassembler.timedOut()).isEqualTo(1);
        assertThat(h.nothingRetained()).isTrue();
        h.feed(data, ReassemblyHarness.cut(1, 2000, 1000).get(1)); // the rest, too late: a new, incomplete datagram
        assertThat(h.delivered).isEmpty();
    }

    @Test
    void anIncompleteIpv6DatagramIsDroppedAfterSixtySeconds() {
        harness(FragmentFormat.IPV6);
        byte[] data = payload(2000);
        h.feed(data, ReassemblyHarness.cut(1, 2000, 1000).get(1));
        h.scheduler.advance(TimeUnit.SECONDS.toNanos(59));
        assertThat(h.reassembler.inProgress()).isEqualTo(1);
        h.feed(data, ReassemblyHarness.cut(1, 2000, 1000).get(0)); // in time
        assertThat(h.delivered).containsExactly(data);
        h.feed(data, ReassemblyHarness.cut(2, 2000, 1000).get(0));
        h.scheduler.advance(TimeUnit.SECONDS.toNanos(60));
        assertThat(h.reassembler.timedOut()).isEqualTo(1);
        assertThat(h.scheduler.pendingTimers()).as("the completed datagram's timer was cancelled").isZero();
    }

    @ParameterizedTest
    @EnumSource(FragmentFormat.class)
    void overlappingFragmentsDropTheWholeDatagramAndExactDuplicatesOnlyThemselves(FragmentFormat format) {
        harness(format);
        byte[] data = payload(3000);
        List<Piece> pieces = ReassemblyHarness.cut(1, 3000, 1000);
        h.feed(data, pieces.get(0));
        h.feed(data, pieces.get(0)); // exact duplicate
        assertThat(h.reassembler.duplicates()).isEqualTo(1);
        assertThat(h.reassembler.inProgress()).isEqualTo(1);
        h.feed(data, new Piece(1, 992, 1992, true)); // overlaps the first by 8 bytes (RFC 5722)
        assertThat(h.reassembler.overlaps()).isEqualTo(1);
        assertThat(h.reassembler.inProgress()).isZero();
        h.feed(data, pieces.get(1));
        h.feed(data, pieces.get(2));
        assertThat(h.delivered).as("the datagram lost its first fragment with the overlap").isEmpty();
    }

    @ParameterizedTest
    @EnumSource(FragmentFormat.class)
    void badLengthsAndEndsAreDropped(FragmentFormat format) {
        harness(format);
        byte[] data = payload(70_000);
        h.feed(data, new Piece(1, 0, 1004, true)); // not a multiple of 8, more to come
        h.feed(data, new Piece(2, 65_528, 65_544, false)); // beyond 65535
        assertThat(h.reassembler.malformed()).isEqualTo(2);
        assertThat(h.reassembler.inProgress()).isZero();
        h.feed(data, new Piece(3, 0, 1000, true));
        h.feed(data, new Piece(3, 2000, 2100, false));
        h.feed(data, new Piece(3, 1000, 2200, false)); // a second, different end
        assertThat(h.reassembler.malformed()).isEqualTo(3);
        assertThat(h.reassembler.inProgress()).isZero();
        h.feed(data, new Piece(4, 0, 1000, true));
        h.feed(data, new Piece(4, 1000, 1200, false));
        assertThat(h.delivered).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(FragmentFormat.class)
    void aFirstFragmentWithoutTheTransportHeaderIsDropped(FragmentFormat format) {
        harness(format);
        Reassembler.Fragment f = new Reassembler.Fragment();
        io.netty.buffer.ByteBuf tiny = io.netty.buffer.Unpooled.directBuffer(48);
        tiny.writeZero(48);
        h.fed.add(tiny);
        h.reassembler.add(f.key(format, 0, 1, 0, 2, 5, 6).data(tiny, 0, 40, 6, 40, 0, 8, true,
                8 >= Reassembler.transportHeaderLength(6)), (p, o, l) -> { });
        assertThat(h.reassembler.tinyFirst()).isEqualTo(1);
        assertThat(h.reassembler.inProgress()).isZero();
    }

    @Test
    void overTheMemoryCapTheOldestDatagramsGoFirst() {
        int frame = 20 + 1000;
        harness(FragmentFormat.IPV4, new Reassembler.Limits(3L * frame, 64));
        byte[] data = payload(2000);
        for (int id = 1; id <= 3; id++) {
            h.feed(data, new Piece(id, 0, 1000, true));
            h.scheduler.advance(1);
        }
        assertThat(h.reassembler.pendingBytes()).isEqualTo(3L * frame);
        h.feed(data, new Piece(4, 0, 1000, true));
        assertThat(h.reassembler.evicted()).isEqualTo(1);
        assertThat(h.reassembler.pendingBytes()).isEqualTo(3L * frame);
        h.feed(data, new Piece(3, 1000, 2000, false)); // over the cap again: 2 is evicted, 3 completes
        assertThat(h.delivered).containsExactly(data);
        assertThat(h.reassembler.evicted()).isEqualTo(2);
        assertThat(h.reassembler.pendingBytes()).as("only datagram 4 left").isEqualTo(frame);
        h.feed(data, new Piece(1, 1000, 2000, false)); // datagram 1 was the oldest: gone
        assertThat(h.delivered).hasSize(1);
    }

    @Test
    void atTheDatagramCapANewDatagramEvictsTheOldest() {
        harness(FragmentFormat.IPV6, new Reassembler.Limits(1 << 20, 2));
        byte[] data = payload(2000);
        h.feed(data, new Piece(1, 0, 1000, true));
        h.scheduler.advance(1);
        h.feed(data, new Piece(2, 0, 1000, true));
        h.scheduler.advance(1);
        h.feed(data, new Piece(3, 0, 1000, true));
        assertThat(h.reassembler.inProgress()).isEqualTo(2);
        assertThat(h.reassembler.evicted()).isEqualTo(1);
        h.feed(data, new Piece(2, 1000, 2000, false));
        h.feed(data, new Piece(3, 1000, 2000, false));
        h.feed(data, new Piece(1, 1000, 2000, false));
        assertThat(h.delivered).hasSize(2);
    }

    @Test
    void limitsMustBePositive() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Reassembler.Limits(0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    }
}
