package dev.jnet.usernet;

import dev.jnet.usernet.wire.DnsName;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;

/**
 * What the link services tell the guest of DNS: the servers (DHCPv4 option 6; the router
 * advertisement's RDNSS option, RFC 8106; DHCPv6 option 23) and the search list (DHCPv4 option
 * 119, RFC 3397; the RA's DNSSL option; DHCPv6 option 24). slirp4netns's stack announces its own
 * DNS address and no search list ({@link UsernetConfig#dnsAnnouncement()}); pasta announces the
 * resolvers only with {@code --dhcp-dns} and the search list only with {@code --dhcp-search}.
 *
 * @param servers4 IPv4 servers, at most {@value #MAX_SERVERS}
 * @param servers6 IPv6 servers, at most {@value #MAX_SERVERS}
 * @param search   search domains, normalized (lower case, no trailing dot), at most
 *                 {@value #MAX_SEARCH}
 */
public record DnsAnnouncement(List<Inet4Address> servers4, List<Inet6Address> servers6, List<String> search) {
    /** Servers per family at most (pasta: four -D per family; resolv.conf: three in all). */
    public static final int MAX_SERVERS = 4;
    /** Search domains at most (the C library's MAXDNSRCH, as pasta keeps). */
    public static final int MAX_SEARCH = 6;
    public static final DnsAnnouncement NONE = new DnsAnnouncement(List.of(), List.of(), List.of());

    /** @throws IllegalArgumentException for too many servers or domains, or a domain that is not a DNS name */
    public DnsAnnouncement {
        servers4 = List.copyOf(servers4);
        servers6 = List.copyOf(servers6);
        if (servers4.size() > MAX_SERVERS || servers6.size() > MAX_SERVERS) {
            throw new IllegalArgumentException("more than " + MAX_SERVERS + " DNS servers of one family");
        }
        if (search.size() > MAX_SEARCH) {
            throw new IllegalArgumentException("more than " + MAX_SEARCH + " search domains");
        }
        search = search.stream().map(DnsName::normalize).toList();
    }

    /** The search list in wire form, one name after the other (empty when there is none). */
    public byte[] searchWire() {
        return DnsName.encodeAll(search);
    }
}
