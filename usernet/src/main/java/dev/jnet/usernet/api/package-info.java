/**
 * slirp4netns's API socket: one JSON request per connection on a 0600 unix socket
 * (add_hostfwd, list_hostfwd, remove_hostfwd), served on the stack's event loop over
 * {@link dev.jnet.usernet.forward.PortForwarding}.
 */
package dev.jnet.usernet.api;
