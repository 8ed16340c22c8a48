package dev.jnet.usernet;

/**
 * A snapshot of a {@link Stack}'s counters and table sizes.
 *
 * @param framesReceived     Ethernet frames from the guest
 * @param framesNotForUs     frames to another unicast MAC, or too short
 * @param framesUnsupported  frames of an EtherType the stack does not handle yet (IPv6, others)
 * @param arpReplies         ARP replies sent
 * @param ipv4Malformed      IPv4 packets with bad version or lengths
 * @param ipv4BadChecksum    IPv4 packets with a wrong header checksum
 * @param ipv4Fragments      IPv4 fragments received (reassembled, see the reassembly counters)
 * @param ipv4TtlExpired     IPv4 packets that arrived with TTL 0
 * @param ipv4UnknownProtocol IPv4 packets of an unknown protocol
 * @param tcpConnections     TCP connections
 * @param udpFlows           UDP NAT flows to host destinations
 * @param dnsFlows           DNS flows to the resolver
 * @param icmpFlows          ICMP echo flows to outside hosts
 * @param udpBadChecksum     UDP datagrams with a wrong checksum
 * @param echoAnswered       echo requests answered by the stack itself
 * @param handlerErrors      frames whose handler threw (a bug: the frame is dropped, the link lives on)
 * @param ipv6Delivered      IPv6 packets handed to a transport (0 while IPv6 is off)
 * @param ipv6Malformed      IPv6 packets with a bad version or length
 * @param ipv6Fragments      IPv6 fragments received (atomic ones included)
 * @param udp6Flows          UDP flows over IPv6 to host destinations (0 with IPv6 off)
 * @param dns6Flows          DNS flows from the guest's IPv6 address (0 with IPv6 off)
 * @param icmp6Flows         ICMPv6 echo flows to outside hosts (0 with IPv6 off)
 * @param icmp6Answered      ICMPv6 echo requests answered by the stack itself
 * @param routerAdvertisements router advertisements sent
 * @param tcpSendBuffered    host bytes held in the TCP send buffers (the stack's memory budget)
 * @param reassembled        datagrams reassembled from fragments (both families)
 * @param fragmentDuplicates exact duplicate fragments dropped
 * @param fragmentsMalformed fragments dropped for a bad length or end
 * @param fragmentsTinyFirst first fragments dropped for not holding the transport header (RFC 7112, RFC 1858)
 * @param reassemblyOverlaps datagrams dropped whole for overlapping fragments (RFC 5722)
 * @param reassemblyEvicted  datagrams dropped whole to stay within the reassembly memory and count caps
 * @param reassemblyTimeouts datagrams dropped whole when their 30 s (IPv4) / 60 s (IPv6) ran out
 * @param reassemblyPending  bytes of fragment frames held for reassembly now
 * @param fragmentsSent      fragments sent to the guest (packets above its MTU, both families)
 * @param superPacketsReceived frames from the guest above its MTU: TCP super-packets (GSO) its
 *                           kernel handed over whole through a tap with offloads
 * @param superPacketsSent   TCP super-packets sent to the guest for its kernel to take whole (GSO)
 */
public record StackStats(long framesReceived, long framesNotForUs, long framesUnsupported, long arpReplies,
        long ipv4Malformed, long ipv4BadChecksum, long ipv4Fragments, long ipv4TtlExpired,
        long ipv4UnknownProtocol, int tcpConnections, int udpFlows, int dnsFlows, int icmpFlows,
        long udpBadChecksum, long echoAnswered, long handlerErrors, long ipv6Delivered, long ipv6Malformed,
        long ipv6Fragments, int udp6Flows, int dns6Flows, int icmp6Flows, long icmp6Answered,
        long routerAdvertisements, long tcpSendBuffered, long reassembled, long fragmentDuplicates,
        long fragmentsMalformed, long fragmentsTinyFirst, long reassemblyOverlaps, long reassemblyEvicted,
        long reassemblyTimeouts, long reassemblyPending, long fragmentsSent, long superPacketsReceived,
        long superPacketsSent) {

    /** Every flow and connection holding a host socket, both families. */
    public int hostFlows() {
        return tcpConnections + udpFlows + dnsFlows + icmpFlows + udp6Flows + dns6Flows + icmp6Flows;
    }

    /** Every component under its snake-case name ({@code frames_received}, ...), in declaration order. */
    public java.util.Map<String, Long> asMap() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (java.lang.reflect.RecordComponent c : StackStats.class.getRecordComponents()) {
            try {
                m.put(c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT),
                        ((Number) c.getAccessor().invoke(this)).longValue());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("reading " + c.getName(), e);
            }
        }
        return m;
    }
}
