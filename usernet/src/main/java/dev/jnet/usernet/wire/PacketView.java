package dev.jnet.usernet.wire;

import io.netty.buffer.ByteBuf;

/**
 * Common state of all wire views: a buffer region {@code [offset, offset + length)}. A view is a
 * reusable flyweight; it does not own (retain/release) the buffer.
 */
public abstract class PacketView {
    /** The wrapped buffer, or {@code null} before the first wrap / after {@link #clear()}. */
    protected ByteBuf buf;
    /** Absolute index of the first byte of this packet in {@link #buf}. */
    protected int offset;
    /** Number of bytes of the region available to this packet. */
    protected int length;
    private boolean transportChecksumTrusted;

    /** Creates an unbound view. */
    protected PacketView() {
    }

    /**
     * Points this view at {@code buf[offset, offset + length)}.
     *
     * @throws IllegalArgumentException if the region is not inside the buffer's capacity
     */
    protected final void bind(ByteBuf buf, int offset, int length) {
        if (buf == null) {
            throw new IllegalArgumentException("buf is null");
        }
        if (offset < 0 || length < 0 || offset > buf.capacity() - length) {
            throw new IllegalArgumentException("region [" + offset + ", +" + length
                    + ") outside buffer capacity " + buf.capacity());
        }
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        this.transportChecksumTrusted = false;
    }

    /**
     * Marks the transport checksum (TCP, UDP) of this packet as vouched for by the link: the
     * guest's kernel left it to the "NIC" (virtio-net {@code NEEDS_CSUM}: the field holds only the
     * pseudo-header sum) or had checked it ({@code DATA_VALID}). Cleared by every wrap.
     */
    public final void trustTransportChecksum() {
        this.transportChecksumTrusted = true;
    }

    /** Whether the transport layer may skip verifying the checksum ({@link #trustTransportChecksum()}). */
    public final boolean transportChecksumTrusted() {
        return transportChecksumTrusted;
    }

    /** Drops the reference to the buffer. */
    public void clear() {
        buf = null;
        offset = 0;
        length = 0;
    }

    /** @return the wrapped buffer */
    public final ByteBuf buffer() {
        return buf;
    }

    /** @return absolute index of the first byte of the packet */
    public final int offset() {
        return offset;
    }

    /** @return length of the wrapped region */
    public final int length() {
        return length;
    }

    /**
     * Validates the wrapped region: fixed header sizes and length fields against the region.
     * Never throws; only after {@code true} are the accessors guaranteed to stay in bounds.
     *
     * @return whether the packet is well formed enough to be parsed
     */
    public abstract boolean check();

    final int u8(int rel) {
        return buf.getUnsignedByte(offset + rel);
    }

    final int u16(int rel) {
        return buf.getUnsignedShort(offset + rel);
    }

    final int i32(int rel) {
        return buf.getInt(offset + rel);
    }

    final void setU8(int rel, int v) {
        buf.setByte(offset + rel, v);
    }

    final void setU16(int rel, int v) {
        buf.setShort(offset + rel, v);
    }

    final void setI32(int rel, int v) {
        buf.setInt(offset + rel, v);
    }
}
