package dev.jnet.usernet.guest;

import dev.jnet.netlink.NetlinkException;
import dev.jnet.rtnl.Address;
import dev.jnet.rtnl.LinkChange;
import dev.jnet.rtnl.Route;
import dev.jnet.rtnl.RtnlException;
import dev.jnet.rtnl.RtnlHandle;
import dev.jnet.usernet.Ipv6Config;
import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.UsernetException;
import dev.jnet.usernet.wire.Ipv4Packet;
import dev.jnet.usernet.wire.Ipv6Packet;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What {@code slirp4netns --configure} does inside the guest's namespace (its
 * {@code configure_network}), over rtnetlink instead of ioctls: lo up; the tap's MAC
 * (--macaddress), MTU and up; {@code .100/prefix} with the subnet's broadcast; a default route
 * via {@code .2} on the tap (proto boot, as the ioctl made it). The handle acts inside the guest's
 * namespace with the privileges of whoever made its socket there (jnet-helper, rootless).
 */
public final class GuestLinkSetup {
    /** Frames the tap holds for the stack: 500 dropped thousands per iperf3 run on a busy 2-CPU host. */
    static final int TAP_TX_QUEUE_LENGTH = 4096;

    private GuestLinkSetup() {}

    /** @throws UsernetException (CONFIGURE) naming the step that failed and the kernel's reason */
    public static void configure(RtnlHandle rtnl, String tap, UsernetConfig config) {
        step("cannot set device up: lo", () -> rtnl.setLink("lo", LinkChange.none().withUp(true)));
        // the tap's queue towards us (tun: txqueuelen frames, 500 by default) absorbs the
        // guest's bursts while our event loop is busy or descheduled; overflow is silent loss
        LinkChange change = LinkChange.none().withMtu(config.mtu()).withTxqlen(TAP_TX_QUEUE_LENGTH);
        if (config.guestMac() >= 0) {
            change = change.withAddress(macBytes(config.guestMac()));
        }
        LinkChange link = change;
        step("cannot configure device " + tap, () -> rtnl.setLink(tap, link));
        step("cannot set device up: " + tap, () -> rtnl.setLink(tap, LinkChange.none().withUp(true)));
        int index = rtnl.ifindex(tap);
        if (config.pasta() == null || config.pasta().ipv4()) {
            Address address = new Address(index, inet(config.guestAddress()), config.prefixLength(), null,
                    inet(config.broadcast()), Address.SCOPE_UNIVERSE, null, 0);
            step("cannot set device address " + ip(config.guestAddress()) + "/" + config.prefixLength() + " on "
                    + tap, () -> rtnl.addAddress(address));
            Route route = Route.to(Route.AF_INET, null, 0).via(inet(config.gateway())).dev(index);
            step("cannot add the default route via " + ip(config.gateway()), () -> rtnl.addRoute(route));
        }
        Ipv6Config v6 = config.ipv6();
        if (v6 != null && v6.isPasta()) {
            // pasta's plan: the host's address, without duplicate address detection (as pasta
            // adds it: usable at once), and the host's gateway; SLAAC plans configure themselves
            InetAddress guest6 = Ipv6Packet.toInetAddress(v6.prefixHigh(), v6.guestLow());
            InetAddress gateway6 = Ipv6Packet.toInetAddress(v6.gatewayHigh(), v6.gatewayLow());
            Address address6 = new Address(index, guest6, v6.prefixLength(), null, null, Address.SCOPE_UNIVERSE, null,
                    Address.IFA_F_NODAD);
            step("cannot set device address " + guest6.getHostAddress() + "/" + v6.prefixLength() + " on " + tap,
                    () -> rtnl.addAddress(address6));
            Route route6 = Route.to(Route.AF_INET6, null, 0).via(gateway6).dev(index);
            step("cannot add the default route via " + gateway6.getHostAddress(), () -> rtnl.addRoute(route6));
        }
    }

    /**
     * What {@link #configure} sets, as text for a front end that configures the tap itself
     * (jnet-slirp4netns's child, in C, with the same requests): MTU, txqueuelen, MAC
     * ({@code aa:bb:..}, or "" to leave it), address, prefix length, broadcast, gateway.
     */
    public static String[] values(UsernetConfig config) {
        String mac = "";
        if (config.guestMac() >= 0) {
            StringBuilder b = new StringBuilder();
            for (byte x : macBytes(config.guestMac())) {
                b.append(b.length() > 0 ? ":" : "").append(String.format("%02x", x & 0xff));
            }
            mac = b.toString();
        }
        return new String[] {Integer.toString(config.mtu()), Integer.toString(TAP_TX_QUEUE_LENGTH), mac,
            Ipv4Packet.addressToString(config.guestAddress()), Integer.toString(config.prefixLength()),
            Ipv4Packet.addressToString(config.broadcast()), Ipv4Packet.addressToString(config.gateway())};
    }

    private static void step(String what, Runnable action) {
        try {
            action.run();
        } catch (NetlinkException e) {
            String km = e.kernelMessage();
            throw new UsernetException(UsernetException.Kind.CONFIGURE,
                    what + ": " + (km != null && !km.isEmpty() ? km : e.reason()), e);
        } catch (RtnlException e) {
            throw new UsernetException(UsernetException.Kind.CONFIGURE, what + ": " + e.getMessage(), e);
        }
    }

    static byte[] macBytes(long mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> (40 - 8 * i));
        }
        return b;
    }

    static InetAddress inet(int addr) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (addr >>> 24), (byte) (addr >>> 16),
                    (byte) (addr >>> 8), (byte) addr});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    private static String ip(int addr) {
        return inet(addr).getHostAddress();
    }
}
