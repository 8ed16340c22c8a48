/**
 * Wire formats: zero-copy views and builders over Netty {@link io.netty.buffer.ByteBuf}s for
 * Ethernet, ARP, IPv4, ICMPv4, UDP, TCP (with options), IPv6 and ICMPv6, modelled on smoltcp's
 * {@code wire} module.
 *
 * <h2>Why views, not objects</h2>
 * Every packet the stack sees would otherwise be decoded into a tree of objects (header record,
 * address objects, option lists) only to be thrown away microseconds later. A view is instead a
 * small mutable flyweight that is re-pointed at a buffer region with {@code wrap(buf, offset,
 * length)}; its accessors read the field directly with {@code ByteBuf} absolute getters (no
 * reader-index moves, no copies) and its setters write in place, so one view instance per layer
 * per event loop parses and builds any number of packets without allocating. Addresses are
 * returned as {@code int} (IPv4), {@code long} (48-bit MAC) or two {@code long}s (IPv6), never as
 * {@link java.net.InetAddress} on the hot path. Checksums are summed straight over buffer ranges
 * by {@link dev.jnet.usernet.wire.InternetChecksum}.
 *
 * <h2>Contract</h2>
 * <ol>
 *   <li>{@code wrap} only records the region (it rejects regions outside the buffer's capacity).
 *   <li>{@code check()} validates the fixed lengths and length fields against the wrapped region;
 *       it never throws for any bytes. Only after it returned {@code true} are the accessors,
 *       {@code payloadOffset()/payloadLength()} and the options parser guaranteed to stay inside
 *       the region; truncated or garbage input is simply rejected.
 *   <li>Checksums are verified explicitly ({@code verifyChecksum}) and filled explicitly
 *       ({@code fillChecksum}) after all other fields and the payload have been written.
 *   <li>Views never retain or release the buffer: reference counting stays with the caller.
 * </ol>
 */
package dev.jnet.usernet.wire;
