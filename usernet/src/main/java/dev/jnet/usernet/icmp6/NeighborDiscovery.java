package dev.jnet.usernet.icmp6;

import dev.jnet.usernet.DnsAnnouncement;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.Scheduler;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.ip.Ipv6Output;
import dev.jnet.usernet.wire.Icmpv6Packet;
import dev.jnet.usernet.wire.InternetChecksum;
import dev.jnet.usernet.wire.Ipv6Packet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet6Address;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The stack's side of neighbour discovery (RFC 4861) on the guest link, as libslirp's {@code
 * ndp_input}: neighbour solicitations for the addresses the stack owns (prefix::2, prefix::3
 * and the gateway's link-local address) get a neighbour advertisement with the gateway MAC;
 * router solicitations, start-up and a timer (libslirp's 200..600 s) get a router
 * advertisement that lets the guest configure itself by SLAAC: the prefix (on-link,
 * autonomous), the link MTU, the DNS servers and search list of {@link UsernetConfig#dnsAnnouncement()}
 * (RDNSS and DNSSL, RFC 8106; libslirp's prefix::3) and the gateway MAC.
 * Messages that did not come from the link itself (hop limit not 255) are dropped, as the RFC
 * requires. The stack keeps no neighbour cache: it always answers the guest's learned MAC.
 */
public final class NeighborDiscovery implements AutoCloseable {
    /** High 64 bits of fe80::/64. */
    public static final long LINK_LOCAL_HIGH = 0xfe80_0000_0000_0000L;
    /** High 64 bits of ff02::/16 link-scope multicast groups. */
    static final long LINK_SCOPE_MULTICAST_HIGH = 0xff02_0000_0000_0000L;
    /** Low 64 bits of the all-nodes group ff02::1. */
    static final long ALL_NODES_LOW = 1;
    /** Low 64 bits of the solicited-node groups ff02::1:ffXX:XXXX, without the last 24 bits. */
    static final long SOLICITED_NODE_LOW = 0x0000_0001_ff00_0000L;
    static final int NDP_HOP_LIMIT = 255;

    static final int OPT_SOURCE_LINK_LAYER = 1;
    static final int OPT_TARGET_LINK_LAYER = 2;
    static final int OPT_PREFIX_INFORMATION = 3;
    static final int OPT_MTU = 5;
    static final int OPT_RDNSS = 25;
    static final int OPT_DNSSL = 31;

    static final int RS_MIN_LENGTH = 8;
    static final int NS_LENGTH = 24;
    static final int NA_LENGTH = 24 + 8;
    /** RA header 16 + source link-layer 8 + MTU 8 + prefix 32 (+ RDNSS, DNSSL). */
    static final int RA_LENGTH = 16 + 8 + 8 + 32;

    /** libslirp's NDP_MaxRtrAdvInterval and NDP_MinRtrAdvInterval (RFC 4861 defaults). */
    public static final long MAX_RA_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(600);
    public static final long MIN_RA_INTERVAL_NANOS = MAX_RA_INTERVAL_NANOS / 3;
    /** AdvDefaultLifetime: 3 x MaxRtrAdvInterval. */
    static final int ROUTER_LIFETIME_SECONDS = 1800;
    static final int CUR_HOP_LIMIT = 64;
    /** AdvValidLifetime and AdvPreferredLifetime (libslirp's). */
    static final int VALID_LIFETIME_SECONDS = 86400;
    static final int PREFERRED_LIFETIME_SECONDS = 14400;
    /** RFC 8106: at least MaxRtrAdvInterval; libslirp means 2 x. */
    static final int RDNSS_LIFETIME_SECONDS = 1200;

    private final UsernetConfig config;
    private final Ipv6Config v6;
    /** The RA's RDNSS and DNSSL options (RFC 8106 5.1, 5.2), made once; empty: left out. */
    private final byte[] dnsOptions;
    private final Scheduler scheduler;
    private final Ipv6Output out;
    private final long gatewayLinkLocalLow;
    private final Icmpv6Packet reply = new Icmpv6Packet();
    private Scheduler.Timer timer;
    private boolean closed;

    private long advertisements;
    private long routerAdvertisements;
    private long badHopLimit;
    private long ignored;

    public NeighborDiscovery(UsernetConfig config, Scheduler scheduler, Ipv6Output out) {
        this.config = config;
        this.v6 = config.ipv6();
        this.dnsOptions = dnsOptions(config.dnsAnnouncement());
        this.scheduler = scheduler;
        this.out = out;
        this.gatewayLinkLocalLow = interfaceId(config.gatewayMac());
    }

    /** The modified EUI-64 interface id of {@code mac} (RFC 4291 appendix A). */
    public static long interfaceId(long mac) {
        return (((mac >>> 24) ^ 0x02_0000L) << 40) | (0xfffeL << 24) | (mac & 0xff_ffffL);
    }

    /** The Ethernet address of IPv6 multicast group {@code ...:low} (RFC 2464: 33:33 + last 32 bits). */
    public static long multicastMac(long groupLow) {
        return 0x3333_0000_0000L | (groupLow & 0xffff_ffffL);
    }

    /** Low 64 bits of the gateway's link-local address fe80::(EUI-64 of the gateway MAC). */
    public long gatewayLinkLocalLow() {
        return gatewayLinkLocalLow;
    }

    /** Whether {@code high:low} is an address the stack answers for (NDP and echo). */
    public boolean isOwnAddress(long high, long low) {
        return v6.isGateway(high, low) || v6.isDns(high, low)
                || (high == LINK_LOCAL_HIGH && low == gatewayLinkLocalLow);
    }

    /** Sends the first router advertisement now and schedules the periodic ones (unless they are off). */
    public void start() {
        if (!config.services().advertises()) {
            return;
        }
        sendRouterAdvertisement();
        arm();
    }

    private void arm() {
        long delay = ThreadLocalRandom.current().nextLong(MIN_RA_INTERVAL_NANOS, MAX_RA_INTERVAL_NANOS + 1);
        timer = scheduler.schedule(() -> {
            if (!closed) {
                sendRouterAdvertisement();
                arm();
            }
        }, delay);
    }

    /**
     * Handles an NDP message (types 133..137) whose checksum the caller verified; the views are
     * valid only during the call.
     */
    public void receive(Ipv6Packet ip, Icmpv6Packet icmp) {
        if (!config.services().ndp()) {
            ignored++; // pasta's --no-ndp
            return;
        }
        if (ip.hopLimit() != NDP_HOP_LIMIT || icmp.code() != 0) {
            badHopLimit++; // forwarded from off-link, or not NDP at all (RFC 4861 6.1, 7.1)
            return;
        }
        switch (icmp.type()) {
            case Icmpv6Packet.TYPE_ROUTER_SOLICITATION -> {
                if (icmp.length() < RS_MIN_LENGTH || !config.services().ra()) {
                    ignored++;
                } else {
                    sendRouterAdvertisement();
                }
            }
            case Icmpv6Packet.TYPE_NEIGHBOR_SOLICITATION -> solicitation(ip, icmp);
            default -> ignored++; // advertisements and redirects: the stack is the only router
        }
    }

    private void solicitation(Ipv6Packet ip, Icmpv6Packet icmp) {
        if (icmp.length() < NS_LENGTH) {
            ignored++;
            return;
        }
        ByteBuf b = icmp.buffer();
        long targetHigh = b.getLong(icmp.offset() + 8);
        long targetLow = b.getLong(icmp.offset() + 16);
        boolean fromUnspecified = ip.srcHigh() == 0 && ip.srcLow() == 0;
        if (fromUnspecified) {
            out.learnGuestAddress(targetHigh, targetLow); // DAD of an address the guest is taking
        }
        // DAD probes (source ::) must go to the target's solicited-node group (RFC 4861 7.1.1)
        // pasta's plan: every neighbour of the prefix is us too (not for DAD: the guest's
        // addresses are its own to take)
        boolean answered = isOwnAddress(targetHigh, targetLow) || (!fromUnspecified && v6.isNeighbour(targetHigh, targetLow));
        if (!answered
                || (fromUnspecified && !(ip.dstHigh() == LINK_SCOPE_MULTICAST_HIGH
                        && ip.dstLow() == (SOLICITED_NODE_LOW | (targetLow & 0xff_ffffL))))) {
            ignored++; // incl. the guest's own DAD probes: never defend its addresses
            return;
        }
        long dstHigh = fromUnspecified ? LINK_SCOPE_MULTICAST_HIGH : ip.srcHigh();
        long dstLow = fromUnspecified ? ALL_NODES_LOW : ip.srcLow();
        ByteBuf buf = out.allocate(NA_LENGTH);
        int start = buf.writerIndex();
        int flags = 0x8000_0000 /* router */ | (fromUnspecified ? 0 : 0x4000_0000) /* solicited */
                | 0x2000_0000 /* override */;
        buf.writeByte(Icmpv6Packet.TYPE_NEIGHBOR_ADVERTISEMENT).writeByte(0).writeShort(0).writeInt(flags);
        buf.writeLong(targetHigh).writeLong(targetLow);
        writeLinkLayerOption(buf, OPT_TARGET_LINK_LAYER);
        reply.wrap(buf, start, NA_LENGTH).fillChecksum(
                pseudoHeader(targetHigh, targetLow, dstHigh, dstLow, NA_LENGTH));
        reply.clear();
        advertisements++;
        out.send(buf, targetHigh, targetLow, dstHigh, dstLow, Ipv6Packet.NH_ICMPV6, NDP_HOP_LIMIT,
                fromUnspecified ? multicastMac(ALL_NODES_LOW) : out.guestMac());
    }

    /** Multicasts a router advertisement to all nodes, from the gateway's link-local address. */
    public void sendRouterAdvertisement() {
        if (closed) {
            return;
        }
        int length = RA_LENGTH + dnsOptions.length;
        ByteBuf buf = out.allocate(length);
        int start = buf.writerIndex();
        buf.writeByte(Icmpv6Packet.TYPE_ROUTER_ADVERTISEMENT).writeByte(0).writeShort(0);
        buf.writeByte(CUR_HOP_LIMIT).writeByte(0x40 /* M=0 O=1: SLAAC, other configuration (DNS) by DHCPv6 (RFC 4861 4.2) */)
                .writeShort(ROUTER_LIFETIME_SECONDS);
        buf.writeInt(0).writeInt(0); // reachable time, retrans timer: unspecified
        writeLinkLayerOption(buf, OPT_SOURCE_LINK_LAYER);
        buf.writeByte(OPT_MTU).writeByte(1).writeShort(0).writeInt(config.mtu());
        buf.writeByte(OPT_PREFIX_INFORMATION).writeByte(4).writeByte(v6.prefixLength())
                .writeByte(0xc0 /* on-link, autonomous */)
                .writeInt(VALID_LIFETIME_SECONDS).writeInt(PREFERRED_LIFETIME_SECONDS).writeInt(0)
                .writeLong(v6.prefixHigh()).writeLong(0);
        buf.writeBytes(dnsOptions);
        reply.wrap(buf, start, length).fillChecksum(pseudoHeader(LINK_LOCAL_HIGH, gatewayLinkLocalLow,
                LINK_SCOPE_MULTICAST_HIGH, ALL_NODES_LOW, length));
        reply.clear();
        routerAdvertisements++;
        out.send(buf, LINK_LOCAL_HIGH, gatewayLinkLocalLow, LINK_SCOPE_MULTICAST_HIGH, ALL_NODES_LOW,
                Ipv6Packet.NH_ICMPV6, NDP_HOP_LIMIT, multicastMac(ALL_NODES_LOW));
    }

    /**
     * RDNSS with every IPv6 server (8 + 16 per server), then DNSSL with the search list's names,
     * zero-padded to a multiple of 8 octets (RFC 8106 5.2); the lifetime is the RDNSS one.
     */
    static byte[] dnsOptions(DnsAnnouncement announced) {
        ByteBuf b = Unpooled.buffer();
        List<Inet6Address> servers = announced.servers6();
        if (!servers.isEmpty()) {
            b.writeByte(OPT_RDNSS).writeByte(1 + 2 * servers.size()).writeShort(0).writeInt(RDNSS_LIFETIME_SECONDS);
            servers.forEach(a -> b.writeBytes(a.getAddress()));
        }
        byte[] names = announced.searchWire();
        if (names.length > 0) {
            int length = (8 + names.length + 7) / 8 * 8;
            b.writeByte(OPT_DNSSL).writeByte(length / 8).writeShort(0).writeInt(RDNSS_LIFETIME_SECONDS)
                    .writeBytes(names).writeZero(length - 8 - names.length);
        }
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        return out;
    }

    private void writeLinkLayerOption(ByteBuf buf, int type) {
        long mac = config.gatewayMac();
        buf.writeByte(type).writeByte(1).writeShort((int) (mac >>> 32)).writeInt((int) mac);
    }

    static long pseudoHeader(long srcHigh, long srcLow, long dstHigh, long dstLow, int length) {
        return InternetChecksum.pseudoHeaderV6(srcHigh, srcLow, dstHigh, dstLow,
                Ipv6Packet.NH_ICMPV6, length);
    }

    /** Neighbour advertisements sent. */
    public long neighborAdvertisements() {
        return advertisements;
    }

    /** Router advertisements sent (solicited, start-up and periodic). */
    public long routerAdvertisements() {
        return routerAdvertisements;
    }

    /** NDP messages dropped for a hop limit other than 255 or a non-zero code. */
    public long badHopLimit() {
        return badHopLimit;
    }

    /** NDP messages not answered (other targets, DAD of the guest's addresses, NA, redirects). */
    public long ignored() {
        return ignored;
    }

    /** Stops the periodic advertisements. */
    @Override
    public void close() {
        closed = true;
        if (timer != null) {
            timer.cancel();
        }
    }
}
