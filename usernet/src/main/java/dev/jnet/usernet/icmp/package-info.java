/** ICMPv4: echo for the stack's own addresses, echo forwarding, and error messages. */
package dev.jnet.usernet.icmp;
