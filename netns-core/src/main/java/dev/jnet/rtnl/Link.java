package dev.jnet.rtnl;

import java.util.List;
import java.util.OptionalInt;

/**
 * A link as the kernel reports it (RTM_NEWLINK). Field names follow {@code ip -j link}.
 *
 * @param ifindex interface index
 * @param ifname name
 * @param flags IFF_* flag bits (ifi_flags)
 * @param mtu MTU
 * @param qdisc IFLA_QDISC, or null
 * @param operstate IF_OPER_* value (see {@link #operstateName()})
 * @param linkmode IFLA_LINKMODE (0 default, 1 dormant)
 * @param group IFLA_GROUP
 * @param txqlen IFLA_TXQLEN
 * @param linkType ARPHRD_* (ifi_type)
 * @param address hardware address, or null
 * @param broadcast broadcast hardware address, or null
 * @param master ifindex of the master (bridge), if enslaved
 * @param link IFLA_LINK: the peer/parent ifindex, if any
 * @param linkNetnsid IFLA_LINK_NETNSID: nsid of the namespace the peer/parent lives in, if elsewhere
 * @param kind IFLA_INFO_KIND ("veth", "bridge", ...), or null
 * @param minMtu IFLA_MIN_MTU, or 0
 * @param maxMtu IFLA_MAX_MTU, or 0
 * @param stats IFLA_STATS64 counters, or null
 * @param details what {@code ip -d} adds (promiscuity, queues, GSO limits, ...), or null
 */
