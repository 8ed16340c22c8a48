package dev.jnet.it.usernet;

/**
 * What a fake server got on one connection (or request): how many bytes and their SHA-256,
 * recorded once the peer finished sending. {@code service} names the server.
 */
record Received(String service, long length, String sha256) {}
