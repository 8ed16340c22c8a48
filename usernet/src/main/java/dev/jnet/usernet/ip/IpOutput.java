package dev.jnet.usernet.ip;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.wire.Inany;
import io.netty.buffer.ByteBuf;

/**
 * What {@link Ipv4Output} and {@link Ipv6Output} share, independent of the address family: the
 * buffers upper layers write a transport segment into, its checksum's pseudo-header and sending
 * it. Addresses are {@link Inany} pairs of longs (an IPv4 address IPv4-mapped): no address
 * objects per packet.
 */
public interface IpOutput {
    UsernetConfig config();

    /** Bytes reserved in front of the transport header: Ethernet plus the family's IP header. */
    int headroom();

    /** Largest transport segment (header + payload) one packet to the guest can carry. */
    int maxTransportLength();

    /**
     * Largest transport segment {@link #send} takes: above {@link #maxTransportLength()} it goes
     * to the guest as fragments sized to the MTU (a large UDP reply, a large echo reply).
     */
    int maxDatagramLength();

    /**
     * A pooled direct buffer with {@link #headroom()} reserved and room for {@code
     * transportCapacity} more bytes; its reader and writer index are at the transport header.
     */
    ByteBuf allocate(int transportCapacity);

    /** The pseudo-header sum of a transport checksum over a segment between the two addresses. */
    long pseudoHeaderSum(long srcHigh, long srcLow, long dstHigh, long dstLow, int protocol, int transportLength);

    /**
     * Fills the IP and Ethernet headers in front of the transport segment {@code [headroom,
     * writerIndex)} of {@code buf} (from {@link #allocate}) and sends the frame to the guest.
     * Takes ownership of {@code buf}.
     */
    void send(ByteBuf buf, long srcHigh, long srcLow, long dstHigh, long dstLow, int protocol);
}
