/** IPv4 (and later IPv6) input dispatch, output towards the guest, ARP. */
package dev.jnet.usernet.ip;
