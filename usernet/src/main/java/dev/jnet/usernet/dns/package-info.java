/** The DNS server at .3: forwarding to the host's resolvers. */
package dev.jnet.usernet.dns;
