package dev.jnet.rtnl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jnet.netlink.NetlinkMessage;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Byte-level encoding and parsing, against the layouts of the kernel's uapi headers:
 * nlmsghdr (16), ifinfomsg (16), ifaddrmsg (8), rtmsg (12), nlattr (u16 len incl. 4-byte
 * header, u16 type, payload padded to 4). Little-endian host assumed for the literal bytes.
 */
class CodecTest {
    private static final boolean LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private static ByteBuffer bb(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    @Test
    void getLinkByNameIsIfinfomsgPlusIflaIfname() {
        org.junit.jupiter.api.Assumptions.assumeTrue(LE);
        byte[] b = LinkCodec.getByName("eth0").toBytes(7);
        assertThat(hex(b)).isEqualTo(
                "2c000000" + "1200" + "0100" + "07000000" + "00000000" // nlmsghdr: len 44, RTM_GETLINK, REQUEST
                        + "00" + "00" + "0000" + "00000000" + "00000000" + "00000000" // ifinfomsg
                        + "0900" + "0300" + "6574683000" + "000000"); // IFLA_IFNAME "eth0\0" padded
    }

    @Test
    void vethWithPeerInAnotherNamespaceNestsAnIfinfomsg() {
        org.junit.jupiter.api.Assumptions.assumeTrue(LE);
        byte[] b = LinkCodec.newLink(LinkSpec.of("va", new LinkKind.Veth("vb")), 0, null, LinkCodec.NsRef.fd(9))
                .toBytes(1);
        ByteBuffer m = bb(b);
        assertThat(m.getInt(0)).isEqualTo(b.length);
        assertThat(m.getShort(4)).isEqualTo((short) 16); // RTM_NEWLINK
        assertThat(m.getShort(6)).isEqualTo((short) (0x1 | 0x400 | 0x200)); // REQUEST|CREATE|EXCL
        String h = hex(b).substring(64); // after nlmsghdr + ifinfomsg
        assertThat(h).isEqualTo(
                "0700" + "0300" + "766100" + "00" // IFLA_IFNAME "va"
                        + "3800" + "1280" // IFLA_LINKINFO nested, 56 bytes
                        + "0900" + "0100" + "7665746800" + "000000" // IFLA_INFO_KIND "veth"
                        + "2800" + "0280" // IFLA_INFO_DATA nested, 40
                        + "2400" + "0180" // VETH_INFO_PEER nested, 36
                        + "00000000" + "00000000" + "00000000" + "00000000" // ifinfomsg of the peer
                        + "0700" + "0300" + "766200" + "00" // IFLA_IFNAME "vb"
                        + "0800" + "1c00" + "09000000"); // IFLA_NET_NS_FD 9
    }

    @Test
    void vlanAndMacvlanCarryParentAndData() {
        org.junit.jupiter.api.Assumptions.assumeTrue(LE);
        String vlan = hex(LinkCodec.newLink(LinkSpec.of("e.5", new LinkKind.Vlan("e", 5)), 3, null, null).toBytes(1));
        assertThat(vlan).contains("0800" + "0500" + "03000000"); // IFLA_LINK 3
        assertThat(vlan).contains("0c00" + "0280" + "0600" + "0100" + "0500" + "0000"); // INFO_DATA{IFLA_VLAN_ID 5}
        String mv = hex(LinkCodec.newLink(LinkSpec.of("m", new LinkKind.Macvlan("e", "bridge")), 3, null, null)
                .toBytes(1));
        assertThat(mv).contains("0c00" + "0280" + "0800" + "0100" + "04000000"); // MACVLAN_MODE_BRIDGE
        assertThatThrownBy(() -> LinkCodec.newLink(LinkSpec.of("m", new LinkKind.Macvlan("e", "nope")), 3, null, null))
                .isInstanceOf(RtnlException.class).hasMessageContaining("Unknown macvlan mode \"nope\"");
        assertThatThrownBy(() -> LinkCodec.newLink(LinkSpec.of("v", new LinkKind.Vlan("e", 0)), 3, null, null))
                .isInstanceOf(RtnlException.class).hasMessageContaining("VLAN id 0");
        assertThatThrownBy(() -> LinkCodec.newLink(LinkSpec.of("v", new LinkKind.Vlan("e", 4095)), 3, null, null))
                .isInstanceOf(RtnlException.class);
    }

    @Test
    void setLinkIsOneMessageWithFlagsAndChange() {
        org.junit.jupiter.api.Assumptions.assumeTrue(LE);
        LinkChange c = LinkChange.none().withUp(true).withMtu(1400).withName("new0").withMaster(null)
                .withTxqlen(10).withNetns(new NetnsTarget.ByPid(42));
        byte[] b = LinkCodec.set(5, "old0", c, 0, LinkCodec.NsRef.pid(42)).toBytes(1);
        ByteBuffer m = bb(b);
        assertThat(m.getShort(6)).isEqualTo((short) 1); // no CREATE
        assertThat(m.getInt(16 + 4)).isEqualTo(5); // index
        assertThat(m.getInt(16 + 8)).isEqualTo(1); // IFF_UP
        assertThat(m.getInt(16 + 12)).isEqualTo(1); // change IFF_UP
        String h = hex(b).substring(64);
        assertThat(h).isEqualTo("0900" + "0300" + "6e65773000" + "000000" // IFLA_IFNAME new0
                + "0800" + "0400" + "78050000" // IFLA_MTU 1400
                + "0800" + "0d00" + "0a000000" // IFLA_TXQLEN 10
                + "0800" + "0a00" + "00000000" // IFLA_MASTER 0 (nomaster)
                + "0800" + "1300" + "2a000000"); // IFLA_NET_NS_PID 42
        // down by name, no index: IFLA_IFNAME is the lookup key
        byte[] d = LinkCodec.set(0, "x", LinkChange.none().withUp(false), -1, null).toBytes(1);
        assertThat(bb(d).getInt(16 + 8)).isZero();
        assertThat(bb(d).getInt(16 + 12)).isEqualTo(1);
        assertThat(hex(d).substring(64)).isEqualTo("0600" + "0300" + "7800" + "0000");
        assertThatThrownBy(() -> LinkCodec.set(0, "x", LinkChange.none().withMtu(-1), -1, null))
                .isInstanceOf(RtnlException.class);
    }

    /** An RTM_NEWLINK as the kernel sends it, built by hand. */
    static byte[] newlinkMessage() {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
        b.putInt(0).putShort((short) 16).putShort((short) 2).putInt(1).putInt(0);
        b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(7).putInt(0x11043).putInt(0);
        attr(b, 3, "veth0\0".getBytes(StandardCharsets.UTF_8));
        attr(b, 4, le32(1500));
        attr(b, 13, le32(1000));
        attr(b, 16, new byte[] {6});
        attr(b, 1, new byte[] {2, 0, 0, 0, 0, 1});
        attr(b, 10, le32(3));
        attr(b, 5, le32(8));
        attr(b, 37, le32(0));
        attr(b, 6, "noqueue\0".getBytes(StandardCharsets.UTF_8));
        ByteBuffer info = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
        attr(info, 1, "veth\0".getBytes(StandardCharsets.UTF_8));
        byte[] ib = new byte[info.position()];
        info.flip().get(ib);
        attr(b, 18 | 0x8000, ib);
        ByteBuffer st = ByteBuffer.allocate(24 * 8).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 24; i++) {
            st.putLong(i + 1);
        }
        attr(b, 23, st.array());
        b.putInt(0, b.position());
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    static void attr(ByteBuffer b, int type, byte[] payload) {
        b.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
        while ((b.position() & 3) != 0) {
            b.put((byte) 0);
        }
    }

    @Test
    void parsesALink() {
        Link l = LinkCodec.parse(bb(newlinkMessage()));
        assertThat(l.ifindex()).isEqualTo(7);
        assertThat(l.ifname()).isEqualTo("veth0");
        assertThat(l.mtu()).isEqualTo(1500);
        assertThat(l.txqlen()).isEqualTo(1000);
        assertThat(l.operstateName()).isEqualTo("UP");
        assertThat(l.linkTypeName()).isEqualTo("ether");
        assertThat(l.addressString()).isEqualTo("02:00:00:00:00:01");
        assertThat(l.master()).hasValue(3);
        assertThat(l.link()).hasValue(8);
        assertThat(l.linkNetnsid()).hasValue(0);
        assertThat(l.qdisc()).isEqualTo("noqueue");
        assertThat(l.kind()).isEqualTo("veth");
        assertThat(l.stats().rxPackets()).isEqualTo(1);
        assertThat(l.stats().get(Link.Counter.COLLISIONS)).isEqualTo(10);
        assertThat(l.flagNames()).containsExactly("BROADCAST", "MULTICAST", "UP", "LOWER_UP");
    }

    @Test
    void flagWordsFollowIproute2() {
        Link base = LinkCodec.parse(bb(newlinkMessage()));
        assertThat(withFlags(base, 0x1 | 0x2 | 0x1000).flagNames())
                .containsExactly("NO-CARRIER", "BROADCAST", "MULTICAST", "UP");
        assertThat(withFlags(base, 0x8 | 0x1 | 0x40 | 0x10000).flagNames())
                .containsExactly("LOOPBACK", "UP", "LOWER_UP");
        assertThat(withFlags(base, 0x2 | 0x1000 | 0x800 | 0x100).flagNames(true))
                .containsExactly("BROADCAST", "MULTICAST", "PROMISC", "SLAVE", "M-DOWN");
        assertThat(withFlags(base, 0x2 | 0x80).flagNames()).containsExactly("BROADCAST", "NOARP");
        assertThat(withFlags(base, 0x80000).flagNames()).containsExactly("80000");
        assertThat(Link.linkTypeName(772)).isEqualTo("loopback");
        assertThat(Link.linkTypeName(0xfffe)).isEqualTo("none");
        assertThat(Link.linkTypeName(778)).isEqualTo("gre");
        assertThat(Link.linkTypeName(9999)).isEqualTo("[9999]");
    }

    private static Link withFlags(Link l, int flags) {
        return new Link(l.ifindex(), l.ifname(), flags, l.mtu(), l.qdisc(), l.operstate(), l.linkmode(), l.group(),
                l.txqlen(), l.linkType(), l.address(), l.broadcast(), l.master(), l.link(), l.linkNetnsid(), l.kind(),
                l.minMtu(), l.maxMtu(), l.stats());
    }

    @Test
    void addressEncodingIpv4AndIpv6() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LE);
        Address a = new Address(4, InetAddress.getByName("10.200.0.1"), 24, null,
                InetAddress.getByName("10.200.0.255"), 0, "eth0:1", 0);
        byte[] b = AddressCodec.add(a).toBytes(3);
        assertThat(hex(b)).isEqualTo("3c000000" + "1400" + "0106" + "03000000" + "00000000" // RTM_NEWADDR, REQUEST, CREATE, EXCL (0x601)
                + "02" + "18" + "00" + "00" + "04000000" // ifaddrmsg
                + "0800" + "0200" + "0ac80001" // IFA_LOCAL
                + "0800" + "0100" + "0ac80001" // IFA_ADDRESS = local
                + "0800" + "0400" + "0ac800ff" // IFA_BROADCAST
                + "0b00" + "0300" + "657468303a3100" + "00"); // IFA_LABEL
        Address p = new Address(4, InetAddress.getByName("10.200.0.1"), 32, InetAddress.getByName("10.200.0.2"), null,
                0, null, 0);
        assertThat(hex(AddressCodec.add(p).toBytes(3))).contains("0800" + "0100" + "0ac80002"); // IFA_ADDRESS = peer
        Address v6 = new Address(4, InetAddress.getByName("fd00:200::1"), 64, null, null, 0, null, 0x02);
        byte[] b6 = AddressCodec.add(v6).toBytes(3);
        assertThat(hex(b6).substring(32)).isEqualTo("0a" + "40" + "02" + "00" + "04000000"
                + "1400" + "0200" + "fd000200000000000000000000000001"
                + "1400" + "0100" + "fd000200000000000000000000000001");
        assertThatThrownBy(() -> AddressCodec.add(Address.of(1, InetAddress.getByName("10.200.0.1"), 33)))
                .isInstanceOf(RtnlException.class);
    }

    @Test
    void addressParsingSplitsLocalAndPeer() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        b.putInt(0).putShort((short) 20).putShort((short) 2).putInt(1).putInt(0);
        b.put((byte) 2).put((byte) 32).put((byte) 0x80).put((byte) 0).putInt(4);
        attr(b, 1, InetAddress.getByName("10.200.0.2").getAddress());
        attr(b, 2, InetAddress.getByName("10.200.0.1").getAddress());
        attr(b, 3, "eth0\0".getBytes(StandardCharsets.UTF_8));
        attr(b, 8, le32(0x80));
        b.putInt(0, b.position());
        Address a = AddressCodec.parse(b.flip());
        assertThat(a.local()).isEqualTo(InetAddress.getByName("10.200.0.1"));
        assertThat(a.peer()).isEqualTo(InetAddress.getByName("10.200.0.2"));
        assertThat(a.prefixlen()).isEqualTo(32);
        assertThat(a.label()).isEqualTo("eth0");
        assertThat(a.flags()).isEqualTo(0x80);
        assertThat(a.ifindex()).isEqualTo(4);
    }

    @Test
    void routeEncodingUsesRtaTableOnlyAbove255() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LE);
        Route r = Route.to(Route.AF_INET, InetAddress.getByName("10.200.1.0"), 24)
                .via(InetAddress.getByName("10.200.0.1")).dev(3).metric(10);
        byte[] b = RouteCodec.add(r).toBytes(1);
        assertThat(hex(b)).isEqualTo("3c000000" + "1800" + "0106" + "01000000" + "00000000"
                + "02" + "18" + "00" + "00" + "fe" + "03" + "00" + "01" + "00000000" // rtmsg: main, boot, universe, unicast
                + "0800" + "0100" + "0ac80100" // RTA_DST
                + "0800" + "0500" + "0ac80001" // RTA_GATEWAY
                + "0800" + "0400" + "03000000" // RTA_OIF
                + "0800" + "0600" + "0a000000"); // RTA_PRIORITY
        byte[] t = RouteCodec.replace(Route.to(Route.AF_INET, InetAddress.getByName("10.200.1.0"), 24).dev(3)
                .table(1000)).toBytes(1);
        ByteBuffer m = bb(t);
        assertThat(m.getShort(6)).isEqualTo((short) (1 | 0x400 | 0x100)); // CREATE|REPLACE
        assertThat(m.get(16 + 4)).isEqualTo((byte) 0); // rtm_table unspec
        assertThat(m.get(16 + 6)).isEqualTo((byte) 253); // no gateway: scope link
        assertThat(hex(t)).contains("0800" + "0f00" + "e8030000"); // RTA_TABLE 1000
        byte[] d = RouteCodec.delete(r).toBytes(1);
        assertThat(bb(d).get(16 + 6)).isEqualTo((byte) 255); // scope nowhere: match any
        assertThat(bb(d).get(16 + 5)).isEqualTo((byte) 0); // any protocol
    }

    @Test
    void routeParsing() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        b.putInt(0).putShort((short) 24).putShort((short) 2).putInt(1).putInt(0);
        b.put((byte) 10).put((byte) 64).put((byte) 0).put((byte) 0).put((byte) 254).put((byte) 2).put((byte) 0)
                .put((byte) 1).putInt(0);
        attr(b, 15, le32(254));
        attr(b, 1, InetAddress.getByName("fd00:200::").getAddress());
        attr(b, 6, le32(256));
        attr(b, 4, le32(2));
        b.putInt(0, b.position());
        Route r = RouteCodec.parse(b.flip());
        assertThat(r.family()).isEqualTo(10);
        assertThat(r.dst()).isEqualTo(InetAddress.getByName("fd00:200::"));
        assertThat(r.dstLen()).isEqualTo(64);
        assertThat(r.metric()).isEqualTo(256);
        assertThat(r.oif()).isEqualTo(2);
        assertThat(r.table()).isEqualTo(254);
        assertThat(r.protocol()).isEqualTo(2);
        assertThat(r.gateway()).isNull();
    }

    @Test
    void tunIfreqLayout() {
        org.junit.jupiter.api.Assumptions.assumeTrue(LE);
        byte[] r = TuntapDevices.ifreq("tap0", true);
        assertThat(r).hasSize(40);
        assertThat(hex(r).substring(0, 36)).isEqualTo("74617030" + "000000000000000000000000" + "0290");
    }

    @Test
    void badNamesAreRejected() {
        assertThatThrownBy(() -> LinkCodec.checkName("0123456789abcdef", "link")).isInstanceOf(RtnlException.class);
        assertThatThrownBy(() -> LinkCodec.checkName("a/b", "link")).isInstanceOf(RtnlException.class);
        assertThatThrownBy(() -> LinkCodec.checkName("a b", "link")).isInstanceOf(RtnlException.class);
        LinkCodec.checkName("0123456789abcde", "link");
        assertThat(NetlinkMessage.HEADER_LEN).isEqualTo(16);
    }
}
