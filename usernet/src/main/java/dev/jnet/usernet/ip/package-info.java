/**
 * IP input dispatch and output towards the guest (IPv4, IPv6, ARP). Depends only on {@code
 * wire}, {@code link} and the configuration: it hands packets up to the transports through
 * {@link dev.jnet.usernet.ip.Ipv4Handler} and {@link dev.jnet.usernet.ip.Ipv6Handler} and never
 * names them; {@link dev.jnet.usernet.ip.IpOutput} is what the transports see of either family's
 * output.
 */
package dev.jnet.usernet.ip;
