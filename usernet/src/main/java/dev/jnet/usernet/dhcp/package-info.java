/** DHCPv4 server of the virtual gateway (libslirp's bootp.c defaults): codec, leases, server. */
package dev.jnet.usernet.dhcp;
