/**
 * Netty plumbing the host-socket layers share (internal, not exported): what Netty's own
 * classes cannot be told, such as a receive handle whose reads a layer sizes itself.
 */
package dev.jnet.usernet.netty;
