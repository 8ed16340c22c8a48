/**
 * usernet: a user-mode TCP/IP stack on Netty's epoll transport that gives a rootless network
 * namespace connectivity through a tap device, like slirp4netns. Layers, bottom up:
 * {@code wire} (packet views and builders), {@code link} (tap/phy), {@code ip}, {@code tcp},
 * {@code udp}, {@code icmp}, {@code dns}, {@code nat}/{@code forward}, {@code api}.
 */
package dev.jnet.usernet;
