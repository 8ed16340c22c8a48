package dev.jnet.usernet.ip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jnet.usernet.wire.InternetChecksum;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * Checks, field by field and independently of {@link Reassembler}, that frames the stack sent
 * are the in-order fragments of one packet sized to {@code mtu}, and glues them back into the
 * one unfragmented Ethernet frame they came from (for the usual frame parsers of the tests).
 */
public final class WireFragments {
    private WireFragments() {
    }

    /** IPv4 fragments (RFC 791): DF clear, MF on all but the last, offsets back to back, valid header checksums. */
    public static byte[] joinIpv4(List<byte[]> frames, int mtu) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        byte[] first = frames.get(0);
        int id = u16(first, 14 + 4);
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            ByteBuf b = Unpooled.wrappedBuffer(f);
            int hl = (f[14] & 0xf) * 4;
            assertThat(f.length - 14).as("fragment %d within the MTU", i).isLessThanOrEqualTo(mtu);
            assertThat(u16(f, 14 + 2)).as("total length").isEqualTo(f.length - 14);
            assertThat(InternetChecksum.compute(b, 14, hl)).as("header checksum").isZero();
            assertThat(u16(f, 14 + 4)).as("same identification").isEqualTo(id);
            int flagsOffset = u16(f, 14 + 6);
            assertThat(flagsOffset & 0x4000).as("DF").isZero();
            assertThat((flagsOffset & 0x2000) != 0).as("MF of fragment %d", i).isEqualTo(i < frames.size() - 1);
            assertThat((flagsOffset & 0x1fff) * 8).as("offset of fragment %d", i).isEqualTo(data.size());
            data.write(f, 14 + hl, f.length - 14 - hl);
        }
        int hl = (first[14] & 0xf) * 4;
        byte[] whole = new byte[14 + hl + data.size()];
        System.arraycopy(first, 0, whole, 0, 14 + hl);
        System.arraycopy(data.toByteArray(), 0, whole, 14 + hl, data.size());
        ByteBuf w = Unpooled.wrappedBuffer(whole);
        w.setShort(14 + 2, hl + data.size());
        w.setShort(14 + 6, 0);
        w.setShort(14 + 10, 0);
        w.setShort(14 + 10, InternetChecksum.compute(w, 14, hl));
        return whole;
    }

    /** IPv6 fragments (RFC 8200 4.5): a Fragment header right after the fixed header, M on all but the last. */
    public static byte[] joinIpv6(List<byte[]> frames, int mtu) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        byte[] first = frames.get(0);
        int nextHeader = first[14 + 40] & 0xff;
        long id = u32(first, 14 + 40 + 4);
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            assertThat(f.length - 14).as("fragment %d within the MTU", i).isLessThanOrEqualTo(mtu);
            assertThat(f[14 + 6] & 0xff).as("next header: Fragment").isEqualTo(44);
            assertThat(u16(f, 14 + 4)).as("payload length").isEqualTo(f.length - 14 - 40);
            assertThat(f[14 + 40] & 0xff).as("fragment's next header").isEqualTo(nextHeader);
            assertThat(u32(f, 14 + 44)).as("same identification").isEqualTo(id);
            int offsetFlags = u16(f, 14 + 42);
            assertThat((offsetFlags & 1) != 0).as("M of fragment %d", i).isEqualTo(i < frames.size() - 1);
            assertThat(offsetFlags & 0xfff8).as("offset of fragment %d", i).isEqualTo(data.size());
            data.write(f, 14 + 48, f.length - 14 - 48);
        }
        byte[] whole = new byte[14 + 40 + data.size()];
        System.arraycopy(first, 0, whole, 0, 14 + 40);
        System.arraycopy(data.toByteArray(), 0, whole, 14 + 40, data.size());
        whole[14 + 4] = (byte) (data.size() >>> 8);
        whole[14 + 5] = (byte) data.size();
        whole[14 + 6] = (byte) nextHeader;
        return whole;
    }

    /**
     * Cuts the IPv4 packet in {@code frame} (Ethernet, 20-byte IPv4 header, payload) into
     * fragment frames of {@code size} payload bytes (a multiple of 8), as a guest's kernel does.
     */
    public static List<ByteBuf> splitIpv4(ByteBuf frame, int size) {
        try {
            int headers = 14 + 20;
            int total = frame.readableBytes() - headers;
            List<ByteBuf> out = new java.util.ArrayList<>();
            for (int at = 0; at < total; at += size) {
                int chunk = Math.min(size, total - at);
                ByteBuf f = io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(headers + chunk);
                f.writeBytes(frame, 0, headers).writeBytes(frame, headers + at, chunk);
                f.setShort(14 + 2, 20 + chunk);
                f.setShort(14 + 6, (at + chunk < total ? 0x2000 : 0) | (at / 8));
                f.setShort(14 + 10, 0);
                f.setShort(14 + 10, InternetChecksum.compute(f, 14, 20));
                out.add(f);
            }
            return out;
        } finally {
            frame.release();
        }
    }

    /**
     * The fragmentable part {@code transport} (next header {@code nextHeader}) cut into Fragment
     * header + data pieces of {@code size} bytes (a multiple of 8), identification {@code id}.
     */
    public static List<byte[]> splitIpv6(byte[] transport, int nextHeader, int size, int id) {
        List<byte[]> out = new java.util.ArrayList<>();
        for (int at = 0; at < transport.length; at += size) {
            int chunk = Math.min(size, transport.length - at);
            ByteBuf f = Unpooled.buffer(8 + chunk);
            f.writeByte(nextHeader).writeByte(0).writeShort(at | (at + chunk < transport.length ? 1 : 0)).writeInt(id);
            f.writeBytes(transport, at, chunk);
            out.add(f.array());
        }
        return out;
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    private static long u32(byte[] b, int at) {
        return ((long) u16(b, at) << 16) | u16(b, at + 2);
    }
}