public record Link(
        int ifindex,
        String ifname,
        int flags,
        int mtu,
        String qdisc,
        int operstate,
        int linkmode,
        int group,
        int txqlen,
        int linkType,
        byte[] address,
        byte[] broadcast,
        OptionalInt master,
        OptionalInt link,
        OptionalInt linkNetnsid,
        String kind,
        int minMtu,
        int maxMtu,
        LinkStats stats,
        Details details) {

    /** A link without {@link Details}. */
    public Link(int ifindex, String ifname, int flags, int mtu, String qdisc, int operstate, int linkmode, int group,
            int txqlen, int linkType, byte[] address, byte[] broadcast, OptionalInt master, OptionalInt link,
            OptionalInt linkNetnsid, String kind, int minMtu, int maxMtu, LinkStats stats) {
        this(ifindex, ifname, flags, mtu, qdisc, operstate, linkmode, group, txqlen, linkType, address, broadcast,
                master, link, linkNetnsid, kind, minMtu, maxMtu, stats, null);
    }

    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_POINTOPOINT = 0x10;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_MASTER = 0x400;
    public static final int IFF_SLAVE = 0x800;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;
    public static final int IFF_DORMANT = 0x20000;

    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** iproute2's name for the operational state: UNKNOWN, DOWN, UP, LOWERLAYERDOWN, ... */
    public String operstateName() {
        return switch (operstate) {
            case 1 -> "NOTPRESENT";
            case 2 -> "DOWN";
            case 3 -> "LOWERLAYERDOWN";
            case 4 -> "TESTING";
            case 5 -> "DORMANT";
            case 6 -> "UP";
            default -> "UNKNOWN";
        };
    }

    /**
     * iproute2's flag words in its order (e.g. NO-CARRIER, BROADCAST, MULTICAST, UP, LOWER_UP), as
     * {@code print_link_flags}: NO-CARRIER first when UP without RUNNING, then the named flags, then
     * any unnamed bits as one hex word. Without M-DOWN: see {@link #flagNames(boolean)}.
     */
    public List<String> flagNames() {
        return flagNames(false);
    }

    private static final int IFF_RUNNING = 0x40;
    private static final int[] FLAG_BITS = {0x8, 0x2, 0x10, 0x1000, 0x80, 0x200, 0x100, 0x400, 0x800, 0x4, 0x8000,
        0x4000, 0x2000, 0x20, 0x1, 0x10000, 0x20000, 0x40000};
    private static final String[] FLAG_WORDS = {"LOOPBACK", "BROADCAST", "POINTOPOINT", "MULTICAST", "NOARP",
        "ALLMULTI", "PROMISC", "MASTER", "SLAVE", "DEBUG", "DYNAMIC", "AUTOMEDIA", "PORTSEL", "NOTRAILERS", "UP",
        "LOWER_UP", "DORMANT", "ECHO"};

    /**
     * As {@link #flagNames()}, with "M-DOWN" last when {@code linkDown}: iproute2 adds it when the
     * link has an IFLA_LINK in the same namespace (no {@link #linkNetnsid}) whose flags lack UP.
     */
    public List<String> flagNames(boolean linkDown) {
        List<String> out = new java.util.ArrayList<>(6);
        int f = flags;
        if ((f & IFF_UP) != 0 && (f & IFF_RUNNING) == 0) {
            out.add("NO-CARRIER");
        }
        f &= ~IFF_RUNNING;
        for (int i = 0; i < FLAG_BITS.length; i++) {
            if ((f & FLAG_BITS[i]) != 0) {
                f &= ~FLAG_BITS[i];
                out.add(FLAG_WORDS[i]);
            }
        }
        if (f != 0) {
            out.add(Integer.toHexString(f));
        }
        if (linkDown) {
            out.add("M-DOWN");
        }
        return out;
    }

    /** iproute2's name for {@link #linkType}: ether, loopback, none, ... ("[N]" when it has none). */
    public String linkTypeName() {
        return linkTypeName(linkType);
    }

    /** iproute2's ll_type_n2a. */
    public static String linkTypeName(int type) {
        switch (type) {
            case 0: return "generic";
            case 1: return "ether";
            case 2: return "eether";
            case 3: return "ax25";
            case 4: return "pronet";
            case 5: return "chaos";
            case 6: return "ieee802";
            case 7: return "arcnet";
            case 8: return "atalk";
            case 15: return "dlci";
            case 19: return "atm";
            case 23: return "metricom";
            case 24: return "ieee1394";
            case 32: return "infiniband";
            case 256: return "slip";
            case 257: return "cslip";
            case 258: return "slip6";
            case 259: return "cslip6";
            case 260: return "rsrvd";
            case 264: return "adapt";
            case 270: return "rose";
            case 271: return "x25";
            case 272: return "hwx25";
            case 280: return "can";
            case 512: return "ppp";
            case 513: return "hdlc";
            case 516: return "lapb";
            case 517: return "ddcmp";
            case 518: return "rawhdlc";
            case 768: return "ipip";
            case 769: return "tunnel6";
            case 770: return "frad";
            case 771: return "skip";
            case 772: return "loopback";
            case 773: return "ltalk";
            case 774: return "fddi";
            case 775: return "bif";
            case 776: return "sit";
            case 777: return "ip/ddp";
            case 778: return "gre";
            case 779: return "pimreg";
            case 780: return "hippi";
            case 781: return "ash";
            case 782: return "econet";
            case 783: return "irda";
            case 784: return "fcpp";
            case 785: return "fcal";
            case 786: return "fcpl";
            case 800: return "tr";
            case 801: return "ieee802.11";
            case 802: return "ieee802.11/prism";
            case 803: return "ieee802.11/radiotap";
            case 804: return "ieee802.15.4";
            case 805: return "ieee802.15.4/monitor";
            case 820: return "phonet";
            case 821: return "phonet_pipe";
            case 822: return "caif";
            case 823: return "gre6";
            case 824: return "netlink";
            case 825: return "6lowpan";
            case 0xfffe: return "none";
            case 0xffff: return "void";
            default:
                if (type >= 787 && type <= 799) {
                    return "fcfb" + (type - 787);
                }
                return "[" + type + "]";
        }
    }

    /** The hardware address as iproute2 prints it (lower-case hex, colon-separated), or null. */
    public String addressString() {
        return hex(address);
    }

    public static String hex(byte[] b) {
        if (b == null) {
            return null;
        }
        StringBuilder s = new StringBuilder(b.length * 3);
        for (int i = 0; i < b.length; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append(Character.forDigit(b[i] & 0xf, 16));
        }
        return s.toString();
    }

    /** The counters of IFLA_STATS64 ({@code struct rtnl_link_stats64}), in the kernel's order. */
    public enum Counter {
        RX_PACKETS, TX_PACKETS, RX_BYTES, TX_BYTES, RX_ERRORS, TX_ERRORS, RX_DROPPED, TX_DROPPED, MULTICAST,
        COLLISIONS, RX_LENGTH_ERRORS, RX_OVER_ERRORS, RX_CRC_ERRORS, RX_FRAME_ERRORS, RX_FIFO_ERRORS,
        RX_MISSED_ERRORS, TX_ABORTED_ERRORS, TX_CARRIER_ERRORS, TX_FIFO_ERRORS, TX_HEARTBEAT_ERRORS,
        TX_WINDOW_ERRORS, RX_COMPRESSED, TX_COMPRESSED, RX_NOHANDLER, RX_OTHERHOST_DROPPED
    }

    /**
     * Counters from IFLA_STATS64 (those an older kernel does not send are 0), and IFLA_CARRIER_CHANGES
     * (-1 when absent).
     */
    public static final class LinkStats {
        private final long[] v = new long[Counter.values().length];
        private final long carrierChanges;

        /** {@code values} in {@link Counter} order (fewer: the rest are 0). */
        public LinkStats(long[] values, long carrierChanges) {
            System.arraycopy(values, 0, v, 0, Math.min(values.length, v.length));
            this.carrierChanges = carrierChanges;
        }

        public long get(Counter c) {
            return v[c.ordinal()];
        }

        public long carrierChanges() {
            return carrierChanges;
        }

        public long rxPackets() {
            return get(Counter.RX_PACKETS);
        }

        public long txPackets() {
            return get(Counter.TX_PACKETS);
        }

        public long rxBytes() {
            return get(Counter.RX_BYTES);
        }

        public long txBytes() {
            return get(Counter.TX_BYTES);
        }
    }

    /**
     * What {@code ip -d link} shows beyond the usual fields; -1 (null) where the kernel sent no such
     * attribute.
     *
     * @param promiscuity IFLA_PROMISCUITY
     * @param allmulti IFLA_ALLMULTI
     * @param numTxQueues IFLA_NUM_TX_QUEUES
     * @param numRxQueues IFLA_NUM_RX_QUEUES
     * @param gsoMaxSize IFLA_GSO_MAX_SIZE
     * @param gsoMaxSegs IFLA_GSO_MAX_SEGS
     * @param tsoMaxSize IFLA_TSO_MAX_SIZE
     * @param tsoMaxSegs IFLA_TSO_MAX_SEGS
     * @param groMaxSize IFLA_GRO_MAX_SIZE
     * @param addrGenMode IFLA_AF_SPEC / AF_INET6 / IFLA_INET6_ADDR_GEN_MODE
     * @param hasKindData whether IFLA_LINKINFO has IFLA_INFO_DATA
     * @param slaveKind IFLA_INFO_SLAVE_KIND ("bridge" for a bridge port)
     * @param parentBus IFLA_PARENT_DEV_BUS_NAME
     * @param parentDev IFLA_PARENT_DEV_NAME
     * @param hasMinMtu whether IFLA_MIN_MTU was sent
     * @param macvlan a macvlan's IFLA_INFO_DATA, or null (other kinds' data is not decoded)
     */
    public record Details(long promiscuity, long allmulti, long numTxQueues, long numRxQueues, long gsoMaxSize,
            long gsoMaxSegs, long tsoMaxSize, long tsoMaxSegs, long groMaxSize, int addrGenMode, boolean hasKindData,
            String slaveKind, String parentBus, String parentDev, boolean hasMinMtu, Macvlan macvlan) {}

    /**
     * A macvlan's IFLA_INFO_DATA; -1 where absent.
     *
     * @param mode IFLA_MACVLAN_MODE (MACVLAN_MODE_* bit)
     * @param flags IFLA_MACVLAN_FLAGS (1 nopromisc, 2 nodst)
     * @param bcQueueLen IFLA_MACVLAN_BC_QUEUE_LEN
     * @param usedBcQueueLen IFLA_MACVLAN_BC_QUEUE_LEN_USED
     */
    public record Macvlan(long mode, int flags, long bcQueueLen, long usedBcQueueLen) {}
}
