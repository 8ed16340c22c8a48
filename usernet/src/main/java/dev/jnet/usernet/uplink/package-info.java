/**
 * Rootless namespaces online through usernet, made and undone in one call each
 * ({@code jnet netns connect|disconnect} for an unprivileged user): {@link dev.jnet.usernet.uplink.Uplinks}
 * starts a usernet process that serves the namespace's {@code tap0} and outlives the caller,
 * records it, and stops it again.
 */
package dev.jnet.usernet.uplink;
