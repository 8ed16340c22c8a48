/** UDP: NAT of guest datagrams to host sockets (and DNS at .3 as NAT flows to the resolver). */
package dev.jnet.usernet.udp;
