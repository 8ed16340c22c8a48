package dev.jnet.usernet.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PacketCaptureTest {
    @TempDir Path dir;

    private final List<ByteBuf> sent = new ArrayList<>();
    private final List<ByteBuf> received = new ArrayList<>();
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    private final FrameSink memorySink = new FrameSink() {
        @Override
        public ByteBufAllocator alloc() {
            return alloc;
        }

        @Override
        public void sendFrame(ByteBuf frame) {
            sent.add(frame);
        }
    };

    private static ByteBuf frame(int len, int fill) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(len + 3);
        b.writeBytes(new byte[] {9, 9, 9}).readerIndex(3); // bytes before the reader index are not the frame's
        for (int i = 0; i < len; i++) {
            b.writeByte(fill + i);
        }
        return b;
    }

    @Test
    void bothDirectionsBecomeRecordsInOrderWithTheirBytes() throws Exception {
        Path file = dir.resolve("c.pcap");
        PacketCapture cap = PacketCapture.open(file, PacketCapture.DEFAULT_MAX_BYTES);
        FrameSink sink = cap.sink(memorySink);
        FrameHandler handler = cap.handler(received::add, alloc);
        handler.receiveFrame(frame(60, 1));
        sink.sendFrame(frame(1514, 7));
        ByteBuf in = received.get(0);
        in.setByte(in.readerIndex(), 0x55); // the stack rewrites a guest frame in place: the capture has the original
        cap.close();

        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(f.getInt(0)).isEqualTo(0xa1b2c3d4);
        assertThat(f.getShort(4)).isEqualTo((short) 2);
        assertThat(f.getShort(6)).isEqualTo((short) 4);
        assertThat(f.getInt(16)).isEqualTo(PacketCapture.SNAPLEN);
        assertThat(f.getInt(20)).isEqualTo(1); // Ethernet
        int at = 24;
        assertThat(f.getInt(at + 8)).isEqualTo(60);
        assertThat(f.getInt(at + 12)).isEqualTo(60);
        assertThat(f.get(at + 16)).isEqualTo((byte) 1);
        assertThat(f.get(at + 16 + 59)).isEqualTo((byte) 60);
        at += 16 + 60;
        assertThat(f.getInt(at + 8)).isEqualTo(1514);
        assertThat(f.get(at + 16)).isEqualTo((byte) 7);
        assertThat(f.get(at + 16 + 1513)).isEqualTo((byte) (7 + 1513));
        assertThat(f.limit()).isEqualTo(at + 16 + 1514);
        long seconds = f.getInt(24) & 0xFFFFFFFFL;
        assertThat(Math.abs(seconds - System.currentTimeMillis() / 1000)).isLessThan(3600);
        assertThat(cap.stats().captured()).isEqualTo(2);
        assertThat(cap.stats().bytes()).isEqualTo(f.limit());
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // the frames went on, and the capture holds no reference to them any more
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).refCnt()).isEqualTo(1);
        sent.forEach(ByteBuf::release);
        received.forEach(ByteBuf::release);
    }

    @Test
    void stopsAtItsBoundAndCountsTheRest() throws Exception {
        Path file = dir.resolve("b.pcap");
        PacketCapture cap = PacketCapture.open(file, 2000);
        FrameSink sink = cap.sink(memorySink);
        for (int i = 0; i < 10; i++) {
            sink.sendFrame(frame(500, i));
        }
        cap.close();
        long size = Files.size(file);
        assertThat(size).isEqualTo(24 + 3 * (16 + 500)); // a fourth record would pass 2000 bytes
        PacketCapture.Stats s = cap.stats();
        assertThat(s.captured()).isEqualTo(3);
        assertThat(s.limitReached()).isTrue();
        assertThat(s.overLimit() + s.queueDropped()).isEqualTo(7);
        sent.forEach(ByteBuf::release);
    }

    @Test
    void refusesATinyBound() {
        assertThatThrownBy(() -> PacketCapture.open(dir.resolve("x.pcap"), 100))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1024");
        assertThat(Files.exists(dir.resolve("x.pcap"))).isFalse();
    }

    @Test
    void unwritableFileIsAnIoError() {
        assertThatThrownBy(() -> PacketCapture.open(dir.resolve("no/such/dir.pcap"), 4096))
                .isInstanceOf(java.io.IOException.class);
    }
}
