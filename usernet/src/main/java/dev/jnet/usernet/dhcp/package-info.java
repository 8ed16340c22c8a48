/** The virtual gateway's DHCP servers (libslirp's bootp.c and dhcpv6.c defaults): codec, leases, servers. */
package dev.jnet.usernet.dhcp;
