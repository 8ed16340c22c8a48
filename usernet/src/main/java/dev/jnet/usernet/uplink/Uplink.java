package dev.jnet.usernet.uplink;

import dev.jnet.net.IpAddress;
import dev.jnet.net.IpPrefix;

/**
 * A rootless namespace served by a usernet process: its {@code tap0} has the guest address
 * ({@code .100} of {@code network}) and a default route via the gateway ({@code .2}).
 *
 * @param name the namespace
 * @param pid the usernet process
 * @param startTime its start time (field 22 of /proc/PID/stat), so a recycled pid is never taken for it
 * @param network the subnet usernet serves, e.g. {@code 10.0.2.0/24}
 */
public record Uplink(String name, long pid, long startTime, IpPrefix network) {
    /** The device inside the namespace. */
    public static final String TAP = "tap0";

    /** The namespace's address: {@code .100}. */
    public IpPrefix guestAddress() {
        return new IpPrefix(IpAddress.ipv4(network.network().address().toIpv4Int() + 100), network.length());
    }

    /** The gateway (and host loopback) usernet answers as: {@code .2}. */
    public IpAddress gateway() {
        return IpAddress.ipv4(network.network().address().toIpv4Int() + 2);
    }
}
