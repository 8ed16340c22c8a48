/**
 * rtnetlink client: links, addresses and routes of one network namespace per
 * {@link dev.jnet.rtnl.RtnlHandle} (modelled on vishvananda/netlink: one type per link kind,
 * a handle per namespace, a thin wire layer in {@link dev.jnet.netlink}). No {@code ip}
 * subprocess anywhere; failures are {@link dev.jnet.netlink.NetlinkException}s carrying the
 * kernel's errno and extended-ack text, or {@link dev.jnet.rtnl.RtnlException}s for
 * conditions detected before asking the kernel (e.g. {@code Cannot find device "x"}).
 */
package dev.jnet.rtnl;
