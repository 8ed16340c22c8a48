/**
 * The link layer: moving Ethernet frames between the guest's tap device and the stack
 * ({@link dev.jnet.usernet.link.FrameSink} outwards; the tap reader calls
 * {@code Stack.receiveFrame} inwards).
 */
package dev.jnet.usernet.link;
