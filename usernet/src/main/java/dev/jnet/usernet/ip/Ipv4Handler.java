package dev.jnet.usernet.ip;

import dev.jnet.usernet.wire.Ipv4Packet;

/**
 * A transport protocol's entry point (TCP, UDP, ICMP): the stack has checked the IPv4 header
 * (version, lengths, header checksum, not a fragment) before calling it.
 */
public interface Ipv4Handler {
    /**
     * Handles one packet from the guest. The view and its buffer are valid only during the
     * call; a handler that keeps payload bytes takes a retained slice of {@code ip.buffer()}.
     */
    void receive(Ipv4Packet ip);
}
