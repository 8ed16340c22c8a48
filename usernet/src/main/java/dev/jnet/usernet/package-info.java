/**
 * usernet: a user-mode TCP/IP stack on Netty's epoll transport that gives a rootless network
 * namespace connectivity through a tap device, like slirp4netns. Layers, bottom up:
 * {@code wire} (packet views and builders), {@code link} (tap/phy), {@code ip}, {@code tcp},
 * {@code udp}, {@code icmp}, {@code dns}, {@code nat}/{@code forward}, {@code api}.
 *
 * <p>{@link dev.jnet.usernet.Usernet} runs one guest: {@code guest} opens its tap inside its
 * namespaces (and configures it like slirp4netns {@code -c}), {@code link.TapLink} moves the
 * frames on the event loop, and a {@link dev.jnet.usernet.StackFactory} supplies the stack.
 */
package dev.jnet.usernet;
