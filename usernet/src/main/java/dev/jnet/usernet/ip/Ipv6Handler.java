package dev.jnet.usernet.ip;

import dev.jnet.usernet.wire.Ipv6Packet;

/**
 * A transport protocol's IPv6 entry point (TCP, UDP, ICMPv6): the stack has checked the IPv6
 * header and skipped extension headers before calling it.
 */
public interface Ipv6Handler {
    /**
     * Handles one packet from the guest whose transport header (protocol {@code nextHeader})
     * is at absolute index {@code transportOffset} of {@code ip.buffer()}, {@code
     * transportLength} bytes long. The view and buffer are valid only during the call; a
     * handler that keeps payload bytes takes a retained slice.
     */
    void receive(Ipv6Packet ip, int nextHeader, int transportOffset, int transportLength);
}
