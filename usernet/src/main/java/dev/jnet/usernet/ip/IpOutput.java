package dev.jnet.usernet.ip;

import dev.jnet.usernet.UsernetConfig;
import io.netty.buffer.ByteBuf;

/**
 * What {@link Ipv4Output} and {@link Ipv6Output} share, independent of the address family: the
 * buffers upper layers write a transport segment into. Sending stays the family's ({@code
 * send} takes the family's addresses as primitives: no address objects per packet).
 */
public interface IpOutput {
    UsernetConfig config();

    /** Bytes reserved in front of the transport header: Ethernet plus the family's IP header. */
    int headroom();

    /** Largest transport segment (header + payload) one packet to the guest can carry. */
    int maxTransportLength();

    /**
     * A pooled direct buffer with {@link #headroom()} reserved and room for {@code
     * transportCapacity} more bytes; its reader and writer index are at the transport header.
     */
    ByteBuf allocate(int transportCapacity);
}
