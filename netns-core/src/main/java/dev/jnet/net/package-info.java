/**
 * Internet address values shared by every jnet module: {@link dev.jnet.net.IpAddress} (IPv4 and
 * IPv6 in one type) and {@link dev.jnet.net.IpPrefix} ({@code ADDR/LEN}), parsed strictly from
 * text (never a name lookup) and formatted canonically.
 */
package dev.jnet.net;
