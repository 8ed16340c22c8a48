package dev.jnet.cni;

import dev.jnet.netlink.NetlinkException;
import dev.jnet.netlink.NetlinkMessage;
import dev.jnet.rtnl.Link;
import dev.jnet.rtnl.RtnlHandle;

/**
 * Bridge and bridge-port settings jnet's link model does not carry (hairpin mode, VLAN
 * filtering, a port's VLAN, promiscuous mode), as the rtnetlink requests iproute2's {@code bridge} tool sends.
 * The message builders are pure, so tests check their bytes without a kernel.
 */
final class BridgePorts {
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_DELLINK = 17;
    private static final int RTM_SETLINK = 19;
    private static final int AF_UNSPEC = 0;
    private static final int AF_BRIDGE = 7;
    private static final int IFLA_PROTINFO = 12;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_AF_SPEC = 26;
    private static final int IFLA_INFO_KIND = 1;
    private static final int IFLA_INFO_DATA = 2;
    private static final int IFLA_BR_VLAN_FILTERING = 7;
    private static final int IFLA_BRPORT_MODE = 4;
    private static final int IFLA_BRIDGE_VLAN_INFO = 2;
    private static final int BRIDGE_VLAN_INFO_PVID = 2;
    private static final int BRIDGE_VLAN_INFO_UNTAGGED = 4;
    private static final int DEFAULT_VLAN = 1;

    private BridgePorts() {}

    /** The port's VLAN: pvid untagged {@code vid}, the default VLAN 1 removed. */
    static void setPortVlan(RtnlHandle host, int ifindex, int vid) {
        host.socket().request(vlanMessage(RTM_SETLINK, ifindex, vid, BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED));
        try {
            host.socket().request(vlanMessage(RTM_DELLINK, ifindex, DEFAULT_VLAN, 0));
        } catch (NetlinkException ignored) {
            // no default VLAN on this port
        }
    }

    /** The port's hairpin mode on: RTM_SETLINK, AF_BRIDGE, IFLA_PROTINFO { IFLA_BRPORT_MODE 1 }. */
    static NetlinkMessage hairpinMessage(int ifindex) {
        NetlinkMessage m = new NetlinkMessage(RTM_SETLINK, 0, "set hairpin on ifindex " + ifindex);
        ifinfo(m, AF_BRIDGE, ifindex);
        int info = m.beginNested(IFLA_PROTINFO);
        m.attrU8(IFLA_BRPORT_MODE, 1);
        m.endNested(info);
        return m;
    }

    /** IFLA_BR_VLAN_FILTERING on for bridge {@code ifindex}. */
    static NetlinkMessage vlanFilteringMessage(int ifindex) {
        NetlinkMessage m = new NetlinkMessage(RTM_NEWLINK, 0, "set vlan_filtering on ifindex " + ifindex);
        ifinfo(m, AF_UNSPEC, ifindex);
        int linkinfo = m.beginNested(IFLA_LINKINFO);
        m.attrString(IFLA_INFO_KIND, "bridge");
        int data = m.beginNested(IFLA_INFO_DATA);
        m.attrU8(IFLA_BR_VLAN_FILTERING, 1);
        m.endNested(data);
        m.endNested(linkinfo);
        return m;
    }

    /** IFF_PROMISC on for link {@code ifindex} (what {@code ip link set NAME promisc on} sends). */
    static NetlinkMessage promiscMessage(int ifindex, String name) {
        NetlinkMessage m = new NetlinkMessage(RTM_NEWLINK, 0, "set promisc on " + name);
        m.putU8(AF_UNSPEC).putU8(0).putU16(0).putU32(ifindex).putU32(Link.IFF_PROMISC).putU32(Link.IFF_PROMISC);
        return m;
    }

    /** IFLA_AF_SPEC { IFLA_BRIDGE_VLAN_INFO {flags, vid} } for port {@code ifindex}. */
    static NetlinkMessage vlanMessage(int type, int ifindex, int vid, int flags) {
        NetlinkMessage m = new NetlinkMessage(type, 0, "set vlan " + vid + " on ifindex " + ifindex);
        ifinfo(m, AF_BRIDGE, ifindex);
        int spec = m.beginNested(IFLA_AF_SPEC);
        m.attrBytes(IFLA_BRIDGE_VLAN_INFO, new byte[] {(byte) flags, (byte) (flags >> 8), (byte) vid, (byte) (vid >> 8)});
        m.endNested(spec);
        return m;
    }

    /** struct ifinfomsg: family, pad, type, index, flags, change. */
    private static void ifinfo(NetlinkMessage m, int family, int ifindex) {
        m.putU8(family).putU8(0).putU16(0).putU32(ifindex).putU32(0).putU32(0);
    }
}
