/** Mapping between guest-visible addresses and host-side destinations. */
package dev.jnet.usernet.nat;
