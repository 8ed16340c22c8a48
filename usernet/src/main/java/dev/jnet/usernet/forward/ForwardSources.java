package dev.jnet.usernet.forward;

import dev.jnet.usernet.UsernetConfig;
import dev.jnet.usernet.wire.Ipv4Packet;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which client addresses a forward may show the guest as the source ({@link
 * HostForward#preserveSource}), and address conversions the forwards share.
 */
final class ForwardSources {
    private ForwardSources() {}

    /** The client's IPv4 address if the guest can be shown it, else 0 (then: the gateway). */
    static int preservable4(UsernetConfig config, InetAddress client) {
        Inet4Address a4 = ipv4(client);
        if (a4 == null) {
            return 0;
        }
        int a = Ipv4Packet.fromInetAddress(a4);
        if (a == 0 || (a >>> 24) == 127 || (a >>> 28) >= 0xE || config.inSubnet(a)) {
            return 0; // loopback is a martian on the guest's link; its own subnet would be itself
        }
        return a;
    }

    /** The client's IPv6 address as halves if the guest can be shown it, else {@code null}. */
    static long[] preservable6(UsernetConfig config, InetAddress client) {
        if (!(client instanceof Inet6Address a6) || a6.isLoopbackAddress() || a6.isLinkLocalAddress()
                || a6.isAnyLocalAddress() || a6.isMulticastAddress()) {
            return null;
        }
        long[] hl = halves(a6);
        return config.ipv6().inPrefix(hl[0], hl[1]) || (hl[0] == 0 && (hl[1] >>> 32) == 0xFFFF) ? null : hl;
    }

    /** IPv4, also when it arrives IPv4-mapped on an IPv6 socket; else {@code null}. */
    static Inet4Address ipv4(InetAddress a) {
        if (a instanceof Inet4Address a4) {
            return a4;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return null;
            }
        }
        if (b[10] != (byte) 0xFF || b[11] != (byte) 0xFF) {
            return null;
        }
        return Ipv4Packet.toInetAddress(((b[12] & 0xFF) << 24) | ((b[13] & 0xFF) << 16) | ((b[14] & 0xFF) << 8)
                | (b[15] & 0xFF));
    }

    static long[] halves(Inet6Address a) {
        byte[] b = a.getAddress();
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (b[i] & 0xFF);
            low = (low << 8) | (b[i + 8] & 0xFF);
        }
        return new long[] {high, low};
    }
}
